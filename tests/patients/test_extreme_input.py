"""Input at the edges of the calendar, and ids of another clinic's records on a page: an answer
naming the field or a 404 with its denied event, never a 500, nothing saved (found by fuzzing
the API and probing the pages)."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Assessment, OfficeVitals, Patient, WeightMeasurement
from tests.factories import CareNoteFactory

PATIENTS = "/api/v1/patients"


@pytest.mark.parametrize(
    ("path", "body", "field", "model"),
    [
        (
            "vitals",
            {"systolic": 120, "diastolic": 80, "at": "0001-01-01T00:00:00+14:00"},
            "at",
            OfficeVitals,
        ),
        (
            "assessments",
            {"instrument": "phq9", "answers": [0] * 9, "completed_at": "0001-01-01T00:00:00+14:00"},
            "completed_at",
            Assessment,
        ),
        (
            "vitals",
            {"systolic": 120, "diastolic": 80, "at": "1899-12-31T12:00:00+00:00"},
            "at",
            OfficeVitals,
        ),
        (
            "weights",
            {"weight_kg": 80, "measured_on": "0001-01-01"},
            "measured_on",
            WeightMeasurement,
        ),
    ],
)
def test_a_time_or_date_before_1900_is_a_422_naming_the_field_and_nothing_is_saved(
    api, nora, patient_a, path, body, field, model
):
    response = api(nora).post(f"/patients/{patient_a.pk}/{path}", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not model.objects.filter(patient=patient_a).exists()


def test_registering_with_a_pregnancy_status_dated_in_the_future_is_a_422_naming_it(
    api, alice, clinic_a
):
    body = {
        "given_name": "Ada",
        "family_name": "Vance",
        "date_of_birth": "1990-01-01",
        "sex_at_birth": "female",
        "pregnant": True,
        "pregnancy_status_on": "9999-12-31",
    }

    response = api(alice).post("/patients", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "pregnancy_status_on"
    assert not Patient.objects.filter(family_name="Vance").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_amending_another_clinics_note_from_a_patient_page_is_a_404_with_a_denied_event(
    staff_client, alice, patient_a, patient_b, method
):
    note = CareNoteFactory(patient=patient_b)
    url = f"/patients/{patient_a.pk}/notes/{note.pk}/amend/"

    client = staff_client(alice)
    response = (
        client.get(url) if method == "get" else client.post(url, {"text": "x", "reason": "y"})
    )

    assert response.status_code == 404
    denied = AuditEvent.objects.get(allowed=False, object_type="care_note")
    assert (denied.object_id, denied.clinic_id) == (str(note.pk), alice.clinic_id)
    assert not note.__class__.objects.filter(supersedes_id=note.pk).exists()


def test_a_patient_search_with_a_nul_character_is_a_422_naming_q(api, alice, patient_a):
    response = api(alice).get("/patients", q="Ada\x00")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


def test_resolving_a_condition_code_with_a_nul_character_is_a_422_naming_code(
    api, alice, patient_a
):
    response = api(alice).delete(f"/patients/{patient_a.pk}/conditions/a%00b")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "code"


def test_the_resolve_button_with_a_nul_in_the_code_says_so_on_the_chart(
    staff_client, alice, patient_a
):
    url = f"/patients/{patient_a.pk}/conditions/a%00b/resolve/"

    response = staff_client(alice).post(url, follow=True)

    assert response.status_code == 200
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_clinics_admin_opening_a_notes_amend_page_gets_404_not_403(
    staff_client, bob, patient_a, method
):
    note = CareNoteFactory(patient=patient_a)
    url = f"/patients/{patient_a.pk}/notes/{note.pk}/amend/"

    client = staff_client(bob)
    response = (
        client.get(url) if method == "get" else client.post(url, {"text": "x", "reason": "y"})
    )

    assert response.status_code == 404
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.object_type, denied.object_id, denied.clinic_id) == (
        "patient",
        str(patient_a.pk),
        bob.clinic_id,
    )


def test_a_role_without_sign_note_still_gets_403_on_its_own_clinics_amend_page(
    staff_client, cora, patient_a
):
    note = CareNoteFactory(patient=patient_a)

    response = staff_client(cora).get(f"/patients/{patient_a.pk}/notes/{note.pk}/amend/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(allowed=False, object_type="care_note").exists()
