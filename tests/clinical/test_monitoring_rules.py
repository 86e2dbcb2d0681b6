"""Every threshold of the monitoring and discharge rules at its value and +-1 (reference 3.5, 3.6).

The numbers come from the registry through `ClinicalSettings`, never retyped: each row builds a
session from one value and says how the rule compares it. Every row runs with the default
settings and with a clinic that moved the threshold by one step, so configured values are
honoured the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ketacare.clinical.catalog import monitoring as catalog
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    ROUTES,
    Checklist,
    CriterionStatus,
    MonitorResult,
    Reading,
    SessionState,
    Vitals,
    evaluate,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
AFTER = T0 + dt.timedelta(minutes=20)
PLAUSIBLE = {
    name: (
        DEFAULT_SETTINGS.value("MON-PLAUSIBILITY", f"{name}_at_least{unit}"),
        DEFAULT_SETTINGS.value("MON-PLAUSIBILITY", f"{name}_at_most{unit}"),
    )
    for name, unit in (
        ("systolic", "_mmhg"),
        ("diastolic", "_mmhg"),
        ("heart_rate", "_bpm"),
        ("spo2", "_percent"),
        ("respiratory_rate", "_per_min"),
        ("moaas", ""),
    )
}

Build = Callable[[str, int, ClinicalSettings], tuple[SessionState, dt.datetime]]
# How a row's value x compares with the threshold v when the rule fires (or the criterion holds).
COMPARE: dict[str, Callable[[int, float], bool]] = {
    "above": lambda x, v: x > v,
    "below": lambda x, v: x < v,
    "at_or_above": lambda x, v: x >= v,
    "at_or_below": lambda x, v: x <= v,
}


def mins(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


@dataclass(frozen=True)
class Row:
    rule: str
    threshold: str
    compare: str
    build: Build
    routes: tuple[str, ...] = ROUTES
    vital: str | None = None  # the plausibility range the value must stay in
    alert: str | None = None  # the rule that fires, when the threshold belongs to another rule

    def __str__(self) -> str:
        return f"{self.rule}.{self.threshold}"


def pre_dose(**vitals: int) -> Build:
    return lambda route, x, s: (SessionState(route=route, pre_dose=Vitals(**vitals)), T0)


def pre_dose_vital(name: str) -> Build:
    return lambda route, x, s: (SessionState(route=route, pre_dose=Vitals(**{name: x})), T0)


def checklist_minutes_before(name: str) -> Build:
    def build(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
        checklist = Checklist(**{name: T0 - mins(x)})
        return SessionState(route=route, checklist=checklist), T0

    return build


def reading_vital(name: str, **pre: int) -> Build:
    def build(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
        reading = Reading(at=AFTER, **{name: x})
        state = SessionState(route=route, dose_at=T0, pre_dose=Vitals(**pre), readings=(reading,))
        return state, AFTER

    return build


def rise(name: str, base: int) -> Build:
    def build(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
        reading = Reading(at=AFTER, **{name: base + x})
        state = SessionState(
            route=route, dose_at=T0, pre_dose=Vitals(**{name: base}), readings=(reading,)
        )
        return state, AFTER

    return build


def bp_reading_at_minute(
    route: str, x: int, s: ClinicalSettings
) -> tuple[SessionState, dt.datetime]:
    closes = s.value("MON-BP-40MIN", "window_closes_after_dose_min")
    reading = Reading(at=T0 + mins(x), systolic=120, diastolic=80)
    return SessionState(route=route, dose_at=T0, readings=(reading,)), T0 + mins(closes + 2)


def now_at_minute(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
    return SessionState(route=route, dose_at=T0), T0 + mins(x)


ALERT_ROWS = (
    Row("MON-BP-HOLD", "systolic_above_mmhg", "above", pre_dose_vital("systolic"),
        vital="systolic"),
    Row("MON-BP-HOLD", "diastolic_above_mmhg", "above", pre_dose_vital("diastolic"),
        vital="diastolic"),
    Row("MON-BP-PREDOSE-SEVERE", "systolic_at_or_above_mmhg", "at_or_above",
        pre_dose_vital("systolic"), vital="systolic"),
    Row("MON-BP-PREDOSE-SEVERE", "diastolic_at_or_above_mmhg", "at_or_above",
        pre_dose_vital("diastolic"), vital="diastolic"),
    Row("MON-SPO2-HOLD", "spo2_below_percent", "below", pre_dose_vital("spo2"), vital="spo2"),
    Row("MON-HR-PREDOSE", "heart_rate_above_bpm", "above", pre_dose_vital("heart_rate")),
    Row("MON-HR-PREDOSE", "heart_rate_below_bpm", "below", pre_dose_vital("heart_rate")),
    Row("MON-FASTING", "food_fast_at_least_min", "below", checklist_minutes_before("last_food_at"),
        routes=(ESKETAMINE,)),
    Row("MON-FASTING", "liquid_fast_at_least_min", "below",
        checklist_minutes_before("last_liquid_at"), routes=(ESKETAMINE,)),
    Row("MON-NASAL-MEDS", "gap_at_least_min", "below",
        checklist_minutes_before("nasal_medication_at"), routes=(ESKETAMINE,)),
    Row("MON-BP-40MIN", "window_opens_after_dose_min", "below", bp_reading_at_minute,
        routes=(ESKETAMINE,)),
    # A reading after the window closes does not count (now just after it).
    Row("MON-BP-40MIN", "window_closes_after_dose_min", "above", bp_reading_at_minute,
        routes=(ESKETAMINE,)),
    # Without a reading the check warns once `now` is past its due time (S9 of the review).
    Row("MON-SCHEDULE-ESK", "first_reading_after_dose_min", "above", now_at_minute,
        routes=(ESKETAMINE,), alert="MON-BP-40MIN"),
    Row("MON-BP-ELEVATED", "systolic_above_mmhg", "above", reading_vital("systolic"),
        vital="systolic"),
    Row("MON-BP-ELEVATED", "diastolic_above_mmhg", "above", reading_vital("diastolic"),
        vital="diastolic"),
    Row("MON-BP-RISE", "systolic_rise_at_or_above_mmhg", "at_or_above", rise("systolic", 110)),
    Row("MON-BP-RISE", "diastolic_rise_at_or_above_mmhg", "at_or_above", rise("diastolic", 70)),
    Row("MON-BP-SEVERE", "systolic_at_or_above_mmhg", "at_or_above", reading_vital("systolic"),
        vital="systolic"),
    Row("MON-BP-SEVERE", "diastolic_at_or_above_mmhg", "at_or_above", reading_vital("diastolic"),
        vital="diastolic"),
    Row("MON-SPO2-LOW", "spo2_below_percent", "below", reading_vital("spo2"), vital="spo2"),
    Row("MON-SPO2-CRITICAL", "spo2_below_percent", "below", reading_vital("spo2"), vital="spo2"),
    Row("MON-RR-LOW", "respiratory_rate_below_per_min", "below",
        reading_vital("respiratory_rate"), vital="respiratory_rate"),
    Row("MON-HR", "heart_rate_above_bpm", "above", reading_vital("heart_rate")),
    Row("MON-HR", "heart_rate_below_bpm", "below", reading_vital("heart_rate")),
    Row("MON-SEDATION", "moaas_at_or_below", "at_or_below", reading_vital("moaas"), vital="moaas"),
    Row("MON-SEDATION-DEEP", "moaas_at_or_below", "at_or_below", reading_vital("moaas"),
        vital="moaas"),
)  # fmt: skip


def min_time(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
    return SessionState(route=route, dose_at=T0), T0 + mins(x)


def after_infusion(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
    state = SessionState(route=route, dose_at=T0, infusion_duration_min=55)
    return state, T0 + mins(55 + x)


def bp_age(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
    reading = Reading(at=AFTER, systolic=120, diastolic=80)
    return SessionState(route=route, dose_at=T0, readings=(reading,)), AFTER + mins(x)


def value_age(name: str, value: int) -> Build:
    def build(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
        reading = Reading(at=AFTER, **{name: value})
        return SessionState(route=route, dose_at=T0, readings=(reading,)), AFTER + mins(x)

    return build


def latest_bp(systolic: int | None, diastolic: int | None, peak: tuple[int, int] | None) -> Build:
    # The tested value fills whichever of systolic/diastolic is None.
    def build(route: str, x: int, s: ClinicalSettings) -> tuple[SessionState, dt.datetime]:
        readings = []
        if peak is not None:
            readings.append(Reading(at=AFTER - mins(10), systolic=peak[0], diastolic=peak[1]))
        readings.append(
            Reading(
                at=AFTER,
                systolic=x if systolic is None else systolic,
                diastolic=x if diastolic is None else diastolic,
            )
        )
        return SessionState(route=route, dose_at=T0, readings=tuple(readings)), AFTER

    return build


DISCHARGE_ROWS = (
    Row("DISCH-ESK-MIN-TIME", "minimum_after_dose_min", "at_or_above", min_time,
        routes=(ESKETAMINE,)),
    Row("DISCH-ORAL-MIN-TIME", "minimum_after_dose_min", "at_or_above", min_time,
        routes=(ORAL_KETAMINE,)),
    Row("DISCH-IV-MIN-TIME", "after_infusion_min", "at_or_above", after_infusion,
        routes=(IV_KETAMINE,)),
    Row("DISCH-BP", "reading_within_min", "at_or_below", bp_age),
    # Only reading, so it is its own peak: only the "at or below 140/90" branch can hold.
    Row("DISCH-BP", "systolic_at_or_below_mmhg", "at_or_below", latest_bp(None, 80, None)),
    Row("DISCH-BP", "diastolic_at_or_below_mmhg", "at_or_below", latest_bp(130, None, None)),
    # Above 140/90 but below a higher peak: only the "<180/110" cap decides.
    Row("DISCH-BP", "systolic_below_mmhg", "below", latest_bp(None, 95, (210, 125))),
    Row("DISCH-BP", "diastolic_below_mmhg", "below", latest_bp(170, None, (210, 125))),
    Row("DISCH-SEDATION", "moaas_at_or_above", "at_or_above", reading_vital("moaas"),
        vital="moaas"),
    Row("DISCH-SEDATION", "reading_within_min", "at_or_below", value_age("moaas", 5)),
    Row("DISCH-RESP", "spo2_at_or_above_percent", "at_or_above", reading_vital("spo2"),
        vital="spo2"),
    Row("DISCH-RESP", "reading_within_min", "at_or_below", value_age("spo2", 98)),
)  # fmt: skip

SCHEDULE_THRESHOLDS = {
    # Intervals and phases of the reading schedule: test_monitoring_schedule.py.
    ("MON-BP-ELEVATED", "recheck_interval_min"),
    ("MON-SCHEDULE-ESK", "interval_min"),
    ("MON-SCHEDULE-IV", "during_infusion_interval_min"),
    ("MON-SCHEDULE-IV", "after_infusion_interval_min"),
    ("MON-SCHEDULE-ORAL", "early_interval_min"),
    ("MON-SCHEDULE-ORAL", "early_period_min"),
    ("MON-SCHEDULE-ORAL", "late_interval_min"),
}


def shifted(rule_id: str, name: str) -> ClinicalSettings:
    """A clinic that moved this one threshold a step within its sane range, upwards unless that
    would leave the range or contradict another rule (a DISCH-BP cap above MON-BP-SEVERE)."""
    threshold = REGISTRY[rule_id].threshold(name)
    for value in (threshold.default + 1, threshold.default - 1):
        if threshold.minimum <= value <= threshold.maximum:
            try:
                return ClinicalSettings.with_overrides({rule_id: {name: value}})
            except ClinicalInputError:
                continue
    raise AssertionError(f"{rule_id}.{name} cannot move a step")


def cases(rows: tuple[Row, ...]) -> list[object]:
    out = []
    for row in rows:
        for configured in (False, True):
            settings = shifted(row.rule, row.threshold) if configured else DEFAULT_SETTINGS
            value = settings.value(row.rule, row.threshold)
            for route in row.routes:
                for x in (value - 1, value, value + 1):
                    if row.vital and not PLAUSIBLE[row.vital][0] <= x <= PLAUSIBLE[row.vital][1]:
                        continue
                    label = f"{row}-{route}-{x}{'-configured' if configured else ''}"
                    case = (row, route, int(x), value, settings)
                    out.append(pytest.param(*case, id=label))
    return out


def fired(result: MonitorResult, rule: str) -> bool:
    return any(alert.rule == rule for alert in result.alerts)


def holds(result: MonitorResult, rule: str) -> bool:
    assert result.discharge is not None
    status = {c.rule: c.status for c in result.discharge.criteria}[rule]
    return status is CriterionStatus.HOLDS


@pytest.mark.parametrize(("row", "route", "x", "value", "settings"), cases(ALERT_ROWS))
def test_alert_rule_fires_exactly_past_its_threshold(row, route, x, value, settings):
    state, now = row.build(route, x, settings)

    result = evaluate(state, now=now, settings=settings)

    assert fired(result, row.alert or row.rule) is COMPARE[row.compare](x, value)


@pytest.mark.parametrize(("row", "route", "x", "value", "settings"), cases(DISCHARGE_ROWS))
def test_discharge_criterion_holds_exactly_within_its_threshold(row, route, x, value, settings):
    state, now = row.build(route, x, settings)

    result = evaluate(state, now=now, settings=settings)

    assert holds(result, row.rule) is COMPARE[row.compare](x, value)


def test_every_monitoring_threshold_has_a_boundary_row_or_a_schedule_test():
    covered = {(row.rule, row.threshold) for row in (*ALERT_ROWS, *DISCHARGE_ROWS)}
    every = {
        (rule.id, t.name)
        for rule in catalog.RULES
        for t in rule.thresholds
        if rule.id != "MON-PLAUSIBILITY"
    }

    assert every - covered == SCHEDULE_THRESHOLDS


@pytest.mark.parametrize(
    ("rule", "build"),
    [
        ("MON-FASTING", checklist_minutes_before("last_food_at")),
        ("MON-FASTING", checklist_minutes_before("last_liquid_at")),
        ("MON-NASAL-MEDS", checklist_minutes_before("nasal_medication_at")),
    ],
)
@pytest.mark.parametrize("route", [IV_KETAMINE, ORAL_KETAMINE])
def test_esketamine_only_preparation_rules_stay_silent_on_other_routes(rule, build, route):
    state, now = build(route, 0, DEFAULT_SETTINGS)

    assert not fired(evaluate(state, now=now), rule)


@pytest.mark.parametrize("route", [IV_KETAMINE, ORAL_KETAMINE])
def test_forty_minute_check_is_esketamine_only(route):
    state = SessionState(route=route, dose_at=T0)

    assert not fired(evaluate(state, now=T0 + mins(100)), "MON-BP-40MIN")


def test_forty_minute_check_counts_only_a_complete_blood_pressure():
    systolic_only = Reading(at=T0 + mins(40), systolic=130)
    state = SessionState(route=ESKETAMINE, dose_at=T0, readings=(systolic_only,))

    result = evaluate(state, now=T0 + mins(60))

    assert [(a.rule, a.at) for a in result.alerts] == [("MON-BP-40MIN", T0 + mins(60))]


def test_forty_minute_check_message_follows_the_clinic_schedule_not_a_fixed_forty():
    settings = ClinicalSettings.with_overrides(
        {"MON-SCHEDULE-ESK": {"first_reading_after_dose_min": 45}}
    )
    state = SessionState(route=ESKETAMINE, dose_at=T0)

    default = evaluate(state, now=T0 + mins(60)).alerts
    configured = evaluate(state, now=T0 + mins(60), settings=settings).alerts

    assert "the 40-minute check was missed" in default[0].message
    assert "the 45-minute check was missed" in configured[0].message
