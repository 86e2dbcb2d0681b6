"""Turning a protocol into dated sessions on the clinic's treatment days (reference 1.6).

The algorithm, for each step of each phase in order:
1. Plan a date. The course's first session is planned on `start`. A phase with `start_week` W
   plans its first session on start + 7 x (W - 1) (the label's "weeks 5-8"), unless the previous
   phase has run past that day; any other first session of a step is planned one interval after
   the previous session. Later sessions of a step are planned from the step's first session:
   `every_days` d plans session i at i x d days; `per_week` k at floor(i x 7 / k) days (3/week:
   Monday, Wednesday, Friday; 2/week: Monday, Thursday).
2. Move the planned date to the nearest day that is a clinic day and keeps every spacing rule
   (forward, as reference 1.6 says; within a k/week step also back, when an earlier clinic day
   is strictly nearer and still keeps the spacing, so Tuesday/Thursday clinics treat 2/week on
   Tuesday and Thursday). The spacing rules: the protocol's PROT-*-SPACING rule (minimum days
   from the previous session, or for the taper at least the step's interval minus the
   tolerance), at most k sessions of a `per_week` step in any 7 consecutive days (what "k/week"
   means here), and for esketamine DOSE-ESK-MAX-FREQUENCY (at most 2 sessions in any 7 days,
   SAFE-ESK-DOSE).
Because dates never move back past the spacing rules, a set of clinic days too sparse for a
frequency (Mondays only for a 3/week induction) gives a valid schedule that is spread out:
every session on a clinic day, every spacing kept, the phase simply taking longer. An
open-ended phase is listed while its sessions fall before start + `weeks` weeks (contracts.md
`ketacare schedule`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ketacare.clinical.catalog.protocols import WEEK_DAYS
from ketacare.clinical.dosing import Route
from ketacare.clinical.dosing.esketamine import frequency_alert
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import (
    Fields,
    check_date,
    describe,
    join,
    read_date,
    read_int,
    read_str,
)
from ketacare.clinical.protocols.intervals import choose_intervals
from ketacare.clinical.protocols.loader import get_protocol
from ketacare.clinical.protocols.model import (
    SESSIONS_THRESHOLD,
    WEEKS_MAXIMUM,
    Phase,
    Protocol,
    SessionCount,
    SpacingKind,
    Step,
    number_text,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings

# contracts.md `ketacare schedule`: how far an open-ended phase is listed, in weeks after start
# (at most WEEKS_MAXIMUM, protocols/model.py).
WEEKS_DEFAULT = 24
WEEKS_MINIMUM = 1
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """The input of `ketacare schedule`: protocol id, first day, clinic days (0 = Monday)."""

    protocol: str
    start: dt.date
    clinic_days: tuple[int, ...]
    weeks: int = WEEKS_DEFAULT


@dataclass(frozen=True, slots=True)
class ScheduledSession:
    """One planned session: its number in the course, date, phase name and dose text."""

    number: int
    date: dt.date
    phase: str
    dose: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """The sessions of one protocol (id and data version) for one start date."""

    protocol: str
    version: int
    sessions: tuple[ScheduledSession, ...]

    def as_document(self) -> dict[str, object]:
        """The output document of contracts.md `ketacare schedule`."""
        return {
            "protocol": self.protocol,
            "sessions": [
                {"number": s.number, "date": s.date.isoformat(), "phase": s.phase, "dose": s.dose}
                for s in self.sessions
            ],
        }


def parse_schedule_request(document: object) -> ScheduleRequest:
    """The schedule request of a contract input document, every field checked."""
    doc = Fields(document)
    request = ScheduleRequest(
        protocol=get_protocol(doc.take("protocol", read_str)).id,
        start=doc.take("start", read_date),
        clinic_days=doc.take("clinic_days", read_clinic_days),
        weeks=doc.optional(
            "weeks", read_int, default=WEEKS_DEFAULT, minimum=WEEKS_MINIMUM, maximum=WEEKS_MAXIMUM
        ),
    )
    doc.finish()
    return request


def read_clinic_days(value: object, path: str = "clinic_days") -> tuple[int, ...]:
    """Clinic days as a sorted tuple: a non-empty list of distinct integers 0-6 (0 = Monday)."""
    if not isinstance(value, list | tuple) or not value:
        raise ClinicalInputError(
            path,
            f"{path} must be a non-empty list of weekdays 0-6 (0 = Monday); got {describe(value)}.",
        )
    days: list[int] = []
    for index, item in enumerate(value):
        item_path = join(path, index)
        day = read_int(item, item_path, minimum=0, maximum=WEEK_DAYS - 1)
        if day in days:
            raise ClinicalInputError(item_path, f"{item_path} repeats weekday {day}.")
        days.append(day)
    return tuple(sorted(days))


def schedule_for(
    request: ScheduleRequest, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> Schedule:
    """The schedule of a parsed request (see `generate_schedule`)."""
    return generate_schedule(
        request.protocol,
        start=request.start,
        clinic_days=request.clinic_days,
        weeks=request.weeks,
        settings=settings,
    )


def generate_schedule(
    protocol: Protocol | str,
    *,
    start: dt.date,
    clinic_days: Collection[int],
    weeks: int = WEEKS_DEFAULT,
    sessions: int | None = None,
    every_days: Mapping[str, int] | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> Schedule:
    """The dated sessions of `protocol` from `start` on `clinic_days` (reference 1.6).

    Spacing follows the protocol's PROT-*-SPACING rule, k/week steps hold at most k sessions in
    any 7 days, and esketamine keeps DOSE-ESK-MAX-FREQUENCY (SAFE-ESK-DOSE); see the module
    docstring for the algorithm. `sessions` sets a clinic-defined count (default: the threshold
    of the step's PROT-*-SESSIONS rule, within its range); `every_days` picks, per phase name, one
    of the intervals the source allows (esketamine maintenance: 14 by default, or 7; see
    `interval_options` and `choose_intervals`).
    """
    chosen = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    # check_date bounds the year too, so no date arithmetic below can leave `datetime`'s range.
    check_date(start, "start")
    intervals = choose_intervals(chosen, every_days)
    as_given: object = clinic_days
    if isinstance(clinic_days, Collection) and not isinstance(clinic_days, str | bytes | dict):
        as_given = list(clinic_days)  # a range or a set from Python callers
    days = frozenset(read_clinic_days(as_given))
    weeks = read_int(weeks, "weeks", minimum=WEEKS_MINIMUM, maximum=WEEKS_MAXIMUM)
    counts = _step_counts(chosen, sessions, settings)
    planner = _Planner(chosen, days, settings)
    horizon = start + dt.timedelta(weeks=weeks)
    for index, phase in enumerate(chosen.phases):
        steps = {j: counts.get((index, j)) for j in range(len(phase.steps))}
        planner.plan_phase(phase, start, horizon, steps, intervals.get(phase.name))
    return Schedule(chosen.id, chosen.version, tuple(planner.sessions))


class _Planner:
    """The running state of one schedule: the sessions placed so far, in date order."""

    def __init__(
        self, protocol: Protocol, clinic_days: frozenset[int], settings: ClinicalSettings
    ) -> None:
        self.protocol = protocol
        self.clinic_days = clinic_days
        self.settings = settings
        self.sessions: list[ScheduledSession] = []
        self.dates: list[dt.date] = []
        spacing = protocol.spacing
        # Spacing by interval (the taper): at least the step's interval minus the tolerance.
        self.by_interval = spacing.kind is SpacingKind.INTERVAL_TOLERANCE
        days = spacing.days(settings)
        self.minimum_apart = 1 if self.by_interval else days
        self.tolerance = days if self.by_interval else 0
        self.esketamine = protocol.route is Route.ESKETAMINE_NASAL

    def plan_phase(
        self,
        phase: Phase,
        start: dt.date,
        horizon: dt.date,
        counts: Mapping[int, int | None],
        every_days: int | None,
    ) -> None:
        in_phase = 0
        for step_number, step in enumerate(phase.steps):
            interval = every_days or step.every_days
            count = counts[step_number]
            anchor: dt.date | None = None
            index = 0
            while count is None or index < count:
                if anchor is None:
                    target = self._first_target(phase, step, step_number, start, interval)
                else:
                    target = anchor + dt.timedelta(days=step.offset_days(index, interval))
                day = self._place(target, step, interval, index)
                if count is None and day >= horizon:
                    break
                anchor = anchor or day
                self._add(day, phase, in_phase)
                index += 1
                in_phase += 1

    def _first_target(
        self, phase: Phase, step: Step, step_number: int, start: dt.date, interval: int | None
    ) -> dt.date:
        if not self.dates:
            return start
        previous = self.dates[-1]
        if step_number == 0 and phase.start_week is not None:
            nominal = start + dt.timedelta(weeks=phase.start_week - 1)
            if previous < nominal:
                return nominal
        return previous + dt.timedelta(days=step.offset_days(1, interval))

    def _place(self, target: dt.date, step: Step, interval: int | None, index: int) -> dt.date:
        earliest = target
        if self.dates:
            apart = self.minimum_apart
            if self.by_interval and interval is not None:
                apart = max(1, interval - self.tolerance)
            earliest = self.dates[-1] + dt.timedelta(days=apart)
        day = max(target, earliest)
        # Any 7 consecutive days hold every weekday once, so a fitting day is always near.
        while not self._fits(day, step, index):
            day += _DAY
        if step.per_week is None or index == 0:
            return day
        # Within a k/week step, an earlier clinic day that keeps every spacing rule wins when it
        # is nearer the planned day: a Tuesday/Thursday clinic then treats "2/week" on Tuesday
        # and Thursday, not once a week on Tuesdays (the planned Friday's next clinic day).
        back = target - _DAY
        while back >= earliest and (target - back) < (day - target):
            if self._fits(back, step, index):
                return back
            back -= _DAY
        return day

    def _fits(self, day: dt.date, step: Step, index: int) -> bool:
        if day.weekday() not in self.clinic_days:
            return False
        week_ago = day - dt.timedelta(days=WEEK_DAYS - 1)
        # With `index` sessions of a k/week step placed, the k-th latest must be a week back.
        k = step.per_week
        if k is not None and index >= k and self.dates[-k] >= week_ago:
            return False
        if self.esketamine:
            recent = [d for d in self.dates[-WEEK_DAYS:] if d >= week_ago]
            return frequency_alert(recent, day, self.settings) is None
        return True

    def _add(self, day: dt.date, phase: Phase, in_phase: int) -> None:
        self.dates.append(day)
        self.sessions.append(
            ScheduledSession(
                len(self.sessions) + 1, day, phase.name, _dose_text(phase, in_phase, self.settings)
            )
        )


def _dose_text(phase: Phase, in_phase: int, settings: ClinicalSettings) -> str:
    """The dose of session `in_phase` (0-based) of `phase`, its numbers from `settings`.

    A titration starts at its first dose (the source's start within the clinic's range) and
    rises by its step each session, up to the range's maximum (its whole mg when the clinic's
    maximum is not whole: the text then gives the maximum as set).
    """
    titration = phase.titration
    if titration is not None:
        dose = number_text(titration.dose_mg(in_phase, settings))
        if in_phase == 0:
            return f"{dose} mg"
        highest = titration.highest_mg(settings)
        if titration.first_mg(settings) + titration.step_mg * in_phase < highest:
            return f"{dose} mg as tolerated"
        maximum = titration.maximum_mg(settings)
        if highest == maximum:
            return f"{dose} mg as tolerated ({titration.rule} maximum)"
        within = f"within the {titration.rule} maximum of {number_text(maximum)} mg"
        return f"{dose} mg as tolerated ({within})"
    first = phase.first_dose_text(settings)
    if in_phase == 0 and first is not None:
        return first
    return phase.dose_text(settings)


def _step_counts(
    protocol: Protocol, sessions: int | None, settings: ClinicalSettings
) -> dict[tuple[int, int], int]:
    """Sessions per (phase index, step index); open-ended steps are left out."""
    counts: dict[tuple[int, int], int] = {}
    for i, phase in enumerate(protocol.phases):
        for j, step in enumerate(phase.steps):
            count = step.session_count(settings)
            if step.sessions_rule is not None and sessions is not None:
                limits = REGISTRY[step.sessions_rule].threshold(SESSIONS_THRESHOLD)
                count = read_int(
                    sessions, "sessions", minimum=int(limits.minimum), maximum=int(limits.maximum)
                )
            if count is not None:
                counts[(i, j)] = count
    defined = any(s.count is SessionCount.CLINIC_DEFINED for p in protocol.phases for s in p.steps)
    if sessions is not None and not defined:
        raise ClinicalInputError(
            "sessions",
            f"sessions can only be set for a protocol with a clinic-defined count; "
            f"{protocol.id} has none.",
        )
    return counts
