"""`next_reading_due`: the reading schedule of reference 3.5 per route (MON-SCHEDULE-*).

Intervals are read from the registry; each phase boundary (end of infusion, end of the first
oral hour, the esketamine 40-minute window) is tested at the value and +-1 minute.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    Reading,
    SessionState,
    evaluate,
    next_reading_due,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from tests.clinical.monitoring_helpers import T0, at

S = DEFAULT_SETTINGS

ESK_FIRST = S.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
ESK_EVERY = S.value("MON-SCHEDULE-ESK", "interval_min")
IV_DURING = S.value("MON-SCHEDULE-IV", "during_infusion_interval_min")
IV_AFTER = S.value("MON-SCHEDULE-IV", "after_infusion_interval_min")
INFUSION = S.value("DOSE-IV-DURATION", "default_min")
ORAL_EARLY = S.value("MON-SCHEDULE-ORAL", "early_interval_min")
ORAL_PERIOD = S.value("MON-SCHEDULE-ORAL", "early_period_min")
ORAL_LATE = S.value("MON-SCHEDULE-ORAL", "late_interval_min")
RECHECK = S.value("MON-BP-ELEVATED", "recheck_interval_min")
ELEVATED_SBP = int(S.value("MON-BP-ELEVATED", "systolic_above_mmhg")) + 1
WINDOW_OPENS = S.value("MON-BP-40MIN", "window_opens_after_dose_min")
BP_WITHIN = S.value("DISCH-BP", "reading_within_min")
ESK_EARLIEST = S.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min")
ORAL_EARLIEST = S.value("DISCH-ORAL-MIN-TIME", "minimum_after_dose_min")


def normal(minute: float) -> Reading:
    return Reading(at=at(minute), systolic=120, diastolic=80)


def elevated(minute: float) -> Reading:
    return Reading(at=at(minute), systolic=ELEVATED_SBP, diastolic=80)


def due(route: str, *readings: Reading, settings: ClinicalSettings = S, **extra: int):
    state = SessionState(route=route, dose_at=T0, readings=readings, **extra)
    return next_reading_due(state, settings)


def test_nothing_is_due_before_dosing():
    state = SessionState(route=ESKETAMINE, dose_at=None)

    assert next_reading_due(state, S) is None
    assert evaluate(state, now=T0).next_reading_due is None


@pytest.mark.parametrize(
    ("route", "first"),
    [(ESKETAMINE, ESK_FIRST), (IV_KETAMINE, IV_DURING), (ORAL_KETAMINE, ORAL_EARLY)],
)
def test_without_a_post_dose_reading_the_first_scheduled_time_is_due(route, first):
    assert due(route) == at(first)


def test_esketamine_readings_follow_every_thirty_minutes_after_the_forty_minute_one():
    assert due(ESKETAMINE, normal(ESK_FIRST)) == at(ESK_FIRST + ESK_EVERY)


def test_esketamine_elevated_reading_is_rechecked_sooner():
    assert due(ESKETAMINE, elevated(ESK_FIRST)) == at(ESK_FIRST + RECHECK)


def test_contract_example_reading_at_0940_elevated_is_due_again_at_0955():
    reading = Reading(at=at(40), systolic=165, diastolic=100, heart_rate=88, spo2=97, moaas=5)

    assert due(ESKETAMINE, reading) == dt.datetime(2026, 12, 1, 9, 55, tzinfo=dt.UTC)


def test_elevated_status_comes_from_the_latest_blood_pressure_not_a_later_spo2_only_reading():
    spo2_only = Reading(at=at(ESK_FIRST + 5), spo2=97)

    assert due(ESKETAMINE, elevated(ESK_FIRST), spo2_only) == at(ESK_FIRST + RECHECK)


def test_readings_without_blood_pressure_do_not_move_the_schedule():
    assert due(ESKETAMINE, Reading(at=at(10), spo2=98, moaas=5)) == at(ESK_FIRST)


@pytest.mark.parametrize(
    ("minute", "expected"),
    [
        (WINDOW_OPENS - 1, ESK_FIRST),
        (WINDOW_OPENS, WINDOW_OPENS + ESK_EVERY),
        (WINDOW_OPENS + 1, WINDOW_OPENS + 1 + ESK_EVERY),
    ],
)
def test_esketamine_forty_minute_reading_stays_due_until_one_falls_in_its_window(minute, expected):
    assert due(ESKETAMINE, normal(minute)) == at(expected)


def test_esketamine_reading_before_discharge_is_moved_into_the_last_fifteen_minutes():
    # +100 would be followed by +130, after the earliest discharge at +120: due at +105.
    last_regular = ESK_FIRST + 2 * ESK_EVERY

    assert due(ESKETAMINE, normal(last_regular)) == at(ESK_EARLIEST - BP_WITHIN)


def test_reading_already_inside_the_window_before_discharge_is_not_moved():
    minute = ESK_EARLIEST - BP_WITHIN

    assert due(ESKETAMINE, normal(minute)) == at(minute + ESK_EVERY)


def test_reading_that_lands_exactly_on_the_earliest_discharge_is_not_moved():
    minute = ESK_EARLIEST - ESK_EVERY

    assert due(ESKETAMINE, normal(minute)) == at(ESK_EARLIEST)


@pytest.mark.parametrize(
    ("minute", "interval"),
    [(INFUSION - 1, IV_DURING), (INFUSION, IV_AFTER), (INFUSION + 1, IV_AFTER)],
)
def test_iv_readings_come_every_ten_minutes_during_the_infusion_then_every_fifteen(
    minute, interval
):
    assert due(IV_KETAMINE, normal(minute)) == at(minute + interval)


@pytest.mark.parametrize(("minute", "interval"), [(59, IV_DURING), (60, IV_AFTER), (61, IV_AFTER)])
def test_iv_schedule_follows_a_recorded_infusion_duration(minute, interval):
    assert due(IV_KETAMINE, normal(minute), infusion_duration_min=60) == at(minute + interval)


def test_iv_elevated_reading_during_the_infusion_keeps_the_shorter_interval():
    assert due(IV_KETAMINE, elevated(20)) == at(20 + min(IV_DURING, RECHECK))


def test_iv_elevated_reading_after_the_infusion_is_rechecked_every_fifteen_minutes():
    minute = INFUSION + 5

    assert due(IV_KETAMINE, elevated(minute)) == at(minute + min(IV_AFTER, RECHECK))


@pytest.mark.parametrize(
    ("minute", "interval"),
    [(ORAL_PERIOD - 1, ORAL_EARLY), (ORAL_PERIOD, ORAL_LATE), (ORAL_PERIOD + 1, ORAL_LATE)],
)
def test_oral_readings_come_every_fifteen_minutes_for_an_hour_then_every_thirty(minute, interval):
    assert due(ORAL_KETAMINE, normal(minute)) == at(minute + interval)


def test_oral_elevated_reading_is_rechecked_sooner():
    minute = ORAL_PERIOD + 10

    assert due(ORAL_KETAMINE, elevated(minute)) == at(minute + RECHECK)


def test_late_oral_reading_is_pulled_forward_so_a_reading_precedes_the_earliest_discharge():
    minute = ORAL_EARLIEST - BP_WITHIN - 10

    assert due(ORAL_KETAMINE, normal(minute)) == at(ORAL_EARLIEST - BP_WITHIN)


def test_unsorted_readings_are_scheduled_from_the_latest():
    assert due(ESKETAMINE, normal(ESK_FIRST + ESK_EVERY), elevated(ESK_FIRST)) == at(
        ESK_FIRST + 2 * ESK_EVERY
    )


def test_configured_intervals_are_honoured():
    settings = ClinicalSettings.with_overrides(
        {
            "MON-SCHEDULE-ESK": {"first_reading_after_dose_min": 35, "interval_min": 20},
            "MON-BP-ELEVATED": {"recheck_interval_min": 10},
            "MON-SCHEDULE-IV": {"during_infusion_interval_min": 5},
            "MON-SCHEDULE-ORAL": {"early_interval_min": 10, "late_interval_min": 20},
        }
    )

    assert due(ESKETAMINE, settings=settings) == at(35)
    assert due(ESKETAMINE, normal(40), settings=settings) == at(60)
    assert due(ESKETAMINE, elevated(40), settings=settings) == at(50)
    assert due(IV_KETAMINE, normal(20), settings=settings) == at(25)
    assert due(ORAL_KETAMINE, normal(20), settings=settings) == at(30)
    assert due(ORAL_KETAMINE, normal(70), settings=settings) == at(90)


def test_a_blood_pressure_with_one_value_only_is_completed_at_once():
    # The latest reading (even a single value) sets the schedule, and DISCH-BP and MON-BP-40MIN
    # need both values, so the missing one is due at that reading's time.
    systolic_only = Reading(at=at(ESK_FIRST + 20), systolic=150)

    assert due(ESKETAMINE, normal(ESK_FIRST), systolic_only) == at(ESK_FIRST + 20)


def test_a_single_elevated_value_after_a_normal_pair_is_not_ignored():
    later = Reading(at=at(100), systolic=ELEVATED_SBP)
    completed = Reading(at=at(100), diastolic=80)

    assert due(ORAL_KETAMINE, normal(90), later) == at(100)
    # Completed at the same minute, the pair is elevated: re-checked sooner than ORAL_LATE.
    assert RECHECK < ORAL_LATE
    assert due(ORAL_KETAMINE, normal(90), later, completed) == at(100 + RECHECK)


def test_an_incomplete_reading_in_the_forty_minute_window_keeps_the_check_due():
    window_closes = S.value("MON-BP-40MIN", "window_closes_after_dose_min")
    systolic_only = Reading(at=at(ESK_FIRST), systolic=130)
    diastolic_later = Reading(at=at(ESK_FIRST + 2), diastolic=80)

    assert due(ESKETAMINE, systolic_only) == at(ESK_FIRST)
    # A complete pair later in the window ends the 40-minute check; one after it does not.
    assert due(ESKETAMINE, systolic_only, normal(ESK_FIRST + 5)) == at(ESK_FIRST + 5 + ESK_EVERY)
    assert due(ESKETAMINE, systolic_only, diastolic_later) == at(ESK_FIRST + 2)
    late = normal(window_closes + 1)
    assert due(ESKETAMINE, systolic_only, late) == at(window_closes + 1 + ESK_EVERY)


@pytest.mark.parametrize("rule", ["DISCH-SEDATION", "DISCH-RESP"])
def test_a_narrower_sedation_or_oxygen_window_moves_the_reading_before_discharge_earlier(rule):
    # The reading before discharge must count for every vital-sign criterion (DISCH-BP,
    # DISCH-SEDATION, DISCH-RESP), so it is booked in the narrowest of their windows.
    narrower = BP_WITHIN - 5
    settings = ClinicalSettings.with_overrides({rule: {"reading_within_min": narrower}})
    last_regular = ESK_FIRST + 2 * ESK_EVERY

    assert due(ESKETAMINE, normal(last_regular), settings=settings) == at(ESK_EARLIEST - narrower)


# MON-BP-ELEVATED tells the nurse the re-check interval the schedule actually applies: the
# shorter of the route's interval at that reading and the rule's recheck interval.
@pytest.mark.parametrize(
    ("route", "minute", "settings"),
    [
        (IV_KETAMINE, 20, S),
        (IV_KETAMINE, INFUSION + 5, S),
        (ESKETAMINE, ESK_FIRST, S),
        (ORAL_KETAMINE, 20, S),
        (ORAL_KETAMINE, ORAL_PERIOD + 10, S),
        (IV_KETAMINE, 20, ClinicalSettings.with_overrides(
            {"MON-SCHEDULE-IV": {"during_infusion_interval_min": 5}})),
        (ESKETAMINE, ESK_FIRST, ClinicalSettings.with_overrides(
            {"MON-BP-ELEVATED": {"recheck_interval_min": 10}})),
    ],
    ids=["iv-infusion", "iv-after", "esketamine", "oral-early", "oral-late", "iv-configured",
         "esketamine-configured"],
)  # fmt: skip
def test_elevated_blood_pressure_message_names_the_interval_the_schedule_applies(
    route, minute, settings
):
    state = SessionState(route=route, dose_at=T0, readings=(elevated(minute),))

    result = evaluate(state, now=at(minute), settings=settings)

    (alert,) = [a for a in result.alerts if a.rule == "MON-BP-ELEVATED"]
    assert result.next_reading_due is not None
    interval = (result.next_reading_due - at(minute)).total_seconds() / 60
    assert f"re-check every {interval:g} min" in alert.message


def test_elevated_blood_pressure_during_an_iv_infusion_is_rechecked_every_ten_minutes():
    state = SessionState(route=IV_KETAMINE, dose_at=T0, readings=(elevated(20),))

    (alert,) = [a for a in evaluate(state, now=at(20)).alerts if a.rule == "MON-BP-ELEVATED"]

    assert f"re-check every {IV_DURING:g} min" in alert.message
    assert f"every {RECHECK:g} min" not in alert.message
