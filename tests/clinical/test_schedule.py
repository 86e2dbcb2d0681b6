"""Schedules of the protocols of clinical-reference.md 1.6: worked cases and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import (
    WEEKS_MAXIMUM,
    WEEKS_MINIMUM,
    ScheduleRequest,
    generate_schedule,
    parse_schedule_request,
    schedule_for,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

MONDAY = dt.date(2026, 11, 30)
WEEKDAYS = (0, 1, 2, 3, 4)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def offsets(protocol: str, **kwargs: Any) -> list[int]:
    kwargs.setdefault("start", MONDAY)
    kwargs.setdefault("clinic_days", WEEKDAYS)
    schedule = generate_schedule(protocol, **kwargs)
    return [(s.date - MONDAY).days for s in schedule.sessions]


def test_iv_three_times_weekly_from_a_monday_is_monday_wednesday_friday() -> None:
    assert offsets("iv_induction_3x_weekly") == [0, 2, 4, 7, 9, 11]


def test_iv_twice_weekly_from_a_monday_is_monday_thursday_for_three_weeks() -> None:
    assert offsets("iv_induction_2x_weekly") == [0, 3, 7, 10, 14, 17]


def test_iv_taper_is_4_weekly_then_4_every_2_weeks_then_3_every_4_weeks() -> None:
    assert offsets("iv_maintenance_taper") == [0, 7, 14, 21, 35, 49, 63, 77, 105, 133, 161]


def test_esketamine_trd_follows_the_label_weeks() -> None:
    schedule = generate_schedule("esketamine_trd_label", start=MONDAY, clinic_days=WEEKDAYS)
    sessions = schedule.sessions

    assert [(s.date - MONDAY).days for s in sessions[:12]] == [
        0,
        3,
        7,
        10,
        14,
        17,
        21,
        24,  # induction, weeks 1-4, twice weekly
        28,
        35,
        42,
        49,  # optimization, weeks 5-8, weekly
    ]
    maintenance = [(s.date - MONDAY).days for s in sessions if s.phase == "maintenance"]
    assert maintenance == [56, 70, 84, 98, 112, 126, 140, 154]  # from week 9, every 2 weeks
    assert [s.phase for s in sessions[:13]] == ["induction"] * 8 + ["optimization"] * 4 + [
        "maintenance"
    ]


def test_esketamine_trd_dose_text_is_56_mg_first_then_56_or_84() -> None:
    sessions = generate_schedule(
        "esketamine_trd_label", start=MONDAY, clinic_days=WEEKDAYS
    ).sessions

    assert sessions[0].dose == "56 mg"
    assert {s.dose for s in sessions[1:]} == {"56 or 84 mg"}


def test_esketamine_weekly_maintenance_can_be_chosen() -> None:
    maintenance = generate_schedule(
        "esketamine_trd_label", start=MONDAY, clinic_days=WEEKDAYS, every_days={"maintenance": 7}
    ).sessions[12:]

    assert [(s.date - MONDAY).days for s in maintenance] == list(range(56, 168, 7))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"maintenance": 10}, "every_days.maintenance"),
        ({"induction": 7}, "every_days.induction"),
        ({"maintenance": "7"}, "every_days.maintenance"),
    ],
)
def test_only_an_interval_the_label_allows_can_be_chosen(changes: Any, field: str) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule(
            "esketamine_trd_label", start=MONDAY, clinic_days=WEEKDAYS, every_days=changes
        )
    assert caught.value.field == field


def test_esketamine_mdsi_is_eight_sessions_of_84_mg() -> None:
    sessions = generate_schedule(
        "esketamine_mdsi_label", start=MONDAY, clinic_days=WEEKDAYS
    ).sessions

    assert [(s.date - MONDAY).days for s in sessions] == [0, 3, 7, 10, 14, 17, 21, 24]
    assert {s.dose for s in sessions} == {"84 mg (56 mg allowed for tolerability)"}


def test_weeks_only_shortens_the_open_ended_phase() -> None:
    assert len(offsets("esketamine_trd_label", weeks=WEEKS_MINIMUM)) == 12
    assert offsets("esketamine_trd_label", weeks=9) == offsets("esketamine_trd_label")[:13]
    longest = offsets("esketamine_trd_label", weeks=WEEKS_MAXIMUM)
    assert max(longest) < WEEKS_MAXIMUM * 7
    assert offsets("iv_induction_3x_weekly", weeks=WEEKS_MINIMUM) == [0, 2, 4, 7, 9, 11]


@pytest.mark.parametrize("weeks", [WEEKS_MINIMUM - 1, WEEKS_MAXIMUM + 1, 2.5, True, "24"])
def test_weeks_outside_1_to_104_is_refused(weeks: Any) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule("esketamine_trd_label", start=MONDAY, clinic_days=WEEKDAYS, weeks=weeks)
    assert caught.value.field == "weeks"


def test_oral_titration_lists_the_default_count_with_rising_dose_text() -> None:
    sessions = generate_schedule(
        "oral_titration_example", start=MONDAY, clinic_days=range(7)
    ).sessions

    assert len(sessions) == DEFAULT_SETTINGS.value(
        "PROT-ORAL-TITRATION-EXAMPLE-SESSIONS", "default_sessions"
    )
    assert [(s.date - MONDAY).days for s in sessions] == [0, 3, 6, 9, 12, 15]
    assert [s.dose for s in sessions] == [
        "50 mg",
        "75 mg as tolerated",
        "100 mg as tolerated",
        "125 mg as tolerated",
        "150 mg as tolerated",
        "175 mg as tolerated",
    ]


def test_oral_titration_dose_stops_at_the_oral_maximum() -> None:
    sessions = generate_schedule(
        "oral_titration_example", start=MONDAY, clinic_days=range(7), sessions=13
    ).sessions
    maximum = int(DEFAULT_SETTINGS.value("DOSE-ORAL-RANGE", "maximum_mg"))

    assert len(sessions) == 13
    assert sessions[9].dose == "275 mg as tolerated"
    assert {s.dose for s in sessions[10:]} == {
        f"{maximum} mg as tolerated (DOSE-ORAL-RANGE maximum)"
    }


@pytest.mark.parametrize("maximum", [299.5, 99.5])
def test_oral_titration_stops_at_the_whole_mg_below_a_fractional_maximum(maximum: float) -> None:
    clinic = ClinicalSettings.with_overrides({"DOSE-ORAL-RANGE": {"maximum_mg": maximum}})
    sessions = generate_schedule(
        "oral_titration_example",
        start=MONDAY,
        clinic_days=range(7),
        sessions=13,
        settings=clinic,
    ).sessions

    # Never above the clinic's maximum, which the text gives as set (99.5, not 99).
    assert sessions[-1].dose == (
        f"{int(maximum)} mg as tolerated (within the DOSE-ORAL-RANGE maximum of {maximum} mg)"
    )


@pytest.mark.parametrize("count", [0, 25, -1, 2.5])
def test_oral_titration_count_outside_its_range_is_refused(count: Any) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule(
            "oral_titration_example", start=MONDAY, clinic_days=WEEKDAYS, sessions=count
        )
    assert caught.value.field == "sessions"


def test_a_session_count_for_a_fixed_protocol_is_refused() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule("iv_induction_3x_weekly", start=MONDAY, clinic_days=WEEKDAYS, sessions=4)
    assert caught.value.field == "sessions"


def test_sparse_clinic_days_spread_a_protocol_out_but_keep_it_valid() -> None:
    assert offsets("iv_induction_3x_weekly", clinic_days=[0]) == [0, 7, 14, 21, 28, 35]
    # Monday/Tuesday only: Tuesday after Monday would be consecutive days.
    assert offsets("iv_induction_3x_weekly", clinic_days=[0, 1]) == [0, 7, 14, 21, 28, 35]


def test_a_start_that_is_not_a_clinic_day_moves_to_the_next_one() -> None:
    assert offsets("iv_induction_2x_weekly", start=day(5), clinic_days=[1, 4])[:3] == [8, 11, 15]


def test_a_clinic_spacing_override_is_honoured() -> None:
    # Monday/Wednesday clinic: 3 days apart (the default) leaves Mondays only; 2 days apart lets
    # the twice-weekly induction use both days.
    rule = "PROT-IV-INDUCTION-2X-WEEKLY-SPACING"
    clinic = ClinicalSettings.with_overrides({rule: {"minimum_days_apart": 2}})

    assert DEFAULT_SETTINGS.value(rule, "minimum_days_apart") == 3
    assert offsets("iv_induction_2x_weekly", clinic_days=[0, 2]) == [0, 7, 14, 21, 28, 35]
    assert offsets("iv_induction_2x_weekly", clinic_days=[0, 2], settings=clinic) == [
        0,
        2,
        7,
        9,
        14,
        16,
    ]


def test_a_taper_without_tolerance_keeps_its_exact_intervals() -> None:
    clinic = ClinicalSettings.with_overrides(
        {"PROT-IV-MAINTENANCE-TAPER-SPACING": {"tolerance_days": 0}}
    )

    assert offsets("iv_maintenance_taper", start=day(2), clinic_days=[0], settings=clinic) == [
        7,
        14,
        21,
        28,
        42,
        56,
        70,
        84,
        112,
        140,
        168,
    ]


def test_a_spacing_override_allowing_consecutive_days_is_refused() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides(
            {"PROT-IV-INDUCTION-3X-WEEKLY-SPACING": {"minimum_days_apart": 1}}
        )
    assert "PROT-IV-INDUCTION-3X-WEEKLY-SPACING" in caught.value.field


def test_parse_reads_the_contract_example() -> None:
    request = parse_schedule_request(
        {"protocol": "iv_induction_3x_weekly", "start": "2026-12-01", "clinic_days": [4, 0, 2]}
    )

    assert request == ScheduleRequest("iv_induction_3x_weekly", dt.date(2026, 12, 1), (0, 2, 4), 24)
    assert schedule_for(request).as_document()["sessions"][0] == {  # type: ignore[index]
        "number": 1,
        "date": "2026-12-02",
        "phase": "induction",
        "dose": "0.5 mg/kg over 40 min",
    }


GOOD = {"protocol": "esketamine_trd_label", "start": "2026-12-01", "clinic_days": [0, 1, 2, 3, 4]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"clinic_days": []}, "clinic_days"),
        ({"clinic_days": "0,1"}, "clinic_days"),
        ({"clinic_days": None}, "clinic_days"),
        ({"clinic_days": [1, 1]}, "clinic_days.1"),
        ({"clinic_days": [0, 7]}, "clinic_days.1"),
        ({"clinic_days": [-1]}, "clinic_days.0"),
        ({"clinic_days": ["1"]}, "clinic_days.0"),
        ({"clinic_days": [True]}, "clinic_days.0"),
        ({"clinic_days": [0, 1.5]}, "clinic_days.1"),
        ({"protocol": "iv_forever"}, "protocol"),
        ({"protocol": 3}, "protocol"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": "2026/12/01"}, "start"),
        ({"start": "2026-12-01T09:00:00+00:00"}, "start"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 105}, "weeks"),
        ({"sessions": 6}, "sessions"),
    ],
)
def test_parse_names_the_bad_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        parse_schedule_request({**GOOD, **changes})
    assert caught.value.field == field
    assert field.split(".")[0] in caught.value.message


def test_missing_start_is_refused() -> None:
    with pytest.raises(ClinicalInputError) as caught:
        parse_schedule_request({"protocol": "iv_induction_3x_weekly", "clinic_days": [0]})
    assert caught.value.field == "start"


@pytest.mark.parametrize("start", ["2026-12-01", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)])
def test_python_callers_must_pass_a_date(start: Any) -> None:
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule("iv_induction_3x_weekly", start=start, clinic_days=WEEKDAYS)
    assert caught.value.field == "start"


def test_a_tuesday_thursday_clinic_gives_esketamine_induction_twice_every_week() -> None:
    tuesday, thursday = 1, 3
    induction = offsets("esketamine_trd_label", start=day(1), clinic_days=(tuesday, thursday))[:8]
    # Tue/Thu of weeks 1-4, not Tuesdays only (the planned Friday's next clinic day).
    assert induction == [1, 3, 8, 10, 15, 17, 22, 24]


def test_a_session_moves_back_only_as_far_as_the_spacing_allows() -> None:
    # IV 3/week on Tue/Thu: the planned Saturday cannot move back to Thursday (already used),
    # so the third session is the next Tuesday.
    assert offsets("iv_induction_3x_weekly", start=day(1), clinic_days=(1, 3))[:3] == [1, 3, 8]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": dt.date(9999, 12, 1)}, "start"),
        ({"start": dt.date(1, 1, 1)}, "start"),
        ({"start": "2026-11-30"}, "start"),
        ({"start": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)}, "start"),
        ({"clinic_days": [0.0, 2, 4]}, "clinic_days.0"),
        ({"clinic_days": [True, 2, 4]}, "clinic_days.0"),
        ({"weeks": 24.0}, "weeks"),
        ({"every_days": [("maintenance", 7)]}, "every_days"),
        ({"every_days": {"maintenance": 7.0}}, "every_days.maintenance"),
    ],
)
def test_a_schedule_asked_for_in_python_with_a_wrong_value_is_refused(kwargs, field):
    arguments: dict[str, Any] = {"start": MONDAY, "clinic_days": WEEKDAYS, **kwargs}
    with pytest.raises(ClinicalInputError) as caught:
        generate_schedule("esketamine_trd_label", **arguments)
    assert caught.value.field == field


def test_a_schedule_starting_in_the_last_plausible_year_runs_past_it_without_overflow():
    schedule = generate_schedule(
        "esketamine_trd_label", start=dt.date(2200, 12, 31), clinic_days=WEEKDAYS, weeks=104
    )
    assert schedule.sessions[-1].date.year == 2202
