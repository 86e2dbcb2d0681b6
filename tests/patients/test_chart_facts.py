"""`chart_facts`: the chart as the eligibility screen reads it (the `ketacare screen` document)."""

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.clinical.eligibility import parse_candidate
from ketacare.patients.queries import age_on, chart_facts, latest_weight_kg
from tests.factories import (
    AntidepressantTrialFactory,
    AssessmentFactory,
    ConditionFactory,
    MedicationFactory,
    OfficeVitalsFactory,
    PatientFactory,
    WeightMeasurementFactory,
)

TODAY = dt.date(2026, 6, 15)


def test_an_empty_chart_gives_unknowns_never_guesses(clinic_a):
    patient = PatientFactory(clinic=clinic_a, date_of_birth=dt.date(1980, 6, 16), diagnosis="")

    facts = chart_facts(patient, today=TODAY)

    assert facts == {
        "age": 45,
        "diagnosis": None,
        "failed_adequate_trials": None,
        "phq9": None,
        "madrs_total": None,
        "blood_pressure": None,
        "conditions": [],
        "pregnant": False,
        "breastfeeding": False,
    }


def test_a_full_chart_is_a_valid_screen_candidate_from_the_latest_records(clinic_a):
    # given
    patient = PatientFactory(
        clinic=clinic_a, date_of_birth=dt.date(1980, 6, 15), diagnosis="mdd", breastfeeding=True
    )
    now = timezone.now()
    AssessmentFactory(patient=patient, answers=[0] * 9, completed_at=now - dt.timedelta(days=9))
    AssessmentFactory(patient=patient, answers=[1] * 9, completed_at=now - dt.timedelta(days=1))
    AssessmentFactory(patient=patient, instrument="madrs", answers=[2] * 10, total=20)
    OfficeVitalsFactory(patient=patient, systolic=150, diastolic=95, at=now - dt.timedelta(days=3))
    OfficeVitalsFactory(patient=patient, systolic=132, diastolic=84, at=now - dt.timedelta(days=2))
    ConditionFactory(patient=patient, code="obstructive_sleep_apnea")
    ConditionFactory(patient=patient, code="interstitial_cystitis", resolved_on=TODAY)
    MedicationFactory(patient=patient, medication_class="benzodiazepine")
    MedicationFactory(patient=patient, medication_class="stimulant", stopped_on=TODAY)
    MedicationFactory(patient=patient, medication_class="maoi", stopped_on=TODAY.replace(day=20))
    AntidepressantTrialFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient, outcome="intolerance")
    AntidepressantTrialFactory(patient=patient, current_episode=False)
    AntidepressantTrialFactory(patient=patient)

    # when
    facts = chart_facts(patient, today=TODAY)

    # then
    assert facts["age"] == 46
    assert facts["diagnosis"] == "mdd"
    assert facts["failed_adequate_trials"] == 2
    assert facts["phq9"] == [1] * 9
    assert facts["madrs_total"] == 20
    assert facts["blood_pressure"] == {"systolic": 132, "diastolic": 84}
    assert facts["conditions"] == ["cns_depressant_use", "maoi_use", "obstructive_sleep_apnea"]
    assert facts["breastfeeding"] is True
    parse_candidate({"route": "iv_ketamine", **facts})


def test_chart_facts_reads_in_a_fixed_number_of_queries(clinic_a, django_assert_num_queries):
    patient = PatientFactory(clinic=clinic_a, diagnosis="mdd")
    for _ in range(5):
        AntidepressantTrialFactory(patient=patient)
        MedicationFactory(patient=patient, medication_class="opioid")
        AssessmentFactory(patient=patient)

    with django_assert_num_queries(6):
        chart_facts(patient)


def test_latest_weight_is_the_last_measured_not_the_last_entered(clinic_a):
    patient = PatientFactory(clinic=clinic_a)
    assert latest_weight_kg(patient) is None
    WeightMeasurementFactory(patient=patient, weight_kg=80, measured_on=dt.date(2026, 3, 2))
    WeightMeasurementFactory(patient=patient, weight_kg=70, measured_on=dt.date(2026, 3, 1))

    assert latest_weight_kg(patient) == 80.0


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),
        (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
        (dt.date(1990, 12, 31), dt.date(2026, 12, 31), 36),
    ],
)
def test_age_counts_completed_years(born, on, years):
    assert age_on(born, on) == years
