"""Plausibility limits of reference 3.7 (MON-PLAUSIBILITY) and strict reading of the
`ketacare monitor` document: refuse, do not store, and name the field."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    Attestations,
    Checklist,
    Reading,
    SessionState,
    Vitals,
    evaluate,
    parse_monitor_input,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.clinical.monitoring_helpers import T0, at, document, refused
from tests.contract_examples import MONITOR_INPUT as EXAMPLE

S = DEFAULT_SETTINGS


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("systolic", "systolic_at_least_mmhg", "systolic_at_most_mmhg"),
        ("diastolic", "diastolic_at_least_mmhg", "diastolic_at_most_mmhg"),
        ("heart_rate", "heart_rate_at_least_bpm", "heart_rate_at_most_bpm"),
        ("spo2", "spo2_at_least_percent", "spo2_at_most_percent"),
        (
            "respiratory_rate",
            "respiratory_rate_at_least_per_min",
            "respiratory_rate_at_most_per_min",
        ),
        ("moaas", "moaas_at_least", "moaas_at_most"),
        ("cadss", "cadss_at_least", "cadss_at_most"),
    ],
)
def test_each_vital_is_accepted_at_its_plausibility_limits_and_refused_beyond(field, low, high):
    lowest = int(S.value("MON-PLAUSIBILITY", low))
    highest = int(S.value("MON-PLAUSIBILITY", high))
    for where, make in (
        ("readings.0", lambda v: document(readings=[{"at": EXAMPLE["now"], field: v}])),
        ("pre_dose", lambda v: document(pre_dose={field: v})),
    ):
        for value in (lowest, highest):
            parse_monitor_input(make(value))
        for value in (lowest - 1, highest + 1):
            error = refused(make(value))
            assert error.field == f"{where}.{field}"
            assert "MON-PLAUSIBILITY" in error.message


@pytest.mark.parametrize(("systolic", "diastolic"), [(120, 120), (100, 110)])
def test_diastolic_must_be_below_systolic(systolic, diastolic):
    reading = {"at": EXAMPLE["now"], "systolic": systolic, "diastolic": diastolic}

    assert refused(document(readings=[reading])).field == "readings.0.diastolic"
    assert refused(document(pre_dose={"systolic": systolic, "diastolic": diastolic})).field == (
        "pre_dose.diastolic"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"now": "2026-12-01T10:10:00"}, "now"),
        ({"dose_at": "2026-12-01T10:11:00+00:00"}, "dose_at"),
        ({"readings": [{"at": "2026-12-01T08:59:59+00:00"}]}, "readings.0.at"),
        ({"readings": [{"at": "2026-12-01T10:10:01+00:00"}]}, "readings.0.at"),
        ({"readings": [{"at": "2026-12-01T09:40:00+00:00", "symptoms": ["dizzy"]}]},
         "readings.0.symptoms.0"),
        ({"readings": [{"systolic": 120}]}, "readings.0.at"),
        ({"readings": [{"at": "2026-12-01T09:40:00+00:00", "weight_kg": 70}]},
         "readings.0.weight_kg"),
        ({"pre_dose": {"at": "2026-12-01T08:50:00+00:00"}}, "pre_dose.at"),
        ({"pre_dose": {"symptoms": []}}, "pre_dose.symptoms"),
        ({"infusion_duration_min": 40}, "infusion_duration_min"),
        ({"checklist": {"last_food_at": "2026-12-01T10:11:00+00:00"}}, "checklist.last_food_at"),
        ({"checklist": {"escort_confirmed": "yes"}}, "checklist.escort_confirmed"),
        ({"attestations": {"signed": True}}, "attestations.signed"),
        ({"overrides": ["DISCH-BP"]}, "overrides"),
        ({"route": "im_ketamine"}, "route"),
    ],
)  # fmt: skip
def test_implausible_or_malformed_input_is_refused_naming_the_field(changes, field):
    assert refused(document(**changes)).field == field


@pytest.mark.parametrize("key", ["route", "dose_at", "now", "pre_dose", "readings"])
def test_each_key_the_contract_does_not_call_optional_is_required(key):
    doc = document()
    del doc[key]

    assert refused(doc).field == key


def test_readings_need_a_dose_time():
    error = refused(document(dose_at=None))

    assert error.field == "readings.0.at"


def test_infusion_duration_is_bounded_by_dose_iv_duration():
    low = int(S.value("DOSE-IV-DURATION", "minimum_min"))
    high = int(S.value("DOSE-IV-DURATION", "maximum_min"))
    iv = document(route="iv_ketamine")

    for value in (low, high):
        parse_monitor_input({**iv, "infusion_duration_min": value})
    for value in (low - 1, high + 1):
        error = refused({**iv, "infusion_duration_min": value})
        assert error.field == "infusion_duration_min"
        assert "DOSE-IV-DURATION" in error.message


def test_a_state_built_in_python_gets_the_same_checks():
    with pytest.raises(ClinicalInputError) as naive:
        evaluate(SessionState(route=ESKETAMINE), now=dt.datetime(2026, 12, 1, 9, 0))
    with pytest.raises(ClinicalInputError) as implausible:
        reading = Reading(at=at(10), systolic=400)
        evaluate(SessionState(route=ESKETAMINE, dose_at=T0, readings=(reading,)), now=at(10))

    assert naive.value.field == "now"
    assert implausible.value.field == "readings.0.systolic"


# A state built in Python (web app, FHIR import) is held to the types the JSON reader gives.
@pytest.mark.parametrize(
    ("state", "field"),
    [
        (SessionState(route=ESKETAMINE, dose_at=T0, readings=(Reading(at=at(40), moaas=True),)),
         "readings.0.moaas"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      readings=(Reading(at=at(40), systolic="120"),)),  # type: ignore[arg-type]
         "readings.0.systolic"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      readings=(Reading(at=at(40), spo2=97.0),)),  # type: ignore[arg-type]
         "readings.0.spo2"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      pre_dose=Vitals(heart_rate=False)), "pre_dose.heart_rate"),
        (SessionState(route=ESKETAMINE, dose_at=dt.datetime(2026, 12, 1, 9)), "dose_at"),
        (SessionState(route=ESKETAMINE, dose_at="2026-12-01T09:00:00+00:00"),  # type: ignore[arg-type]
         "dose_at"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      readings=(Reading(at=at(40).replace(tzinfo=None)),)), "readings.0.at"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      checklist=Checklist(escort_confirmed="yes")),  # type: ignore[arg-type]
         "checklist.escort_confirmed"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      attestations=Attestations(dissociation_resolved=1)),  # type: ignore[arg-type]
         "attestations.dissociation_resolved"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      checklist=Checklist(last_food_at=dt.date(2026, 12, 1))),  # type: ignore[arg-type]
         "checklist.last_food_at"),
        (SessionState(route=ESKETAMINE, dose_at=T0, readings=[{"at": at(40)}]),  # type: ignore[arg-type]
         "readings.0"),
        (SessionState(route=ESKETAMINE, dose_at=T0,
                      readings=(Reading(at=at(40), symptoms=(["seizure"],)),)),  # type: ignore[arg-type]
         "readings.0.symptoms.0"),
        (SessionState(route="iv_ketamine", dose_at=T0, infusion_duration_min=40.0),  # type: ignore[arg-type]
         "infusion_duration_min"),
    ],
)  # fmt: skip
def test_a_state_built_in_python_with_a_wrong_type_is_refused_naming_the_field(state, field):
    with pytest.raises(ClinicalInputError) as caught:
        evaluate(state, now=at(70))

    assert caught.value.field == field


def test_a_boolean_moaas_never_raises_a_sedation_alert():
    state = SessionState(route=ESKETAMINE, dose_at=T0, readings=(Reading(at=at(40), moaas=True),))

    with pytest.raises(ClinicalInputError):
        evaluate(state, now=at(70))


@pytest.mark.parametrize(
    "now", [dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 10)]
)
def test_now_must_be_an_aware_time_in_the_plausible_years(now):
    with pytest.raises(ClinicalInputError) as caught:
        evaluate(SessionState(route=ESKETAMINE, dose_at=None), now=now)

    assert caught.value.field == "now"


@pytest.mark.parametrize("overrides", ["DISCH-BP", [1], None])
def test_overrides_must_be_a_collection_of_rule_ids(overrides):
    with pytest.raises(ClinicalInputError) as caught:
        evaluate(SessionState(route=ESKETAMINE, dose_at=T0), now=at(70), overrides=overrides)

    assert caught.value.field == "overrides"
