"""Discharge criteria of reference 3.6 (DISCH-*), SAFE-ESK-2H and DISCH-OVERRIDE."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    ROUTES,
    Attestations,
    Checklist,
    CriterionStatus,
    Reading,
    SessionState,
    Vitals,
    criteria_of,
    earliest_discharge,
    evaluate,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from tests.clinical.monitoring_helpers import T0, at

S = DEFAULT_SETTINGS
MIN_TIME = {
    ESKETAMINE: "DISCH-ESK-MIN-TIME",
    IV_KETAMINE: "DISCH-IV-MIN-TIME",
    ORAL_KETAMINE: "DISCH-ORAL-MIN-TIME",
}
SHARED = (
    "DISCH-BP",
    "DISCH-SEDATION",
    "DISCH-RESP",
    "DISCH-DISSOCIATION",
    "DISCH-ALERTS",
    "DISCH-ESCORT",
)


def minutes_of(moment: dt.datetime) -> float:
    return (moment - T0).total_seconds() / 60


def ready_state(route: str, **changes: object) -> tuple[SessionState, dt.datetime]:
    """A session that meets every criterion of its route exactly at the earliest discharge."""
    infusion = changes.get("infusion_duration_min")
    timing = SessionState(route=route, dose_at=T0, infusion_duration_min=infusion)  # type: ignore[arg-type]
    now = earliest_discharge(timing, T0, S)
    last = minutes_of(now) - 5
    state = SessionState(
        route=route,
        dose_at=T0,
        pre_dose=Vitals(systolic=128, diastolic=80, heart_rate=72, spo2=98, moaas=5),
        readings=(
            Reading(at=at(40), systolic=150, diastolic=95, spo2=97, moaas=4),
            Reading(at=at(last), systolic=126, diastolic=82, spo2=98, respiratory_rate=14, moaas=5),
        ),
        checklist=Checklist(escort_confirmed=True),
        attestations=Attestations(dissociation_resolved=True, critical_alerts_acknowledged=True),
    )
    return dataclasses.replace(state, **changes), now


def later_reading(state: SessionState, now: dt.datetime, **values: object) -> SessionState:
    return dataclasses.replace(
        state,
        readings=(*state.readings, Reading(at=now, **values)),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("route", ROUTES)
def test_session_meeting_every_criterion_is_ready(route):
    state, now = ready_state(route)

    discharge = evaluate(state, now=now).discharge

    assert discharge is not None
    assert discharge.ready is True
    assert discharge.reasons == ()
    assert [c.rule for c in discharge.criteria] == [MIN_TIME[route], *SHARED]
    assert all(c.status is CriterionStatus.HOLDS for c in discharge.criteria)


def failing_alone(route: str, rule: str) -> tuple[SessionState, dt.datetime]:
    state, now = ready_state(route)
    if rule == MIN_TIME[route]:
        return state, now - dt.timedelta(minutes=1)
    if rule == "DISCH-BP":
        return later_reading(state, now - dt.timedelta(minutes=1), systolic=150, diastolic=96), now
    if rule == "DISCH-SEDATION":
        return later_reading(state, now, moaas=4), now
    if rule == "DISCH-RESP":
        return later_reading(state, now, respiratory_rate=9), now
    if rule == "DISCH-DISSOCIATION":
        return dataclasses.replace(
            state,
            attestations=Attestations(
                dissociation_resolved=False, critical_alerts_acknowledged=True
            ),
        ), now
    if rule == "DISCH-ALERTS":
        return dataclasses.replace(
            later_reading(state, now - dt.timedelta(minutes=30), spo2=88),
            attestations=Attestations(dissociation_resolved=True),
        ), now
    assert rule == "DISCH-ESCORT"
    return dataclasses.replace(state, checklist=Checklist(escort_confirmed=False)), now


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("position", range(7))
def test_each_criterion_failing_alone_is_the_one_reason_named(route, position):
    rule = criteria_of(route)[position]
    state, now = failing_alone(route, rule)

    discharge = evaluate(state, now=now).discharge

    assert discharge is not None
    assert discharge.ready is False
    assert [r for r, _ in discharge.reasons] == [rule]
    sentence = discharge.reasons[0][1]
    assert sentence.endswith(".") and sentence[0].isupper()


def test_esketamine_is_never_ready_before_two_hours_even_with_every_other_criterion_overridden():
    state, now = ready_state(ESKETAMINE)
    before = now - dt.timedelta(minutes=1)
    bare = SessionState(route=ESKETAMINE, dose_at=T0)

    for session in (state, bare):
        discharge = evaluate(session, now=before, overrides=set(SHARED)).discharge
        assert discharge is not None
        assert discharge.ready is False
        assert discharge.reasons[0][0] == "DISCH-ESK-MIN-TIME"
    assert now == at(S.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min"))


def test_esketamine_minimum_time_can_never_be_overridden():
    state, now = ready_state(ESKETAMINE)

    with pytest.raises(ClinicalInputError) as caught:
        evaluate(state, now=now, overrides={"DISCH-ESK-MIN-TIME"})

    assert caught.value.field == "overrides"
    assert "DISCH-ESK-MIN-TIME" in caught.value.message


@pytest.mark.parametrize("rule", ["DISCH-IV-MIN-TIME", "DISCH-OVERRIDE", "MON-BP-HOLD", "x"])
def test_override_of_a_rule_that_is_no_criterion_of_the_route_is_refused(rule):
    state, now = ready_state(ESKETAMINE)

    with pytest.raises(ClinicalInputError) as caught:
        evaluate(state, now=now, overrides={rule})

    assert caught.value.field == "overrides"
    assert rule in caught.value.message


def test_overridden_criterion_counts_as_met_and_is_reported_as_overridden():
    state, now = failing_alone(IV_KETAMINE, "DISCH-IV-MIN-TIME")

    discharge = evaluate(state, now=now, overrides={"DISCH-IV-MIN-TIME", "DISCH-BP"}).discharge

    assert discharge is not None
    assert discharge.ready is True
    statuses = {c.rule: c.status for c in discharge.criteria}
    assert statuses["DISCH-IV-MIN-TIME"] is CriterionStatus.OVERRIDDEN
    assert statuses["DISCH-BP"] is CriterionStatus.HOLDS


def test_criteria_say_which_ones_a_prescriber_may_override():
    state, now = ready_state(ESKETAMINE)

    discharge = evaluate(state, now=now).discharge

    assert discharge is not None
    assert {c.rule: c.overridable for c in discharge.criteria} == {
        "DISCH-ESK-MIN-TIME": False,
        **dict.fromkeys(SHARED, True),
    }


def test_iv_earliest_discharge_follows_the_recorded_infusion_duration():
    after = S.value("DISCH-IV-MIN-TIME", "after_infusion_min")
    state, _ = ready_state(IV_KETAMINE, infusion_duration_min=70)
    earliest = at(70 + after)

    just_before = evaluate(state, now=earliest - dt.timedelta(minutes=1)).discharge
    on_time = evaluate(later_reading(state, earliest, systolic=120, diastolic=80), now=earliest)

    assert just_before is not None
    assert just_before.earliest == earliest
    assert [r for r, _ in just_before.reasons] == ["DISCH-IV-MIN-TIME"]
    assert on_time.discharge is not None and on_time.discharge.ready is True


def test_absent_data_raises_no_alert_but_blocks_discharge():
    state = SessionState(route=ORAL_KETAMINE, dose_at=T0)

    result = evaluate(state, now=at(180))

    assert result.alerts == ()
    assert result.discharge is not None
    assert [r for r, _ in result.discharge.reasons] == [
        "DISCH-BP", "DISCH-SEDATION", "DISCH-RESP", "DISCH-DISSOCIATION", "DISCH-ESCORT",
    ]  # fmt: skip


def test_discharge_is_null_before_dosing():
    state, now = ready_state(ESKETAMINE, dose_at=None, readings=())

    result = evaluate(state, now=now)

    assert result.discharge is None
    assert result.next_reading_due is None


def test_sedation_back_to_the_pre_dose_score_is_resolved():
    state, now = ready_state(ORAL_KETAMINE, pre_dose=Vitals(moaas=4))

    discharge = evaluate(later_reading(state, now, moaas=4), now=now).discharge

    assert discharge is not None and discharge.ready is True


def test_blood_pressure_above_140_90_but_falling_from_its_peak_holds():
    state, now = with_pressures(ESKETAMINE, (40, 150, 95), (150, 145, 92))

    discharge = evaluate(state, now=now).discharge

    assert discharge is not None and discharge.ready is True


def test_blood_pressure_back_above_140_90_after_a_normal_reading_does_not_hold():
    # Before the conservative reading of "decreasing", 126/82 -> 145/92 held (below the peak).
    state, now = ready_state(ESKETAMINE)

    discharge = evaluate(later_reading(state, now, systolic=145, diastolic=92), now=now).discharge

    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == ["DISCH-BP"]
    assert "rising again" in discharge.reasons[0][1]


def test_an_earlier_low_spo2_that_recovered_leaves_no_open_respiratory_alert():
    state, now = ready_state(ESKETAMINE)
    dipped = later_reading(state, now - dt.timedelta(minutes=30), spo2=91)

    discharge = evaluate(dipped, now=now).discharge

    assert discharge is not None and discharge.ready is True


def test_critical_alert_is_acknowledged_by_the_attestation():
    state, now = failing_alone(ESKETAMINE, "DISCH-ALERTS")
    acknowledged = dataclasses.replace(
        state,
        attestations=Attestations(dissociation_resolved=True, critical_alerts_acknowledged=True),
    )

    discharge = evaluate(acknowledged, now=now).discharge

    assert discharge is not None and discharge.ready is True


def test_configured_minimum_time_is_honoured():
    settings = ClinicalSettings.with_overrides(
        {"DISCH-ESK-MIN-TIME": {"minimum_after_dose_min": 180}}
    )
    state, now = ready_state(ESKETAMINE)

    discharge = evaluate(state, now=now, settings=settings).discharge

    assert discharge is not None
    assert discharge.earliest == at(180)
    assert [r for r, _ in discharge.reasons] == ["DISCH-ESK-MIN-TIME"]


def test_esketamine_minimum_time_cannot_be_configured_shorter_than_two_hours():
    with pytest.raises(ClinicalInputError) as caught:
        ClinicalSettings.with_overrides({"DISCH-ESK-MIN-TIME": {"minimum_after_dose_min": 119}})

    assert "DISCH-ESK-MIN-TIME" in caught.value.message


# DISCH-BP judges the latest reading with any blood pressure value (reference 3.6): a later
# single value must never leave an earlier complete pair in charge.
SEVERE_SBP = int(S.value("MON-BP-SEVERE", "systolic_at_or_above_mmhg"))
SEVERE_DBP = int(S.value("MON-BP-SEVERE", "diastolic_at_or_above_mmhg"))


@pytest.mark.parametrize("route", ROUTES)
def test_a_later_severe_systolic_alone_blocks_discharge_while_the_alert_fires(route):
    state, now = ready_state(route)
    single = later_reading(state, now, systolic=SEVERE_SBP + 5)

    result = evaluate(single, now=now)

    assert any(a.rule == "MON-BP-SEVERE" for a in result.alerts)
    assert result.discharge is not None and result.discharge.ready is False
    assert [r for r, _ in result.discharge.reasons] == ["DISCH-BP"]
    sentence = result.discharge.reasons[0][1]
    assert "complete blood pressure" in sentence
    assert f"systolic {SEVERE_SBP + 5} mmHg" in sentence


@pytest.mark.parametrize(
    "values",
    [{"systolic": 120}, {"diastolic": 80}, {"diastolic": SEVERE_DBP}],
    ids=["normal-systolic-alone", "normal-diastolic-alone", "severe-diastolic-alone"],
)
def test_a_later_single_blood_pressure_value_never_holds_even_when_normal(values):
    state, now = ready_state(ESKETAMINE)

    discharge = evaluate(later_reading(state, now, **values), now=now).discharge

    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == ["DISCH-BP"]
    assert "systolic and diastolic" in discharge.reasons[0][1]


def test_a_single_value_before_the_latest_complete_pair_does_not_count_against_it():
    state, now = ready_state(ESKETAMINE)
    earlier = later_reading(state, now - dt.timedelta(minutes=3), systolic=150)

    discharge = evaluate(later_reading(earlier, now, systolic=126, diastolic=82), now=now)

    assert discharge.discharge is not None and discharge.discharge.ready is True


def test_systolic_and_diastolic_charted_apart_at_the_same_minute_make_one_reading():
    state, now = ready_state(ESKETAMINE)
    apart = later_reading(later_reading(state, now, systolic=126), now, diastolic=82)

    discharge = evaluate(apart, now=now).discharge

    assert discharge is not None and discharge.ready is True


def test_the_higher_value_counts_when_two_readings_share_the_latest_minute():
    state, now = ready_state(ESKETAMINE)
    pair = later_reading(later_reading(state, now, systolic=126, diastolic=82), now, systolic=185)

    discharge = evaluate(pair, now=now).discharge

    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == ["DISCH-BP"]


RATE_BELOW = int(S.value("MON-RR-LOW", "respiratory_rate_below_per_min"))


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"moaas": 3}, "DISCH-SEDATION"),
        ({"spo2": 91}, "DISCH-RESP"),
        ({"respiratory_rate": RATE_BELOW - 1}, "DISCH-RESP"),
    ],
)
def test_a_worse_value_charted_at_the_same_minute_as_a_good_one_is_not_passed_over(values, rule):
    state, now = ready_state(ORAL_KETAMINE)
    good = later_reading(state, now, moaas=5, spo2=98, respiratory_rate=RATE_BELOW)

    discharge = evaluate(later_reading(good, now, **values), now=now).discharge

    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == [rule]


# DISCH-BP, conservative reading of "BP decreasing" [V ESK-SMPC] (reference 3.6): a latest blood
# pressure above the normal limit must also be no higher than the previous value, each of
# systolic and diastolic, in addition to the peak and cap conditions of the operational form.
NORMAL_SBP = int(S.value("DISCH-BP", "systolic_at_or_below_mmhg"))
NORMAL_DBP = int(S.value("DISCH-BP", "diastolic_at_or_below_mmhg"))
CAP_SBP = int(S.value("DISCH-BP", "systolic_below_mmhg"))
CAP_DBP = int(S.value("DISCH-BP", "diastolic_below_mmhg"))


def with_pressures(
    route: str, *pressures: tuple[float, int | None, int | None]
) -> tuple[SessionState, dt.datetime]:
    """A ready session whose blood pressures are exactly `pressures` (minute, SBP, DBP); the last
    one carries the other discharge evidence, and `now` is 5 min after it."""
    state, _ = ready_state(route)
    *earlier, (minute, systolic, diastolic) = pressures
    readings = tuple(Reading(at=at(m), systolic=s, diastolic=d) for m, s, d in earlier)
    last = Reading(
        at=at(minute), systolic=systolic, diastolic=diastolic, spo2=98, respiratory_rate=14, moaas=5
    )
    return dataclasses.replace(state, readings=(*readings, last)), at(minute + 5)


def bp_criterion(state: SessionState, now: dt.datetime) -> tuple[CriterionStatus, str]:
    discharge = evaluate(state, now=now).discharge
    assert discharge is not None
    (criterion,) = [c for c in discharge.criteria if c.rule == "DISCH-BP"]
    return criterion.status, criterion.sentence


@pytest.mark.parametrize("route", ROUTES)
def test_blood_pressure_rising_again_above_140_90_does_not_hold(route):
    state, now = with_pressures(route, (40, 170, 100), (100, 145, 92), (150, 165, 98))

    status, sentence = bp_criterion(state, now)
    discharge = evaluate(state, now=now).discharge

    assert status is CriterionStatus.DOES_NOT_HOLD
    assert "165/98 mmHg" in sentence and "previous" in sentence and "145/92" in sentence
    assert discharge is not None and discharge.ready is False
    assert [r for r, _ in discharge.reasons] == ["DISCH-BP"]


@pytest.mark.parametrize(
    ("latest", "holds"),
    [
        ((149, 91), True),
        ((150, 91), True),
        ((151, 91), False),
        ((149, 92), True),
        ((149, 93), False),
    ],
    ids=["both-lower", "systolic-equal", "systolic-higher", "diastolic-equal", "diastolic-higher"],
)
def test_above_normal_latest_must_be_no_higher_than_the_previous_value_in_both(latest, holds):
    state, now = with_pressures(ESKETAMINE, (40, 170, 100), (100, 150, 92), (150, *latest))

    status, _ = bp_criterion(state, now)

    assert (status is CriterionStatus.HOLDS) is holds


def test_a_single_value_charted_in_between_is_the_previous_value_of_its_kind():
    state, now = with_pressures(ESKETAMINE, (40, 170, 100), (100, 150, None), (150, 165, 98))

    status, sentence = bp_criterion(state, now)

    assert status is CriterionStatus.DOES_NOT_HOLD
    assert "previous" in sentence


def test_blood_pressure_falling_step_by_step_from_its_peak_still_holds():
    state, now = with_pressures(ESKETAMINE, (40, 170, 100), (100, 160, 96), (150, 145, 92))

    status, sentence = bp_criterion(state, now)

    assert status is CriterionStatus.HOLDS
    assert "previous" in sentence


def test_a_normal_blood_pressure_holds_even_when_it_rose_from_the_previous_reading():
    state, now = with_pressures(
        ESKETAMINE, (40, 120, 80), (100, 125, 82), (150, NORMAL_SBP, NORMAL_DBP)
    )

    status, _ = bp_criterion(state, now)

    assert status is CriterionStatus.HOLDS


def test_just_below_the_cap_and_falling_from_a_severe_peak_holds_for_blood_pressure_only():
    # 181/105 -> 179/104 is decreasing in both values and below 180/110: DISCH-BP holds under the
    # conservative reading, but the severe reading raised a critical alert, so discharge still
    # waits for it to be acknowledged (DISCH-ALERTS).
    state, now = with_pressures(ESKETAMINE, (40, CAP_SBP + 1, 105), (150, CAP_SBP - 1, 104))
    unacknowledged = dataclasses.replace(
        state, attestations=Attestations(dissociation_resolved=True)
    )

    status, _ = bp_criterion(state, now)
    discharge = evaluate(unacknowledged, now=now).discharge

    assert status is CriterionStatus.HOLDS
    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == ["DISCH-ALERTS"]


def test_a_lone_blood_pressure_above_normal_cannot_show_it_is_decreasing():
    state, now = with_pressures(ESKETAMINE, (150, 145, 92))

    status, _ = bp_criterion(state, now)

    assert status is CriterionStatus.DOES_NOT_HOLD


# DISCH-SEDATION and DISCH-RESP need a recent value, like DISCH-BP (reference 3.6; sedation peaks
# 30-45 min after dosing, 3.3): an early MOAA/S or SpO2 does not show the state at discharge.
def stale(route: str, name: str) -> tuple[SessionState, dt.datetime]:
    """A ready session whose only `name` value was charted 5 min after the dose."""
    state, now = ready_state(route)
    stripped = tuple(dataclasses.replace(r, **{name: None}) for r in state.readings)
    early = Reading(at=at(5), **{name: 5 if name == "moaas" else 98})  # type: ignore[arg-type]
    return dataclasses.replace(state, readings=(early, *stripped)), now


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("name", "rule", "label"),
    [("moaas", "DISCH-SEDATION", "MOAA/S"), ("spo2", "DISCH-RESP", "SpO2")],
)
def test_an_early_value_does_not_hold_for_discharge_and_asks_for_a_fresh_one(
    route, name, rule, label
):
    state, now = stale(route, name)
    within = S.value(rule, "reading_within_min")

    discharge = evaluate(state, now=now).discharge

    assert discharge is not None and discharge.ready is False
    assert [r for r, _ in discharge.reasons] == [rule]
    sentence = discharge.reasons[0][1]
    assert f"a fresh {label}" in sentence
    assert f"{within:g} min" in sentence
    assert at(5).isoformat() in sentence


def test_the_contract_example_needs_fresh_sedation_and_oxygen_readings_at_70_minutes():
    state, _ = ready_state(ESKETAMINE)
    early = dataclasses.replace(
        state, readings=(Reading(at=at(40), systolic=165, diastolic=100, spo2=97, moaas=5),)
    )

    discharge = evaluate(early, now=at(70)).discharge

    assert discharge is not None
    assert [r for r, _ in discharge.reasons] == [
        "DISCH-ESK-MIN-TIME", "DISCH-BP", "DISCH-SEDATION", "DISCH-RESP",
    ]  # fmt: skip
