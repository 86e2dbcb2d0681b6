"""A phase's choice of interval (protocols/intervals.py; reference 1.3 and 1.6): only what the
protocol's data allows, checked alike by the schedule and by a moved session, which judges the
frequency by the interval the plan chose. Numbers are read from the protocol's data."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import (
    PROTOCOLS,
    PlannedSession,
    check_session_move,
    choose_intervals,
    generate_schedule,
    interval_options,
    step_of,
)

MONDAY = dt.date(2026, 11, 30)
WEEKDAYS = (0, 1, 2, 3, 4)
ESK = "esketamine_trd_label"
ESK_MAINTENANCE = PROTOCOLS[ESK].phases[2]
# The label's maintenance (reference 1.3): every 2 weeks by default, or weekly.
EVERY_TWO_WEEKS, WEEKLY = ESK_MAINTENANCE.steps[0].interval_days, 7
WITHOUT_CHOICE = sorted(name for name, protocol in PROTOCOLS.items() if name != ESK)


def _first_maintenance_number() -> int:
    number = 1
    while step_of(PROTOCOLS[ESK], number)[0].name != "maintenance":
        number += 1
    return number


FIRST_MAINTENANCE = _first_maintenance_number()


# --- what may be chosen ---------------------------------------------------------------------


def test_esketamine_trd_maintenance_offers_every_two_weeks_by_default_or_weekly() -> None:
    assert ESK_MAINTENANCE.name == "maintenance"
    assert interval_options(ESK) == {"maintenance": (EVERY_TWO_WEEKS, WEEKLY)}
    assert EVERY_TWO_WEEKS == 14
    assert interval_options(PROTOCOLS[ESK]) == interval_options(ESK)


def test_the_options_are_the_protocol_data_and_nothing_else() -> None:
    for protocol in PROTOCOLS.values():
        expected = {
            phase.name: (phase.steps[0].interval_days, *phase.steps[0].every_days_options)
            for phase in protocol.phases
            if len(phase.steps) == 1 and phase.steps[0].every_days_options
        }
        assert interval_options(protocol) == expected


@pytest.mark.parametrize("protocol_id", WITHOUT_CHOICE)
def test_a_protocol_without_a_choice_offers_none_and_takes_none(protocol_id: str) -> None:
    assert interval_options(protocol_id) == {}
    assert choose_intervals(protocol_id) == {}
    phase = PROTOCOLS[protocol_id].phases[0]
    step = phase.steps[0]
    days = step.every_days if step.every_days is not None else 7
    with pytest.raises(ClinicalInputError) as caught:
        choose_intervals(protocol_id, {phase.name: days})
    assert caught.value.field == f"every_days.{phase.name}"


def test_nothing_chosen_gives_the_protocol_default() -> None:
    assert choose_intervals(ESK) == {"maintenance": EVERY_TWO_WEEKS}
    assert choose_intervals(ESK, {}) == {"maintenance": EVERY_TWO_WEEKS}


@pytest.mark.parametrize("days", [EVERY_TWO_WEEKS, WEEKLY])
def test_each_interval_the_label_allows_is_chosen(days: int) -> None:
    assert choose_intervals(ESK, {"maintenance": days}) == {"maintenance": days}


@pytest.mark.parametrize(
    "days",
    [WEEKLY - 1, WEEKLY + 1, EVERY_TWO_WEEKS - 1, EVERY_TWO_WEEKS + 1, 0, -WEEKLY, 28],
)
def test_an_interval_next_to_an_allowed_one_is_refused_naming_the_phase(days: int) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        choose_intervals(ESK, {"maintenance": days})

    assert caught.value.field == "every_days.maintenance"
    assert caught.value.message == (
        f"every_days.maintenance must be one of {EVERY_TWO_WEEKS}, {WEEKLY}; got {days}."
    )


@pytest.mark.parametrize(
    ("every_days", "field"),
    [
        ({"maintenance": 7.0}, "every_days.maintenance"),
        ({"maintenance": True}, "every_days.maintenance"),
        ({"maintenance": "7"}, "every_days.maintenance"),
        ({"maintenance": None}, "every_days.maintenance"),
        ({"induction": WEEKLY}, "every_days.induction"),
        ({"optimization": WEEKLY}, "every_days.optimization"),
        ({"Maintenance": WEEKLY}, "every_days.Maintenance"),
        ({7: WEEKLY}, "every_days"),
        ([("maintenance", WEEKLY)], "every_days"),
        ("maintenance", "every_days"),
    ],
)
def test_a_wrong_choice_is_an_input_error_naming_its_field(every_days: Any, field: str) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        choose_intervals(ESK, every_days)

    assert caught.value.field == field


# --- the schedule and a moved session use the same choice -----------------------------------


@pytest.mark.parametrize("days", [EVERY_TWO_WEEKS, WEEKLY])
def test_the_schedule_plans_maintenance_at_the_chosen_interval(days: int) -> None:
    sessions = generate_schedule(
        ESK, start=MONDAY, clinic_days=WEEKDAYS, every_days={"maintenance": days}
    ).sessions
    maintenance = [s.date for s in sessions if s.phase == "maintenance"]

    assert {(b - a).days for a, b in itertools.pairwise(maintenance)} == {days}


@pytest.mark.parametrize("days", [EVERY_TWO_WEEKS, WEEKLY])
def test_the_planned_schedule_at_either_interval_is_never_warned_of(days: int) -> None:
    choice = {"maintenance": days}
    schedule = generate_schedule(ESK, start=MONDAY, clinic_days=WEEKDAYS, every_days=choice)
    sessions = [PlannedSession(s.number, s.date) for s in schedule.sessions]

    for previous, moved, following in zip(sessions, sessions[1:], sessions[2:], strict=False):
        check = check_session_move(
            ESK, moved=moved, previous=previous, following=following, every_days=choice
        )
        assert (check.refusals, check.warnings) == ((), ())


def _maintenance_gap(gap: int, every_days: dict[str, int] | None) -> Any:
    previous = PlannedSession(FIRST_MAINTENANCE, MONDAY)
    moved = PlannedSession(FIRST_MAINTENANCE + 1, MONDAY + dt.timedelta(days=gap))
    return check_session_move(ESK, moved=moved, previous=previous, every_days=every_days)


@pytest.mark.parametrize(
    ("every_days", "longest"),
    [
        (None, EVERY_TWO_WEEKS),
        ({"maintenance": EVERY_TWO_WEEKS}, EVERY_TWO_WEEKS),
        ({"maintenance": WEEKLY}, WEEKLY),
    ],
)
def test_a_maintenance_gap_is_warned_of_one_day_past_the_chosen_interval(
    every_days: dict[str, int] | None, longest: int
) -> None:
    on_time = _maintenance_gap(longest, every_days)
    late = _maintenance_gap(longest + 1, every_days)

    assert (on_time.refusals, on_time.warnings) == ((), ())
    assert late.allowed
    (warning,) = late.warnings
    assert warning.rule == ESK
    frequency = "weekly" if longest == WEEKLY else "every 2 weeks"
    assert f"({frequency}, at most {longest} days apart)" in warning.message


def test_weekly_maintenance_warns_of_a_gap_the_default_allows() -> None:
    gap = WEEKLY + 3

    assert not _maintenance_gap(gap, None).warnings
    assert [w.rule for w in _maintenance_gap(gap, {"maintenance": WEEKLY}).warnings] == [ESK]


def test_the_following_gap_is_judged_by_the_chosen_interval_too() -> None:
    moved = PlannedSession(FIRST_MAINTENANCE, MONDAY)
    following = PlannedSession(FIRST_MAINTENANCE + 1, MONDAY + dt.timedelta(days=WEEKLY + 1))

    default = check_session_move(ESK, moved=moved, following=following)
    weekly = check_session_move(
        ESK, moved=moved, following=following, every_days={"maintenance": WEEKLY}
    )

    assert not default.warnings
    assert [w.rule for w in weekly.warnings] == [ESK]


@pytest.mark.parametrize(
    ("every_days", "field"),
    [
        ({"maintenance": WEEKLY + 1}, "every_days.maintenance"),
        ({"maintenance": EVERY_TWO_WEEKS + 1}, "every_days.maintenance"),
        ({"induction": WEEKLY}, "every_days.induction"),
        ([("maintenance", WEEKLY)], "every_days"),
    ],
)
def test_a_move_checked_with_an_interval_the_protocol_does_not_offer_is_an_input_error(
    every_days: Any, field: str
) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        _maintenance_gap(WEEKLY, every_days)

    assert caught.value.field == field
