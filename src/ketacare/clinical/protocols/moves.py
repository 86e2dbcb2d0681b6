"""Checking a planned session's new date against its protocol (reference 1.6; SAFE-ESK-DOSE).

A session of a plan may be moved. Whether the new date is allowed is decided here, from the same
data the schedule was made from:

- Refused (the session may not be booked there):
  - fewer days after the previous session of the plan than the protocol's PROT-*-SPACING rule
    allows (`minimum_days_apart`; for the taper, the session's nominal interval minus
    `tolerance_days`), or fewer days before the following session than that session needs (a
    session moved later may not crowd the next one, and may not pass it: the course keeps its
    order, so session 1 stays the first dose);
  - for esketamine, a date that would put more sessions of the patient in any 7 consecutive days
    than DOSE-ESK-MAX-FREQUENCY allows, or two on one date (SAFE-ESK-DOSE).
- Allowed with a warning: either gap, previous session to the moved one or moved session to the
  following one, longer than the protocol's frequency gives, so the frequency is no longer met
  (a session moved earlier can leave the next one too far after it, as a later one can be too far
  after the previous). The longest gap a frequency gives is: k/week, the k-th of a week rounded
  up (3/week: 3 days, Friday to Monday; 2/week: 4; weekly: 7); every n days, n; for the taper
  (interval tolerance), the nominal interval plus `tolerance_days`.

Which step (and so which frequency or interval) a session belongs to follows from its number in
the course, as `schedule` numbers them; a gap is judged by the step of the session that ends it.
Dates are compared in whole calendar days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ketacare.clinical.catalog.protocols import WEEK_DAYS
from ketacare.clinical.dosing import Route
from ketacare.clinical.dosing.esketamine import check_esketamine_frequency
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import check_date, describe, read_int
from ketacare.clinical.protocols.intervals import choose_intervals
from ketacare.clinical.protocols.loader import get_protocol
from ketacare.clinical.protocols.model import (
    Phase,
    Protocol,
    SpacingKind,
    Step,
    frequency_text,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """A session of the course: its number (1-based, as `schedule` numbers them) and date."""

    number: int
    date: dt.date


@dataclass(frozen=True, slots=True)
class MoveFinding:
    """Why a move is refused, or what it is warned of: the rule (or protocol) and a sentence."""

    rule: str
    message: str

    @property
    def reason(self) -> str:
        """`RULE-ID: sentence`, as contracts.md 2.0 writes `reasons`."""
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class MoveCheck:
    """The verdict on one new date: `refusals` (not allowed when any) and `warnings`."""

    refusals: tuple[MoveFinding, ...] = ()
    warnings: tuple[MoveFinding, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refusals


def step_of(
    protocol: Protocol,
    number: int,
    *,
    sessions: int | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> tuple[Phase, Step]:
    """The phase and step of session `number` of `protocol`'s course (1-based).

    Steps hold their session counts in order (a clinic-defined count from `settings`, or
    `sessions` when the plan set one); sessions past the last counted step belong to the last
    step, which is the open-ended one where there is one.
    """
    read_int(number, "number", minimum=1)
    seen = 0
    last: tuple[Phase, Step] | None = None
    for phase in protocol.phases:
        for step in phase.steps:
            last = (phase, step)
            count = step.session_count(settings)
            if step.sessions_rule is not None and sessions is not None:
                count = sessions
            if count is None:
                return last
            seen += count
            if number <= seen:
                return last
    if last is None:  # the loader refuses a protocol without phases and steps
        raise ClinicalInputError("protocol", f"{protocol.id} has no steps.")
    return last


def check_session_move(
    protocol: Protocol | str,
    *,
    moved: PlannedSession,
    previous: PlannedSession | None = None,
    following: PlannedSession | None = None,
    esketamine_dates: Iterable[dt.date] = (),
    every_days: Mapping[str, int] | None = None,
    sessions: int | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> MoveCheck:
    """Whether session `moved` may take its new date (reference 1.6; SAFE-ESK-DOSE).

    `previous` and `following` are the nearest sessions of the same plan by number that still
    take place (none when the moved session is the first or the last). `esketamine_dates` are the
    patient's other esketamine sessions (any plan, past or booked) for DOSE-ESK-MAX-FREQUENCY.
    `every_days` is the interval a phase was planned at, where the protocol offers a choice (as
    `generate_schedule` takes it; an interval the protocol does not offer is an input error
    naming `every_days.<phase>`, see `choose_intervals`). Refusals name the PROT-*-SPACING rule or
    DOSE-ESK-MAX-FREQUENCY; warnings name the protocol whose frequency is no longer met, and the
    gap (before the moved session, or after it to `following`) that no longer meets it.
    """
    chosen = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    proposed = check_date(moved.date, "date")
    intervals = choose_intervals(chosen, every_days)
    gaps: list[MoveCheck] = []
    if previous is not None:
        check_date(previous.date, "previous.date")
        gaps.append(
            _check_gap(
                chosen,
                earlier=f"session {previous.number} ({previous.date.isoformat()})",
                later=f"session {moved.number} on {proposed.isoformat()}",
                gap=(proposed - previous.date).days,
                number=moved.number,
                intervals=intervals,
                sessions=sessions,
                settings=settings,
            )
        )
    if following is not None:
        check_date(following.date, "following.date")
        gaps.append(
            _check_gap(
                chosen,
                earlier=f"session {moved.number} on {proposed.isoformat()}",
                later=f"session {following.number} ({following.date.isoformat()})",
                gap=(following.date - proposed).days,
                number=following.number,
                intervals=intervals,
                sessions=sessions,
                settings=settings,
            )
        )
    refusals = [finding for gap in gaps for finding in gap.refusals]
    warnings = [finding for gap in gaps for finding in gap.warnings]
    if chosen.route is Route.ESKETAMINE_NASAL:
        if isinstance(esketamine_dates, str | bytes) or not isinstance(esketamine_dates, Iterable):
            raise ClinicalInputError(
                "esketamine_dates",
                f"esketamine_dates must be a list of dates; got {describe(esketamine_dates)}.",
            )
        alert = check_esketamine_frequency(list(esketamine_dates), proposed, settings)
        if alert is not None:
            refusals.append(MoveFinding(alert.rule, alert.message))
    return MoveCheck(refusals=tuple(refusals), warnings=tuple(warnings))


def _check_gap(
    protocol: Protocol,
    *,
    earlier: str,
    later: str,
    gap: int,
    number: int,
    intervals: Mapping[str, int],
    sessions: int | None,
    settings: ClinicalSettings,
) -> MoveCheck:
    """Judge the `gap` days from the `earlier` session to the `later` one, session `number` of
    the course (the gap before a session follows that session's step): a refusal naming the
    PROT-*-SPACING rule when shorter than it allows, a warning naming the protocol when longer
    than the step's frequency gives. `earlier` and `later` describe the sessions in words."""
    phase, step = step_of(protocol, number, sessions=sessions, settings=settings)
    interval = intervals.get(phase.name) or step.every_days
    shortest = _shortest_gap(protocol, interval, settings)
    if gap < shortest:
        refusal = MoveFinding(
            protocol.spacing.rule,
            f"{later} would be {_days(gap)} after {earlier}; "
            f"{protocol.id} needs at least {_days(shortest)}.",
        )
        return MoveCheck(refusals=(refusal,))
    longest = _longest_gap(protocol, step, interval, settings)
    if gap > longest:
        warning = MoveFinding(
            protocol.id,
            f"{later} would be {_days(gap)} after {earlier}: longer than the {phase.name} "
            f"frequency ({_frequency(step, interval)}, at most {_days(longest)} apart), so the "
            "protocol's frequency is no longer met.",
        )
        return MoveCheck(warnings=(warning,))
    return MoveCheck()


def _shortest_gap(protocol: Protocol, interval: int | None, settings: ClinicalSettings) -> int:
    """The fewest days a session may follow the previous one (PROT-*-SPACING)."""
    days = protocol.spacing.days(settings)
    if protocol.spacing.kind is SpacingKind.INTERVAL_TOLERANCE and interval is not None:
        # As the planner: never the same day, whatever the tolerance.
        return max(1, interval - days)
    return days


def _longest_gap(
    protocol: Protocol, step: Step, interval: int | None, settings: ClinicalSettings
) -> int:
    """The most days the step's frequency puts between two sessions (module docstring)."""
    if step.per_week is not None:
        return math.ceil(WEEK_DAYS / step.per_week)
    days = interval if interval is not None else step.interval_days
    if protocol.spacing.kind is SpacingKind.INTERVAL_TOLERANCE:
        return days + protocol.spacing.days(settings)
    return days


def _frequency(step: Step, interval: int | None) -> str:
    if step.per_week is not None or interval is None:
        return step.frequency
    return frequency_text(per_week=None, every_days=interval)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
