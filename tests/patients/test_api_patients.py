"""POST/GET/PATCH /api/v1/patients (contracts.md 2.1): register, list, the chart, edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Patient
from tests.factories import (
    AntidepressantTrialFactory,
    ConditionFactory,
    ConsentFactory,
    PatientFactory,
    WeightMeasurementFactory,
)

NEW = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1980-12-10",
    "sex_at_birth": "female",
}


def test_a_prescriber_registers_a_patient_and_gets_the_chart(api, alice):
    response = api(alice).post("/patients", {**NEW, "diagnosis": "mdd", "phone": "555-0101"})

    assert response.status_code == 201, response.content
    chart = response.json()
    patient = Patient.objects.get(pk=chart["id"])
    assert chart["clinic_id"] == alice.clinic_id == patient.clinic_id
    assert chart["mrn"].startswith("KC-")
    assert chart["diagnosis"] == "mdd"
    assert chart["weight_kg"] is None
    assert chart["conditions"] == []
    assert chart["failed_adequate_trials"] is None
    assert chart["version"] == 1
    assert chart["consent_current"] is False
    assert AuditEvent.objects.filter(
        action="create", object_type="patient", patient_id=patient.pk
    ).exists()


def test_generated_mrns_are_unique_in_the_clinic(api, alice, clinic_a):
    PatientFactory(clinic=clinic_a, mrn="KC-000002")
    caller = api(alice)

    mrns = {caller.post("/patients", NEW).json()["mrn"] for _ in range(3)}

    assert len(mrns) == 3
    assert "KC-000002" not in mrns


def test_a_taken_mrn_is_a_422_naming_mrn(api, alice, patient_a):
    response = api(alice).post("/patients", {**NEW, "mrn": patient_a.mrn})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "mrn"
    assert Patient.objects.count() == 1


def test_a_future_birth_date_is_a_422_and_nothing_is_saved(api, alice):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = api(alice).post("/patients", {**NEW, "date_of_birth": tomorrow})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "date_of_birth"
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sex_at_birth": "x"}, "sex_at_birth"),
        ({"diagnosis": "flu"}, "diagnosis"),
        ({"given_name": ""}, "given_name"),
        ({"email": "not-an-address"}, "email"),
        ({"nickname": "Ada"}, "nickname"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"given_name": "A\x00da"}, "given_name"),
    ],
)
def test_bad_registration_input_is_a_422_naming_the_field(api, alice, change, field):
    response = api(alice).post("/patients", {**NEW, **change})

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Patient.objects.exists()


def test_a_coordinator_registers_a_patient(api, cora):
    response = api(cora).post("/patients", NEW)

    assert response.status_code == 201
    # The coordinator reads no clinical field: they are null, not guessed.
    assert response.json()["diagnosis"] is None
    assert response.json()["conditions"] is None


def test_a_coordinator_may_not_set_a_diagnosis(api, cora):
    response = api(cora).post("/patients", {**NEW, "diagnosis": "mdd"})

    assert response.status_code == 403
    assert not Patient.objects.exists()


@pytest.mark.parametrize("person", ["nora", "audrey"])
def test_a_nurse_or_auditor_cannot_register_a_patient(api, request, person):
    response = api(request.getfixturevalue(person)).post("/patients", NEW)

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow add_patient."}
    assert not Patient.objects.exists()
    assert AuditEvent.objects.filter(allowed=False, detail="role_lacks:add_patient").exists()


def test_registering_in_a_clinic_one_does_not_belong_to_is_a_404(api, alice, clinic_b):
    response = api(alice).post("/patients", {**NEW, "clinic_id": clinic_b.pk})

    assert response.status_code == 404
    assert not Patient.objects.exists()


def test_the_list_searches_pages_and_stays_in_the_clinic(api, alice, clinic_a, patient_b):
    for n in range(3):
        PatientFactory(clinic=clinic_a, family_name=f"Smith{n}")
    PatientFactory(clinic=clinic_a, family_name="Jones")

    everything = api(alice).get("/patients").json()
    smiths = api(alice).get("/patients", q="smith", limit=2, offset=0).json()

    assert everything["count"] == 4
    assert patient_b.pk not in [p["id"] for p in everything["items"]]
    assert smiths["count"] == 3
    assert len(smiths["items"]) == 2
    assert set(smiths["items"][0]) == {
        "id",
        "clinic_id",
        "mrn",
        "given_name",
        "family_name",
        "date_of_birth",
        "is_active",
    }


@pytest.mark.parametrize("limit", [0, 201, "x"])
def test_a_limit_outside_1_to_200_is_a_422(api, alice, limit):
    response = api(alice).get("/patients", limit=limit)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "limit"


def test_the_chart_has_the_contract_fields_derived_from_the_records(api, alice, clinic_a):
    patient = PatientFactory(clinic=clinic_a, diagnosis="mdd", date_of_birth=dt.date(1980, 1, 1))
    WeightMeasurementFactory(patient=patient, weight_kg="81.5", measured_on=dt.date(2026, 1, 2))
    ConditionFactory(patient=patient, code="obstructive_sleep_apnea")
    ConditionFactory(patient=patient, code="interstitial_cystitis", resolved_on=dt.date(2026, 1, 1))
    AntidepressantTrialFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient)
    ConsentFactory(patient=patient, document="ketamine_treatment")

    chart = api(alice).get(f"/patients/{patient.pk}").json()

    assert chart["weight_kg"] == 81.5
    assert chart["conditions"] == ["obstructive_sleep_apnea"]
    assert chart["failed_adequate_trials"] == 2
    assert chart["consent_current"] is True
    assert chart["pregnant"] is False
    assert {"id", "clinic_id", "mrn", "age", "sex_at_birth", "version"} <= set(chart)
    assert AuditEvent.objects.filter(
        action="read", object_type="patient", patient_id=patient.pk, allowed=True
    ).exists()


def test_another_clinics_patient_is_a_404_with_a_denied_event(api, bob, patient_a):
    response = api(bob).get(f"/patients/{patient_a.pk}")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        allowed=False, object_type="patient", clinic_id=bob.clinic_id
    ).exists()


def test_patch_changes_fields_and_bumps_the_version_with_history(api, alice, patient_a):
    response = api(alice).patch(
        f"/patients/{patient_a.pk}",
        {"version": 1, "phone": "555-0199", "pregnant": True, "emergency_contact_name": "Bea"},
    )

    assert response.status_code == 200, response.content
    chart = response.json()
    assert chart["version"] == 2
    assert chart["pregnant"] is True
    assert chart["pregnancy_status_on"] == timezone.localdate().isoformat()
    patient_a.refresh_from_db()
    assert patient_a.phone == "555-0199"
    assert patient_a.history.count() == 2
    assert patient_a.history.first().history_user_id == alice.user_id


def test_a_stale_version_is_a_409_and_changes_nothing(api, alice, nora, patient_a):
    api(alice).patch(f"/patients/{patient_a.pk}", {"version": 1, "phone": "555-0001"})

    response = api(alice).patch(f"/patients/{patient_a.pk}", {"version": 1, "phone": "555-0002"})

    assert response.status_code == 409
    assert "Someone else saved" in response.json()["detail"]
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.version) == ("555-0001", 2)


def test_a_coordinator_edits_contact_but_not_clinical_fields(api, cora, patient_a):
    ok = api(cora).patch(f"/patients/{patient_a.pk}", {"version": 1, "phone": "555-0101"})
    refused = api(cora).patch(f"/patients/{patient_a.pk}", {"version": 2, "pregnant": True})

    assert ok.status_code == 200
    assert refused.status_code == 403
    patient_a.refresh_from_db()
    assert (patient_a.pregnant, patient_a.version) == (False, 2)


def test_an_auditor_never_writes(api, audrey, patient_a):
    response = api(audrey).patch(f"/patients/{patient_a.pk}", {"version": 1, "phone": "1"})

    assert response.status_code == 403
    patient_a.refresh_from_db()
    assert patient_a.version == 1


def test_patch_of_another_clinics_patient_is_a_404(api, bob, patient_a):
    response = api(bob).patch(f"/patients/{patient_a.pk}", {"version": 1, "phone": "1"})

    assert response.status_code == 404
