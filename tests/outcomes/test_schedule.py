"""The measurement schedule as calendar arithmetic (no database): every kind of timepoint, the
edges of each setting, the answer windows, and the checks of a clinic admin's settings."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.outcomes.schedule import (
    DEFAULT_MONTHLY_UNTIL_MONTHS,
    DEFAULT_WEEKLY_FOR_WEEKS,
    MAX_MONTHLY_UNTIL_MONTHS,
    MAX_WEEKLY_FOR_WEEKS,
    OPEN_END_DAYS,
    ScheduleError,
    ScheduleSettings,
    SessionDate,
    Slot,
    add_months,
    check_settings,
    choose_timepoint,
    timepoints,
)

DAY = dt.timedelta(days=1)
START = dt.date(2026, 1, 5)
# Six induction sessions over two weeks (Monday, Wednesday, Friday), then maintenance.
INDUCTION = [
    SessionDate(n, "induction", START + dt.timedelta(days=d))
    for n, d in zip(range(1, 7), (0, 2, 4, 7, 9, 11), strict=True)
]
LAST = INDUCTION[-1].date
ONE = ScheduleSettings(patient_instruments=("phq9",), clinician_instruments=())


def _of(points, kind):
    return [(p.sequence, p.due_on) for p in points if p.kind == kind]


def test_defaults_are_the_documented_clinic_policy():
    settings = ScheduleSettings()
    assert settings.patient_instruments == ("phq9", "gad7", "qids_sr16", "cssrs_screener")
    assert settings.clinician_instruments == ("madrs",)
    assert (DEFAULT_WEEKLY_FOR_WEEKS, DEFAULT_MONTHLY_UNTIL_MONTHS) == (8, 24)
    audiences = dict(settings.audiences())
    assert audiences["phq9"] == "patient" and audiences["madrs"] == "clinician"


def test_every_kind_of_timepoint_of_an_induction_course():
    points = timepoints(ONE, INDUCTION)
    assert _of(points, "baseline") == [(0, START)]
    # The baseline covers session 1; sessions 2-6 each have their own.
    assert _of(points, "before_session") == [(s.number, s.date) for s in INDUCTION[1:]]
    assert _of(points, "end_of_induction") == [(0, LAST + DAY)]
    assert _of(points, "weekly") == [(w, LAST + 7 * w * DAY) for w in range(1, 9)]
    monthly = _of(points, "monthly")
    # Week 8 is day 56; month 1 (day 31) falls inside the weekly period, month 2 after it.
    assert monthly[0] == (2, add_months(LAST, 2))
    assert monthly[-1] == (24, add_months(LAST, 24))
    assert len(monthly) == 23
    assert points == sorted(points)


def test_each_instrument_gets_each_timepoint():
    points = timepoints(ScheduleSettings(), INDUCTION)
    per_instrument = {
        i: sum(1 for p in points if p.instrument == i)
        for i in ("phq9", "gad7", "qids_sr16", "cssrs_screener", "madrs")
    }
    assert len(set(per_instrument.values())) == 1
    assert {p.audience for p in points if p.instrument == "madrs"} == {"clinician"}
    assert len({p.key for p in points}) == len(points)


def test_no_sessions_no_timepoints():
    assert timepoints(ONE, []) == []


def test_before_each_session_can_be_switched_off():
    settings = ScheduleSettings(("phq9",), (), before_each_induction_session=False)
    assert _of(timepoints(settings, INDUCTION), "before_session") == []


def test_a_single_induction_session_has_its_baseline_and_no_before_session():
    points = timepoints(ONE, INDUCTION[:1])
    assert _of(points, "before_session") == []
    assert _of(points, "end_of_induction") == [(0, START + DAY)]


def test_a_plan_without_induction_counts_follow_up_from_its_first_session():
    taper = [SessionDate(1, "maintenance", START), SessionDate(2, "maintenance", START + 7 * DAY)]
    points = timepoints(ONE, taper)
    assert _of(points, "end_of_induction") == []
    assert _of(points, "before_session") == []
    assert _of(points, "weekly")[0] == (1, START + 7 * DAY)


def test_maintenance_sessions_get_no_before_session_timepoint():
    course = [*INDUCTION, SessionDate(7, "maintenance", LAST + 14 * DAY)]
    assert [n for n, _ in _of(timepoints(ONE, course), "before_session")] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("weeks", "months", "weekly", "first_month", "monthly"),
    [
        (0, 0, 0, None, 0),
        (0, 1, 0, 1, 1),
        (4, 1, 4, 1, 1),  # day 28 < day 31: month 1 comes after the 4 weeks
        (5, 1, 5, None, 0),  # day 35 > day 31: month 1 would fall inside the weeks
        (8, 2, 8, 2, 1),
        (9, 2, 9, None, 0),  # day 63 after month 2 (day 59 to 62)
    ],
)
def test_weekly_and_monthly_edges(weeks, months, weekly, first_month, monthly):
    settings = ScheduleSettings(("phq9",), (), True, weeks, months)
    points = timepoints(settings, INDUCTION)
    assert len(_of(points, "weekly")) == weekly
    months_due = _of(points, "monthly")
    assert len(months_due) == monthly
    if first_month is not None:
        assert months_due[0][0] == first_month


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), 2, dt.date(2027, 1, 15)),
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --- windows ------------------------------------------------------------------------------

D0, D1, D2 = START, START + 10 * DAY, START + 20 * DAY


def _slots(*opens: bool) -> list[Slot]:
    return [
        Slot(i + 1, due, opened)
        for i, (due, opened) in enumerate(zip((D0, D1, D2), opens, strict=True))
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D0 - OPEN_END_DAYS * DAY, 1),  # the first window opens OPEN_END_DAYS before
        (D0 - (OPEN_END_DAYS + 1) * DAY, None),
        (D0, 1),
        (D1 - DAY, 1),  # late for the first: still the first
        (D1, 2),  # the second's due day closes the first's window
        (D2 - DAY, 2),
        (D2, 3),
        (D2 + OPEN_END_DAYS * DAY, 3),  # the last window closes OPEN_END_DAYS after
        (D2 + (OPEN_END_DAYS + 1) * DAY, None),
    ],
)
def test_an_answer_goes_to_the_timepoint_whose_window_holds_its_day(day, expected):
    assert choose_timepoint(_slots(True, True, True), day) == expected


def test_an_answered_timepoint_passes_the_answer_on():
    # The first is answered: a second answer in its window goes to the coming one, early.
    assert choose_timepoint(_slots(False, True, True), D0 + DAY) == 2
    # Before the second's previous due date nothing else is open.
    assert choose_timepoint(_slots(False, True, True), D0) is None
    assert choose_timepoint(_slots(False, False, False), D1) is None
    assert choose_timepoint([], D1) is None


# --- settings a clinic admin gives --------------------------------------------------------

GOOD = {
    "patient_instruments": ["phq9", "gad7"],
    "clinician_instruments": ["madrs"],
    "before_each_induction_session": True,
    "weekly_for_weeks": 8,
    "monthly_until_months": 24,
}


def test_good_settings_are_kept_in_order():
    settings = check_settings(**GOOD)
    assert settings.patient_instruments == ("phq9", "gad7")
    assert settings.clinician_instruments == ("madrs",)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("patient_instruments", ["phq10"]),
        ("patient_instruments", ["madrs"]),  # clinician-rated: not for a link
        ("patient_instruments", ["phq9", "phq9"]),
        ("patient_instruments", "phq9"),
        ("patient_instruments", None),
        ("clinician_instruments", ["phq9"]),  # self-rated
        ("clinician_instruments", ["moaas"]),  # an observer's sedation scale
        ("before_each_induction_session", "yes"),
        ("weekly_for_weeks", -1),
        ("weekly_for_weeks", MAX_WEEKLY_FOR_WEEKS + 1),
        ("weekly_for_weeks", True),
        ("weekly_for_weeks", 2.5),
        ("monthly_until_months", MAX_MONTHLY_UNTIL_MONTHS + 1),
    ],
)
def test_bad_settings_name_their_field(field, value):
    with pytest.raises(ScheduleError) as error:
        check_settings(**{**GOOD, field: value})
    assert error.value.field == field


def test_an_instrument_cannot_go_to_both():
    with pytest.raises(ScheduleError) as error:
        check_settings(
            **{
                **GOOD,
                "patient_instruments": ["cssrs_screener"],
                "clinician_instruments": ["cssrs_screener"],
            }
        )
    assert error.value.field == "clinician_instruments"


@pytest.mark.parametrize(
    ("weeks", "months"), [(0, 0), (MAX_WEEKLY_FOR_WEEKS, MAX_MONTHLY_UNTIL_MONTHS)]
)
def test_the_limits_themselves_are_allowed(weeks, months):
    settings = check_settings(**{**GOOD, "weekly_for_weeks": weeks, "monthly_until_months": months})
    assert (settings.weekly_for_weeks, settings.monthly_until_months) == (weeks, months)
