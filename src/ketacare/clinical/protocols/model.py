"""What a protocol is: phases of steps, a spacing rule, a source (clinical-reference.md 1.6).

A protocol is versioned data (one TOML file per protocol, read by `loader`), not code. A phase
(`induction`, `optimization`, `maintenance`) has a dose text and one or more steps; a step is a
run of sessions at one frequency, either `per_week` (k sessions in any 7 days) or `every_days`.
The IV maintenance taper is one phase of three steps (weekly, every 2 weeks, monthly).

A dose text holds no number of its own: each number is a placeholder naming where it lives,
`{RULE-ID.threshold}` for a threshold of the rule registry (`{DOSE-IV-MGKG.default_mg_per_kg}`)
or `{titration.start_mg}` / `{titration.step_mg}` / `{titration.maximum_mg}` for the phase's
titration, and `render_dose` fills them from the clinic's settings. A clinic that changes a
threshold therefore changes every schedule and listing that shows it, and a text holding a value
other than the registry's default says so (`CLINIC_SETTING_NOTE`): the listing shows the
protocol's source beside it, and the source used the default. The loader refuses a file whose
text names an unknown rule or threshold, or carries a literal number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from ketacare.clinical.catalog.protocols import WEEK_DAYS
from ketacare.clinical.dosing import Route
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings, Evidence, Number

# contracts.md `ketacare schedule`: the longest listing horizon, in weeks after start; a
# protocol's start week and intervals are bounded by it too.
WEEKS_MAXIMUM = 104

# A placeholder of a dose text: `{` owner `.` name `}`, the owner a rule id or `titration`.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TITRATION = "titration"

# Added once to a dose text holding a value other than the registry default (`render_dose`).
CLINIC_SETTING_NOTE = " (this clinic's setting)"


class SessionCount(StrEnum):
    """How a step's number of sessions is given when it is not a plain number."""

    FIXED = "fixed"
    OPEN_ENDED = "open_ended"  # listed up to the schedule's horizon (`weeks`)
    CLINIC_DEFINED = "clinic_defined"  # a threshold of a PROT-*-SESSIONS rule


class SpacingKind(StrEnum):
    """How a protocol's spacing rule is measured (see catalog/protocols.py)."""

    MINIMUM_DAYS_APART = "minimum_days_apart"
    INTERVAL_TOLERANCE = "interval_tolerance"


# The threshold of a spacing rule that holds its number, by how the rule is measured.
SPACING_THRESHOLDS: Mapping[SpacingKind, str] = MappingProxyType(
    {
        SpacingKind.MINIMUM_DAYS_APART: "minimum_days_apart",
        SpacingKind.INTERVAL_TOLERANCE: "tolerance_days",
    }
)
# The threshold of a PROT-*-SESSIONS rule that holds a clinic-defined session count.
SESSIONS_THRESHOLD = "default_sessions"


@dataclass(frozen=True, slots=True)
class Step:
    """A run of sessions at one frequency: exactly one of `per_week` and `every_days` is set.

    `every_days_options` lists the other intervals the source allows (the label's "weekly or
    every 2 weeks" maintenance); `every_days` is the one listed by default. A step with neither
    or both frequencies is refused when built (the loader names the field first), so a missing
    interval can never pass on as 0 days.
    """

    count: SessionCount
    sessions: int | None = None
    sessions_rule: str | None = None
    per_week: int | None = None
    every_days: int | None = None
    every_days_options: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if (self.per_week is None) == (self.every_days is None):
            raise ValueError("a step has exactly one of per_week and every_days")
        if self.every_days_options and self.every_days is None:
            raise ValueError("every_days_options need every_days")

    @property
    def frequency(self) -> str:
        """The frequency in words: `3/week`, `weekly`, `every 2 weeks`, `every 3 days`."""
        return frequency_text(per_week=self.per_week, every_days=self.every_days)

    @property
    def interval_days(self) -> int:
        """The days between sessions of an `every_days` step (a `per_week` step has none)."""
        if self.every_days is None:
            raise ValueError(f"a {self.frequency} step has no interval in days")
        return self.every_days

    def session_count(self, settings: ClinicalSettings) -> int | None:
        """The step's number of sessions: its own, the clinic's setting of its PROT-*-SESSIONS
        rule for a clinic-defined count, or None when it is open-ended."""
        if self.sessions_rule is not None:
            return int(settings.value(self.sessions_rule, SESSIONS_THRESHOLD))
        return self.sessions

    def offset_days(self, index: int, every_days: int | None = None) -> int:
        """Days from the step's first session to the planned date of session `index` (0-based).

        `per_week` k plans session i at floor(i x 7 / k) days: 3/week gives 0, 2, 4, 7, 9, 11
        (Monday, Wednesday, Friday), 2/week gives 0, 3, 7, 10 (Monday, Thursday). An
        `every_days` step plans it at i x `every_days` (one of its options), else its interval.
        """
        if self.per_week is not None:
            return index * WEEK_DAYS // self.per_week
        return index * (every_days or self.interval_days)


@dataclass(frozen=True, slots=True)
class Titration:
    """A dose that rises each session as tolerated, kept within a rule's range.

    `start_mg` and `step_mg` are the source's series (ALSHIRAWI-2017: 50 mg, +25 mg); `rule`
    holds the allowed range (`minimum_name` .. `maximum_name`, DOSE-ORAL-RANGE), which a clinic
    may narrow: the series then starts at the clinic's minimum when that is higher, and never
    goes above its maximum. Doses are whole mg (the minimum rounded up, the maximum down) unless
    the clinic's range holds no whole mg, when every dose is its maximum. `rise` is the dose text
    of the rise (`+{titration.step_mg} mg per session ...`), shown only while the series can rise.
    """

    start_mg: int
    step_mg: int
    rule: str
    minimum_name: str
    maximum_name: str
    rise: str

    def maximum_mg(self, settings: ClinicalSettings) -> Number:
        """The clinic's maximum as set (99.5 stays 99.5); see `highest_mg` for the dose."""
        return settings.value(self.rule, self.maximum_name)

    def highest_mg(self, settings: ClinicalSettings) -> Number:
        """The highest dose of the series: the maximum's whole mg, never above the maximum."""
        maximum = self.maximum_mg(settings)
        whole = math.floor(maximum)
        return whole if whole >= settings.value(self.rule, self.minimum_name) else maximum

    def first_mg(self, settings: ClinicalSettings) -> Number:
        """The first dose: the series' start raised to the clinic's minimum, at most its highest."""
        minimum = math.ceil(settings.value(self.rule, self.minimum_name))
        return min(max(self.start_mg, minimum), self.highest_mg(settings))

    def rises(self, settings: ClinicalSettings) -> bool:
        """Whether any session's dose is above the first (not when the first is the highest)."""
        return self.step_mg > 0 and self.first_mg(settings) < self.highest_mg(settings)

    def dose_mg(self, index: int, settings: ClinicalSettings) -> Number:
        """The dose of session `index` (0-based): the first plus `index` steps, at most highest."""
        return min(self.first_mg(settings) + self.step_mg * index, self.highest_mg(settings))

    def value(self, name: str, settings: ClinicalSettings) -> Number:
        """A number a dose text may name: `start_mg` (the real first dose), `step_mg`, `maximum_mg`
        (the clinic's maximum as set)."""
        if name == "start_mg":
            return self.first_mg(settings)
        if name == "step_mg":
            return self.step_mg
        if name == "maximum_mg":
            return self.maximum_mg(settings)
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

    def dose_text(self, settings: ClinicalSettings) -> str:
        """The phase's dose text from `settings`, with its titration's rise while it can rise."""
        template = self.dose
        if self.titration is not None and self.titration.rises(settings):
            template = f"{template}, {self.titration.rise}"
        return render_dose(template, settings, self.titration)

    def first_dose_text(self, settings: ClinicalSettings) -> str | None:
        """The first session's dose text from `settings`, if it differs from the phase's."""
        if self.first_dose is None:
            return None
        return render_dose(self.first_dose, settings, self.titration)


@dataclass(frozen=True, slots=True)
class Spacing:
    """A protocol's spacing rule: the PROT-* rule holding its number, and how it is measured.

    Its wording is built from the clinic's number (`listing.spacing_text`), never stored, so it
    cannot go stale when a clinic changes the rule.
    """

    rule: str
    kind: SpacingKind

    @property
    def threshold(self) -> str:
        """The name of the rule's threshold: `minimum_days_apart` or `tolerance_days`."""
        return SPACING_THRESHOLDS[self.kind]

    def days(self, settings: ClinicalSettings) -> int:
        """The clinic's number of the rule: days apart, or the tolerance in days."""
        return int(settings.value(self.rule, self.threshold))


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
    if every_days is None:
        raise ValueError("a frequency needs per_week or every_days")
    if every_days == WEEK_DAYS:
        return "weekly"
    if every_days % WEEK_DAYS == 0:
        return f"every {every_days // WEEK_DAYS} weeks"
    return f"every {every_days} days"


TITRATION_NUMBERS = ("start_mg", "step_mg", "maximum_mg")
"""The titration numbers a dose text may name as `{titration.<name>}`."""


def render_dose(
    template: str, settings: ClinicalSettings, titration: Titration | None = None
) -> str:
    """A dose text with each placeholder filled from `settings` (or the phase's titration).

    The loader has checked every placeholder, so each names an existing threshold (or a
    titration number of a phase that has one). When any value differs from what the registry's
    defaults give, `CLINIC_SETTING_NOTE` is added once, so that a clinic's 0.75 mg/kg is not read
    as what the protocol's source used; with the defaults the text is unchanged.
    """
    changed = False

    def fill(match: re.Match[str]) -> str:
        nonlocal changed
        owner, _, name = match.group(1).partition(".")
        if owner == TITRATION and titration is not None:
            value = titration.value(name, settings)
            default = titration.value(name, DEFAULT_SETTINGS)
        else:
            value = settings.value(owner, name)
            default = DEFAULT_SETTINGS.value(owner, name)
        changed = changed or value != default
        return number_text(value)

    text = PLACEHOLDER.sub(fill, template)
    return text + CLINIC_SETTING_NOTE if changed else text


def number_text(value: Number) -> str:
    """A number as the reference writes it: `0.5`, `40` (not `0.50`, `40.0`), never rounded."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
