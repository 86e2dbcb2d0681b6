"""What a protocol is: phases of steps, a spacing rule, a source (clinical-reference.md 1.6).

A protocol is versioned data (one TOML file per protocol, read by `loader`), not code. A phase
(`induction`, `optimization`, `maintenance`) has a dose text and one or more steps; a step is a
run of sessions at one frequency, either `per_week` (k sessions in any 7 days) or `every_days`.
The IV maintenance taper is one phase of three steps (weekly, every 2 weeks, monthly).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.clinical.dosing import Route
from ketacare.clinical.rules import Evidence

# contracts.md `ketacare schedule`: the longest listing horizon, in weeks after start; a
# protocol's start week and intervals are bounded by it too.
WEEKS_MAXIMUM = 104


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
    """A dose that rises each session as tolerated, capped by a rule's maximum."""

    start_mg: int
    step_mg: int
    maximum_rule: str
    maximum_name: str


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
