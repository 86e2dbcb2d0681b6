"""`evaluate` as a whole: the contract example, dosing go/hold, alert order and wording, and a
property over any plausible session (reference 3.5-3.7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    ROUTES,
    SYMPTOMS,
    Checklist,
    Dosing,
    Level,
    Reading,
    SessionState,
    Vitals,
    evaluate,
    parse_monitor_input,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.monitoring_helpers import T0, at
from tests.contract_examples import MONITOR_INPUT as EXAMPLE

S = DEFAULT_SETTINGS


def rules_of(result) -> list[str]:
    return [alert.rule for alert in result.alerts]


def test_contract_example_is_evaluated_as_the_contract_shows():
    request = parse_monitor_input(EXAMPLE)

    result = evaluate(request.state, now=request.now)

    assert result.dosing is Dosing.GO
    assert [(a.rule, a.level, a.at) for a in result.alerts] == [
        ("MON-BP-ELEVATED", Level.WARNING, dt.datetime(2026, 12, 1, 9, 40, tzinfo=dt.UTC))
    ]
    assert result.next_reading_due == dt.datetime(2026, 12, 1, 9, 55, tzinfo=dt.UTC)
    assert result.discharge is not None
    assert result.discharge.ready is False
    assert result.discharge.earliest == dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
    assert [rule for rule, _ in result.discharge.reasons] == [
        "DISCH-ESK-MIN-TIME", "DISCH-BP", "DISCH-SEDATION", "DISCH-RESP", "DISCH-DISSOCIATION",
        "DISCH-ESCORT",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("pre_dose", "checklist", "rule"),
    [
        ({"systolic": 141}, {}, "MON-BP-HOLD"),
        ({"diastolic": 110}, {}, "MON-BP-PREDOSE-SEVERE"),
        ({"spo2": 92}, {}, "MON-SPO2-HOLD"),
        ({}, {"rems_setting_certified": False}, "MON-REMS-ENROLLED"),
        ({}, {"rems_patient_enrolled": False}, "MON-REMS-ENROLLED"),
    ],
)
def test_each_hold_rule_holds_dosing(pre_dose, checklist, rule):
    state = SessionState(
        route=ESKETAMINE, pre_dose=Vitals(**pre_dose), checklist=Checklist(**checklist)
    )

    result = evaluate(state, now=T0)

    assert result.dosing is Dosing.HOLD
    assert rule in rules_of(result)


@pytest.mark.parametrize(
    ("pre_dose", "checklist", "rule"),
    [
        ({"heart_rate": 115}, {}, "MON-HR-PREDOSE"),
        ({}, {"pregnancy_status_documented": False}, "MON-PREG-TEST"),
        ({}, {"escort_confirmed": False}, "MON-ESCORT"),
        ({}, {"last_food_at": T0}, "MON-FASTING"),
        ({}, {"nasal_medication_at": T0}, "MON-NASAL-MEDS"),
    ],
)
def test_warning_rules_warn_without_holding_dosing(pre_dose, checklist, rule):
    state = SessionState(
        route=ESKETAMINE, pre_dose=Vitals(**pre_dose), checklist=Checklist(**checklist)
    )

    result = evaluate(state, now=T0)

    assert result.dosing is Dosing.GO
    assert [(a.rule, a.level) for a in result.alerts] == [(rule, Level.WARNING)]


def test_unrecorded_rems_checklist_raises_nothing_as_the_contract_says():
    result = evaluate(SessionState(route=ESKETAMINE), now=T0)

    assert result.dosing is Dosing.GO
    assert result.alerts == ()


@pytest.mark.parametrize("route", [IV_KETAMINE, ORAL_KETAMINE])
def test_rems_rule_applies_to_esketamine_only(route):
    checklist = Checklist(rems_setting_certified=False, rems_patient_enrolled=False)

    result = evaluate(SessionState(route=route, checklist=checklist), now=T0)

    assert result.dosing is Dosing.GO
    assert result.alerts == ()


def test_rems_hold_is_critical():
    checklist = Checklist(rems_patient_enrolled=False)

    result = evaluate(SessionState(route=ESKETAMINE, checklist=checklist), now=T0)

    assert [(a.rule, a.level) for a in result.alerts] == [("MON-REMS-ENROLLED", Level.CRITICAL)]


def test_fasting_is_judged_against_the_dose_time_once_dosed():
    checklist = Checklist(last_food_at=at(-100), last_liquid_at=at(-20))
    state = SessionState(route=ESKETAMINE, dose_at=T0, checklist=checklist)

    result = evaluate(state, now=at(30))

    assert [(a.rule, a.at) for a in result.alerts] == [("MON-FASTING", T0)]
    assert "food 100 min and liquids 20 min" in result.alerts[0].message


def test_pre_dose_alerts_stay_reported_after_dosing_at_the_dose_time():
    state = SessionState(route=IV_KETAMINE, dose_at=T0, pre_dose=Vitals(systolic=150, diastolic=85))

    before = evaluate(dataclasses.replace(state, dose_at=None), now=at(-5))
    after = evaluate(state, now=at(5))

    assert [(a.rule, a.at) for a in before.alerts] == [("MON-BP-HOLD", at(-5))]
    assert [(a.rule, a.at) for a in after.alerts] == [("MON-BP-HOLD", T0)]
    assert after.dosing is Dosing.HOLD


def test_alerts_are_sorted_by_time_then_rule_id():
    state = SessionState(
        route=ESKETAMINE,
        dose_at=T0,
        pre_dose=Vitals(spo2=92, heart_rate=115),
        readings=(
            Reading(at=at(20), spo2=85, moaas=1, respiratory_rate=8),
            Reading(at=at(10), systolic=185, diastolic=100, cadss=20),
        ),
    )

    result = evaluate(state, now=at(55))

    assert [(a.at, a.rule) for a in result.alerts] == [
        (T0, "MON-HR-PREDOSE"),
        (T0, "MON-SPO2-HOLD"),
        (at(10), "MON-BP-ELEVATED"),
        (at(10), "MON-BP-SEVERE"),
        (at(10), "MON-DISSOCIATION"),
        (at(20), "MON-RR-LOW"),
        (at(20), "MON-SEDATION"),
        (at(20), "MON-SEDATION-DEEP"),
        (at(20), "MON-SPO2-CRITICAL"),
        (at(20), "MON-SPO2-LOW"),
        (at(55), "MON-BP-40MIN"),
    ]


def test_readings_are_taken_in_time_order_whatever_their_input_order():
    readings = (
        Reading(at=at(40), systolic=150, diastolic=95, moaas=4),
        Reading(at=at(70), systolic=130, diastolic=85, moaas=5),
        Reading(at=at(10), systolic=120, diastolic=80, moaas=3),
    )
    state = SessionState(route=ESKETAMINE, dose_at=T0, readings=readings)
    backwards = dataclasses.replace(state, readings=readings[::-1])

    assert evaluate(state, now=at(75)) == evaluate(backwards, now=at(75))


def test_severe_blood_pressure_tells_to_notify_the_prescriber_and_on_iv_to_pause():
    reading = Reading(at=at(20), systolic=182, diastolic=100)

    esketamine = evaluate(
        SessionState(route=ESKETAMINE, dose_at=T0, readings=(reading,)), now=at(20)
    )
    iv = evaluate(SessionState(route=IV_KETAMINE, dose_at=T0, readings=(reading,)), now=at(20))

    (esk_alert,) = [a for a in esketamine.alerts if a.rule == "MON-BP-SEVERE"]
    (iv_alert,) = [a for a in iv.alerts if a.rule == "MON-BP-SEVERE"]
    assert esk_alert.level is Level.CRITICAL
    assert "notify the prescriber now" in esk_alert.message
    assert "pause the infusion" not in esk_alert.message
    assert "notify the prescriber now" in iv_alert.message
    assert "pause the infusion pending prescriber" in iv_alert.message


@pytest.mark.parametrize("symptom", list(SYMPTOMS))
def test_any_hypertensive_emergency_symptom_is_critical_with_emergency_care(symptom):
    reading = Reading(at=at(30), symptoms=(symptom,))

    result = evaluate(
        SessionState(route=ORAL_KETAMINE, dose_at=T0, readings=(reading,)), now=at(30)
    )

    assert [(a.rule, a.level) for a in result.alerts] == [("MON-HTN-SYMPTOMS", Level.CRITICAL)]
    assert "emergency care" in result.alerts[0].message


def test_recorded_cadss_is_information_only():
    reading = Reading(at=at(40), cadss=0)

    result = evaluate(SessionState(route=IV_KETAMINE, dose_at=T0, readings=(reading,)), now=at(40))

    assert [(a.rule, a.level) for a in result.alerts] == [("MON-DISSOCIATION", Level.INFO)]


def test_blood_pressure_rise_needs_a_pre_dose_value():
    reading = Reading(at=at(40), systolic=139, diastolic=89)
    state = SessionState(route=IV_KETAMINE, dose_at=T0, readings=(reading,))

    assert evaluate(state, now=at(40)).alerts == ()
    risen = dataclasses.replace(state, pre_dose=Vitals(systolic=99, diastolic=60))
    assert rules_of(evaluate(risen, now=at(40))) == ["MON-BP-RISE"]


# Property: any plausible session evaluates, with sorted alerts and a consistent result.


def vitals_values() -> dict[str, st.SearchStrategy[int | None]]:
    def vital(name: str, unit: str) -> st.SearchStrategy[int | None]:
        low = int(S.value("MON-PLAUSIBILITY", f"{name}_at_least{unit}"))
        high = int(S.value("MON-PLAUSIBILITY", f"{name}_at_most{unit}"))
        return st.none() | st.integers(low, high)

    return {
        "systolic": vital("systolic", "_mmhg"),
        "diastolic": vital("diastolic", "_mmhg"),
        "heart_rate": vital("heart_rate", "_bpm"),
        "spo2": vital("spo2", "_percent"),
        "respiratory_rate": vital("respiratory_rate", "_per_min"),
        "moaas": vital("moaas", ""),
        "cadss": vital("cadss", ""),
    }


def plausible_bp(values: dict[str, Any]) -> dict[str, Any]:
    systolic, diastolic = values["systolic"], values["diastolic"]
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        values["diastolic"] = None
    return values


@st.composite
def sessions(draw: st.DrawFn) -> tuple[SessionState, dt.datetime]:
    route = draw(st.sampled_from(ROUTES))
    dosed = draw(st.booleans())
    now = at(draw(st.integers(0, 300)))
    pre = Vitals(**plausible_bp(draw(st.fixed_dictionaries(vitals_values()))))
    readings: tuple[Reading, ...] = ()
    if dosed:
        count = draw(st.integers(0, 6))
        elapsed = int((now - T0).total_seconds() // 60)
        readings = tuple(
            Reading(
                at=at(draw(st.integers(0, elapsed))),
                symptoms=tuple(draw(st.lists(st.sampled_from(list(SYMPTOMS)), max_size=2))),
                **plausible_bp(draw(st.fixed_dictionaries(vitals_values()))),
            )
            for _ in range(count)
        )
    flag = st.none() | st.booleans()
    checklist = Checklist(
        rems_setting_certified=draw(flag),
        rems_patient_enrolled=draw(flag),
        escort_confirmed=draw(flag),
        last_food_at=draw(
            st.none() | st.just(now - dt.timedelta(minutes=draw(st.integers(0, 300))))
        ),
    )
    infusion = draw(st.none() | st.integers(40, 100)) if route == IV_KETAMINE else None
    state = SessionState(
        route=route,
        dose_at=T0 if dosed else None,
        pre_dose=pre,
        readings=readings,
        checklist=checklist,
        infusion_duration_min=infusion,
    )
    return state, now


@settings(max_examples=150, deadline=None)
@given(sessions())
def test_any_plausible_session_evaluates_with_sorted_alerts(session):
    state, now = session

    result = evaluate(state, now=now)

    keys = [(a.at, a.rule) for a in result.alerts]
    assert keys == sorted(keys)
    assert all(a.at <= now and a.message for a in result.alerts)
    if state.dose_at is None:
        assert result.discharge is None and result.next_reading_due is None
    else:
        assert result.discharge is not None and result.next_reading_due is not None
        assert result.discharge.ready is (result.discharge.reasons == ())
        # At the dose time itself only when a reading then had one blood pressure value: it is
        # completed at once (reference 3.5 schedule, DISCH-BP needs both values).
        assert result.next_reading_due >= state.dose_at
        if state.route == ESKETAMINE and now < at(120):
            assert result.discharge.ready is False


# MON-FASTING and MON-NASAL-MEDS judge the time before the dose: a time recorded after it says
# nothing about fasting before it, and must never read as "-10 min before dosing".
@pytest.mark.parametrize(
    ("checklist", "sentence"),
    [
        ({"last_liquid_at": at(10)}, "Liquids were recorded after the dose time"),
        ({"last_food_at": at(10)}, "Food was recorded after the dose time"),
        (
            {"last_food_at": at(5), "last_liquid_at": at(10)},
            "Food and liquids were recorded after the dose time",
        ),
    ],
)
def test_food_or_liquids_after_the_dose_time_cannot_confirm_fasting(checklist, sentence):
    state = SessionState(route=ESKETAMINE, dose_at=T0, checklist=Checklist(**checklist))

    (alert,) = evaluate(state, now=at(30)).alerts

    assert (alert.rule, alert.level, alert.at) == ("MON-FASTING", Level.WARNING, T0)
    assert alert.message.startswith(sentence)
    assert "fasting before the dose cannot be confirmed" in alert.message
    assert "-" not in alert.message.split("(")[0]


def test_a_short_fast_and_a_time_after_the_dose_are_both_reported():
    checklist = Checklist(last_food_at=at(-60), last_liquid_at=at(10))
    state = SessionState(route=ESKETAMINE, dose_at=T0, checklist=checklist)

    (alert,) = evaluate(state, now=at(30)).alerts

    assert "Last food 60 min before dosing" in alert.message
    assert "Liquids were recorded after the dose time" in alert.message


def test_nasal_medication_after_the_dose_time_is_not_reported_as_minutes_before():
    state = SessionState(
        route=ESKETAMINE, dose_at=T0, checklist=Checklist(nasal_medication_at=at(10))
    )

    (alert,) = evaluate(state, now=at(30)).alerts

    assert alert.rule == "MON-NASAL-MEDS"
    assert alert.message.startswith("A nasal corticosteroid or decongestant was recorded after")
    assert "-10 min" not in alert.message


def test_rems_hold_message_keeps_the_brand_and_programme_names_in_capitals():
    checklist = Checklist(rems_setting_certified=False, rems_patient_enrolled=False)
    state = SessionState(route=ESKETAMINE, checklist=checklist)

    (alert,) = evaluate(state, now=at(-5)).alerts

    assert alert.message == (
        "The healthcare setting is not REMS-certified and the patient is not enrolled in the "
        "SPRAVATO REMS: do not dose esketamine."
    )
