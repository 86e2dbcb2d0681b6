"""Every protocol x every non-empty set of clinic days x every start weekday (reference 1.6).

5,334 schedules, each checked for: every session on a clinic day, dates strictly increasing,
numbering 1..n, the first session on the first clinic day from `start`, the counts of the
protocol, its spacing rule (PROT-*-SPACING), at most k sessions in any 7 days of a k/week phase,
open-ended phases listed only before start + weeks, and for esketamine at most 2 sessions in any
7 days (DOSE-ESK-MAX-FREQUENCY, SAFE-ESK-DOSE).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from ketacare.clinical.dosing import Route
from ketacare.clinical.protocols import (
    PROTOCOLS,
    WEEKS_DEFAULT,
    Protocol,
    Schedule,
    SpacingKind,
    generate_schedule,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS

MONDAY = dt.date(2026, 11, 30)
CLINIC_DAY_SETS = [days for size in range(1, 8) for days in itertools.combinations(range(7), size)]
STARTS = [MONDAY + dt.timedelta(days=offset) for offset in range(7)]


def test_there_are_127_clinic_day_sets() -> None:
    assert len(CLINIC_DAY_SETS) == 127


def most_in_any_7_days(dates: list[dt.date]) -> int:
    return max(
        (sum(d <= other < d + dt.timedelta(days=7) for other in dates) for d in dates), default=0
    )


def check(protocol: Protocol, schedule: Schedule, start: dt.date, days: tuple[int, ...]) -> None:
    sessions = schedule.sessions
    dates = [s.date for s in sessions]
    assert [s.number for s in sessions] == list(range(1, len(sessions) + 1))
    assert all(d.weekday() in days for d in dates)
    assert all(a < b for a, b in itertools.pairwise(dates))
    first = next(start + dt.timedelta(n) for n in range(7) if (start.weekday() + n) % 7 in days)
    assert dates[0] == first
    horizon = start + dt.timedelta(weeks=WEEKS_DEFAULT)
    counts = Counter(s.phase for s in sessions)
    for phase in protocol.phases:
        if phase.open_ended:
            listed = [s.date for s in sessions if s.phase == phase.name]
            assert listed and all(d < horizon for d in listed)
            continue
        expected = sum(
            step.sessions
            or int(DEFAULT_SETTINGS.value(step.sessions_rule or "", "default_sessions"))
            for step in phase.steps
        )
        assert counts[phase.name] == expected
        step = phase.steps[0]
        if step.per_week is not None:
            in_phase = [s.date for s in sessions if s.phase == phase.name]
            assert most_in_any_7_days(in_phase) <= step.per_week
    check_spacing(protocol, dates)
    if protocol.route is Route.ESKETAMINE_NASAL:
        assert most_in_any_7_days(dates) <= 2


def check_spacing(protocol: Protocol, dates: list[dt.date]) -> None:
    gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
    rule = protocol.spacing.rule
    if protocol.spacing.kind is SpacingKind.MINIMUM_DAYS_APART:
        assert min(gaps, default=99) >= DEFAULT_SETTINGS.value(rule, "minimum_days_apart")
        return
    tolerance = DEFAULT_SETTINGS.value(rule, "tolerance_days")
    intervals = [
        step.every_days
        for phase in protocol.phases
        for step in phase.steps
        for _ in range(step.sessions or 0)
    ]
    for gap, interval in zip(gaps, intervals[1:], strict=True):
        assert interval is not None
        assert interval - tolerance <= gap <= interval + tolerance


@pytest.mark.parametrize("protocol_id", sorted(PROTOCOLS))
def test_every_clinic_day_set_and_start_weekday_gives_a_valid_schedule(protocol_id: str) -> None:
    protocol = PROTOCOLS[protocol_id]
    for days, start in itertools.product(CLINIC_DAY_SETS, STARTS):
        schedule = generate_schedule(protocol, start=start, clinic_days=days)
        try:
            check(protocol, schedule, start, days)
        except AssertionError as error:
            raise AssertionError(f"{protocol_id} {days} from {start}: {schedule}") from error
