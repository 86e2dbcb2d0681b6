"""What a protocol is: phases of steps, a spacing rule, a source (clinical-reference.md 1.6).

A protocol is versioned data (one TOML file per protocol, read by `loader`), not code. A phase
(`induction`, `optimization`, `maintenance`) has a dose text and one or more steps; a step is a
run of sessions at one frequency, either `per_week` (k sessions in any 7 days) or `every_days`.
The IV maintenance taper is one phase of three steps (weekly, every 2 weeks, monthly).

A dose text holds no number of its own: each number is a placeholder naming where it lives,
`{RULE-ID.threshold}` for a threshold of the rule registry (`{DOSE-IV-MGKG.default_mg_per_kg}`)
or `{titration.start_mg}` / `{titration.step_mg}` for the phase's titration, and `render_dose`
fills them from the clinic's settings. A clinic that changes a threshold therefore changes every
schedule and listing that shows it; the loader refuses a file whose text names an unknown rule
or threshold, or carries a literal number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from ketacare.clinical.dosing import Route
from ketacare.clinical.rules import ClinicalSettings, Evidence, Number

# contracts.md `ketacare schedule`: the longest listing horizon, in weeks after start; a
# protocol's start week and intervals are bounded by it too.
WEEKS_MAXIMUM = 104

# A placeholder of a dose text: `{` owner `.` name `}`, the owner a rule id or `titration`.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TITRATION = "titration"


class SessionCount(StrEnum):
    """How a step's number of sessions is given when it is not a plain number."""

    FIXED = "fixed"
    OPEN_ENDED = "open_ended"  # listed up to the schedule's horizon (`weeks`)
    CLINIC_DEFINED = "clinic_defined"  # a threshold of a PROT-*-SESSIONS rule


class SpacingKind(StrEnum):
    """How a protocol's spacing rule is measured (see catalog/protocols.py)."""

    MINIMUM_DAYS_APART = "minimum_days_apart"
    INTERVAL_TOLERANCE = "interval_tolerance"


@dataclass(frozen=True, slots=True)
class Step:
    """A run of sessions at one frequency: exactly one of `per_week` and `every_days` is set.

    `every_days_options` lists the other intervals the source allows (the label's "weekly or
    every 2 weeks" maintenance); `every_days` is the one listed by default.
    """

    count: SessionCount
    sessions: int | None = None
    sessions_rule: str | None = None
    per_week: int | None = None
    every_days: int | None = None
    every_days_options: tuple[int, ...] = ()

    @property
    def frequency(self) -> str:
        """The frequency in words: `3/week`, `weekly`, `every 2 weeks`, `every 3 days`."""
        return frequency_text(per_week=self.per_week, every_days=self.every_days)

    def offset_days(self, index: int, every_days: int | None = None) -> int:
        """Days from the step's first session to the planned date of session `index` (0-based).

        `per_week` k plans session i at floor(i x 7 / k) days: 3/week gives 0, 2, 4, 7, 9, 11
        (Monday, Wednesday, Friday), 2/week gives 0, 3, 7, 10 (Monday, Thursday).
        """
        if self.per_week is not None:
            return index * 7 // self.per_week
        return index * (every_days or self.every_days or 0)


@dataclass(frozen=True, slots=True)
class Titration:
    """A dose that rises each session as tolerated, kept within a rule's range.

    `start_mg` and `step_mg` are the source's series (ALSHIRAWI-2017: 50 mg, +25 mg); `rule`
    holds the allowed range (`minimum_name` .. `maximum_name`, DOSE-ORAL-RANGE), which a clinic
    may narrow: the series then starts at the clinic's minimum when that is higher, and never
    goes above its maximum.
    """

    start_mg: int
    step_mg: int
    rule: str
    minimum_name: str
    maximum_name: str

    def maximum_mg(self, settings: ClinicalSettings) -> int:
        return int(settings.value(self.rule, self.maximum_name))

    def first_mg(self, settings: ClinicalSettings) -> int:
        """The first dose: the series' start raised to the clinic's minimum, at most its maximum."""
        minimum = math.ceil(settings.value(self.rule, self.minimum_name))
        return min(max(self.start_mg, minimum), self.maximum_mg(settings))

    def value(self, name: str, settings: ClinicalSettings) -> int:
        """A number a dose text may name: `start_mg` (the real first dose) or `step_mg`."""
        if name == "start_mg":
            return self.first_mg(settings)
        if name == "step_mg":
            return self.step_mg
        raise KeyError(f"a titration has no number {name!r}")


@dataclass(frozen=True, slots=True)
class Phase:
    """A named phase: its dose text, an optional different first-session dose, its steps.

    `start_week` (1-based) places the phase's first session in that week of the course, as
    the label's "weeks 5-8" does; without it the phase follows its previous one.
    """

    name: str
    dose: str
    steps: tuple[Step, ...]
    first_dose: str | None = None
    titration: Titration | None = None
    start_week: int | None = None

    @property
    def open_ended(self) -> bool:
        return any(step.count is SessionCount.OPEN_ENDED for step in self.steps)


@dataclass(frozen=True, slots=True)
class Spacing:
    """A protocol's spacing rule: the PROT-* rule holding its number, and how it is measured.

    Its wording is built from the clinic's number (`listing.spacing_text`), never stored, so it
    cannot go stale when a clinic changes the rule.
    """

    rule: str
    kind: SpacingKind


@dataclass(frozen=True, slots=True)
class Protocol:
    """One protocol of reference 1.6, as its data file defines it."""

    id: str
    version: int
    title: str
    route: Route
    source: str
    evidence: Evidence
    section: str
    spacing: Spacing
    phases: tuple[Phase, ...]
    note: str = ""


def frequency_text(*, per_week: int | None, every_days: int | None) -> str:
    """`weekly`, `3/week`, `every 2 weeks`, `every 3 days` (weeks when the days divide by 7)."""
    if per_week is not None:
        return "weekly" if per_week == 1 else f"{per_week}/week"
    days = every_days or 0
    if days == 7:
        return "weekly"
    if days % 7 == 0:
        return f"every {days // 7} weeks"
    return f"every {days} days"


TITRATION_NUMBERS = ("start_mg", "step_mg")
"""The titration numbers a dose text may name as `{titration.<name>}`."""


def render_dose(
    template: str, settings: ClinicalSettings, titration: Titration | None = None
) -> str:
    """A dose text with each placeholder filled from `settings` (or the phase's titration).

    The loader has checked every placeholder, so each names an existing threshold (or a
    titration number of a phase that has one).
    """

    def fill(match: re.Match[str]) -> str:
        owner, _, name = match.group(1).partition(".")
        if owner == TITRATION and titration is not None:
            return number_text(titration.value(name, settings))
        return number_text(settings.value(owner, name))

    return PLACEHOLDER.sub(fill, template)


def number_text(value: Number) -> str:
    """A number as the reference writes it: `0.5`, `40` (not `0.50`, `40.0`), never rounded."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
