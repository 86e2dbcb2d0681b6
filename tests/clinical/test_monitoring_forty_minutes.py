"""MON-BP-40MIN, the esketamine 40-minute blood pressure check (reference 3.1, 3.5; SAFE-40MIN-BP).

The check is due at dose_at + MON-SCHEDULE-ESK's first reading minute; the warning fires once
`now` is past that time with no complete blood pressure in [window open, now], and stops as soon
as one falls in the window. After the window closed it says the check was missed: "measure now"
while no complete blood pressure followed, else (a late reading, say at +55) it only records the
missed check, dated when the window closed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.monitoring import ESKETAMINE, Alert, Level, Reading, SessionState, evaluate
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from tests.clinical.monitoring_helpers import T0, at

S = DEFAULT_SETTINGS
DUE = int(S.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min"))
OPENS = int(S.value("MON-BP-40MIN", "window_opens_after_dose_min"))
CLOSES = int(S.value("MON-BP-40MIN", "window_closes_after_dose_min"))


def check_alerts(
    *readings: Reading, now: dt.datetime, settings: ClinicalSettings = S
) -> list[Alert]:
    state = SessionState(route=ESKETAMINE, dose_at=T0, readings=readings)
    result = evaluate(state, now=now, settings=settings)
    return [alert for alert in result.alerts if alert.rule == "MON-BP-40MIN"]


def complete(minute: float) -> Reading:
    return Reading(at=at(minute), systolic=130, diastolic=82)


@pytest.mark.parametrize(
    ("minute", "fires"),
    [(DUE - 1, False), (DUE, False), (DUE + 1, True), (CLOSES, True), (CLOSES + 1, True)],
    ids=["+39", "+40", "+41", "+50", "+51"],
)
def test_the_check_warns_once_its_due_time_has_passed_without_a_reading(minute, fires):
    alerts = check_alerts(now=at(minute))

    assert bool(alerts) is fires
    if fires:
        (alert,) = alerts
        assert alert.level is Level.WARNING
        assert alert.at == at(minute)
        assert "measure blood pressure now" in alert.message


def test_before_the_window_closes_the_warning_says_overdue_with_the_due_time():
    (alert,) = check_alerts(now=at(DUE + 1))

    assert "overdue" in alert.message
    assert at(DUE).isoformat() in alert.message
    assert "missed" not in alert.message


def test_after_the_window_closes_without_a_reading_the_check_was_missed_and_is_needed_now():
    (alert,) = check_alerts(now=at(CLOSES + 1))

    assert f"the {DUE}-minute check was missed" in alert.message
    assert alert.message.endswith("measure blood pressure now.")
    assert alert.at == at(CLOSES + 1)


@pytest.mark.parametrize("minute", [OPENS, DUE - 2, DUE, DUE + 1])
def test_a_complete_reading_in_the_window_stops_the_warning(minute):
    assert check_alerts(complete(minute), now=at(DUE + 2)) == []
    assert check_alerts(complete(minute), now=at(CLOSES + 10)) == []


def test_a_reading_before_the_window_opens_does_not_count():
    (alert,) = check_alerts(complete(OPENS - 1), now=at(DUE + 1))

    assert "overdue" in alert.message


def test_an_incomplete_reading_in_the_window_does_not_count():
    systolic_only = Reading(at=at(DUE), systolic=130)

    (alert,) = check_alerts(systolic_only, now=at(DUE + 5))

    assert "measure blood pressure now" in alert.message


def test_a_late_reading_after_the_window_records_a_missed_check_without_asking_to_measure_now():
    late = CLOSES + 5

    (alert,) = check_alerts(complete(late), now=at(late + 5))

    assert alert.level is Level.WARNING
    assert alert.at == at(CLOSES)
    assert f"the {DUE}-minute check was missed" in alert.message
    assert at(late).isoformat() in alert.message
    assert "now" not in alert.message


def test_a_late_incomplete_reading_still_asks_for_a_blood_pressure_now():
    late = Reading(at=at(CLOSES + 5), diastolic=80)

    (alert,) = check_alerts(late, now=at(CLOSES + 10))

    assert alert.at == at(CLOSES + 10)
    assert alert.message.endswith("measure blood pressure now.")


def test_the_due_time_follows_the_clinic_schedule():
    settings = ClinicalSettings.with_overrides(
        {"MON-SCHEDULE-ESK": {"first_reading_after_dose_min": DUE + 3}}
    )

    assert check_alerts(now=at(DUE + 3), settings=settings) == []
    (alert,) = check_alerts(now=at(DUE + 4), settings=settings)
    assert f"the {DUE + 3}-minute blood pressure check" in alert.message.lower()
