"""The chart's pages: register, the chart (sections by role), add-forms, edit with a version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Condition, Patient, WeightMeasurement
from tests.factories import (
    AntidepressantTrialFactory,
    CareNoteFactory,
    ConsentFactory,
    MedicationFactory,
)

REGISTER = "/patients/new/"


def _chart(patient) -> str:
    return f"/patients/{patient.pk}/"


@pytest.mark.parametrize("person", ["cora", "alice", "adam"])
def test_add_patient_roles_register_from_the_page(staff_client, request, person):
    client = staff_client(request.getfixturevalue(person))

    form = client.get(REGISTER)
    response = client.post(
        REGISTER,
        {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "date_of_birth": "1980-12-10",
            "sex_at_birth": "female",
            "phone": "555-0101",
        },
    )

    assert form.status_code == 200
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.mrn.startswith("KC-")


def test_a_nurse_cannot_open_the_register_page(staff_client, nora):
    assert staff_client(nora).get(REGISTER).status_code == 403


def test_a_future_birth_date_is_a_form_error_and_nothing_is_saved(staff_client, cora):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = staff_client(cora).post(
        REGISTER,
        {"given_name": "A", "family_name": "B", "date_of_birth": tomorrow, "sex_at_birth": "male"},
    )

    assert response.status_code == 400
    assert "The date must not be in the future." in response.content.decode()
    assert not Patient.objects.exists()


def test_the_home_page_links_to_register_and_to_each_chart(staff_client, cora, patient_a):
    page = staff_client(cora).get("/").content.decode()

    assert 'href="/patients/new/"' in page
    assert f'href="/patients/{patient_a.pk}/"' in page


def test_the_chart_shows_every_section_to_a_prescriber(staff_client, alice, patient_a):
    MedicationFactory(patient=patient_a, name="Lorazepam", medication_class="benzodiazepine")
    CareNoteFactory(patient=patient_a, text="Seen and well.")

    response = staff_client(alice).get(_chart(patient_a))

    page = response.content.decode()
    assert response.status_code == 200
    for anchor in ("details", "status", "weights", "vitals", "allergies", "medications"):
        assert f'id="{anchor}"' in page
    for anchor in ("conditions", "trials", "assessments", "consents", "notes"):
        assert f'id="{anchor}"' in page
    assert "badge-warn" in page  # the benzodiazepine's class is highlighted
    assert "Seen and well." in page
    assert f'href="/patients/{patient_a.pk}/eligibility/"' in page
    assert f'href="/patients/{patient_a.pk}/plans/"' in page
    event = AuditEvent.objects.filter(object_type="patient", patient_id=patient_a.pk).last()
    assert event.action == "read"
    assert event.detail.startswith("chart sections=")


def test_a_coordinator_sees_no_clinical_section(staff_client, cora, patient_a):
    MedicationFactory(patient=patient_a, name="Lorazepam")
    CareNoteFactory(patient=patient_a, text="Private clinical note.")
    ConsentFactory(patient=patient_a)

    page = staff_client(cora).get(_chart(patient_a)).content.decode()

    for anchor in ("status", "weights", "medications", "conditions", "trials", "notes"):
        assert f'id="{anchor}"' not in page
    assert "Lorazepam" not in page
    assert "Private clinical note." not in page
    assert 'id="consents"' in page
    assert "Consent current" in page
    assert "/eligibility/" not in page
    assert f'href="/patients/{patient_a.pk}/sessions/"' in page


def test_bob_gets_404_on_clinic_as_chart(staff_client, bob, patient_a):
    assert staff_client(bob).get(_chart(patient_a)).status_code == 404


def test_a_weight_added_on_the_page_is_saved(staff_client, nora, patient_a):
    response = staff_client(nora).post(
        f"/patients/{patient_a.pk}/add/weights/", {"weights-weight_kg": "70.2"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#weights")
    assert WeightMeasurement.objects.get().weight_kg == Decimal("70.2")


def test_a_zero_weight_is_a_form_error_on_the_chart(staff_client, nora, patient_a):
    response = staff_client(nora).post(
        f"/patients/{patient_a.pk}/add/weights/", {"weights-weight_kg": "0"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "DOSE-IV-WEIGHT" in page
    # The field's label, not its code name; the form posts back to its own section.
    assert "Weight (kg) must be from 30 to 300 kg" in page
    assert f'action="/patients/{patient_a.pk}/add/weights/#weights"' in page
    # Django's widget points aria-describedby at "<id>_helptext": the help text carries that id.
    assert 'id="id_weights-measured_on_helptext"' in page
    assert '<details class="chart-add" open>' in page
    assert not WeightMeasurement.objects.exists()


def test_a_coordinator_posting_a_clinical_form_gets_403(staff_client, cora, patient_a):
    response = staff_client(cora).post(
        f"/patients/{patient_a.pk}/add/conditions/", {"conditions-code": "maoi_use"}
    )

    assert response.status_code == 403
    assert not Condition.objects.exists()


def test_a_condition_is_added_and_resolved_from_the_page(staff_client, alice, patient_a):
    client = staff_client(alice)

    client.post(f"/patients/{patient_a.pk}/add/conditions/", {"conditions-code": "maoi_use"})
    client.post(f"/patients/{patient_a.pk}/conditions/maoi_use/resolve/")

    condition = Condition.objects.get()
    assert condition.resolved_on == timezone.localdate()


def test_a_scale_is_scored_from_the_page(staff_client, nora, patient_a):
    answers = {f"item_{n}": v for n, v in enumerate("222211211", start=1)}
    response = staff_client(nora).post(
        f"/patients/{patient_a.pk}/scales/new/", {"instrument": "phq9", **answers}
    )

    assert response.status_code == 302
    page = staff_client(nora).get(_chart(patient_a)).content.decode()
    assert "Suicidal ideation" in page and "suicidal_ideation" not in page


def test_the_trial_count_is_shown(staff_client, alice, patient_a):
    AntidepressantTrialFactory(patient=patient_a)
    AntidepressantTrialFactory(patient=patient_a)

    page = staff_client(alice).get(_chart(patient_a)).content.decode()

    assert "Failed adequate trials in the current episode: <strong>2</strong>" in page


def _edit_data(patient, **changes):
    data = {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_at_birth": patient.sex_at_birth,
        "version": patient.version,
    }
    return {**data, **changes}


def test_an_edit_saves_over_the_loaded_version(staff_client, cora, patient_a):
    response = staff_client(cora).post(
        f"/patients/{patient_a.pk}/edit/", _edit_data(patient_a, phone="555-0133")
    )

    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.version) == ("555-0133", 2)


def test_the_second_of_two_editors_gets_a_conflict_message(staff_client, cora, adam, patient_a):
    # given: both editors loaded version 1
    first = staff_client(cora)
    second = staff_client(adam)
    assert (
        'name="version" value="1"' in second.get(f"/patients/{patient_a.pk}/edit/").content.decode()
    )
    first.post(f"/patients/{patient_a.pk}/edit/", _edit_data(patient_a, phone="555-0001"))

    # when: the second saves over the version they loaded
    response = second.post(
        f"/patients/{patient_a.pk}/edit/", _edit_data(patient_a, phone="555-0002", version=1)
    )

    # then
    assert response.status_code == 409
    assert "Someone else saved this record first" in response.content.decode()
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.version) == ("555-0001", 2)


def test_a_coordinators_edit_form_has_no_clinical_fields(staff_client, cora, patient_a):
    page = staff_client(cora).get(f"/patients/{patient_a.pk}/edit/").content.decode()

    assert 'name="pregnant"' not in page
    assert 'name="psychiatric_history"' not in page


def test_a_prescriber_records_pregnancy_status_with_its_date(staff_client, alice, patient_a):
    response = staff_client(alice).post(
        f"/patients/{patient_a.pk}/edit/", _edit_data(patient_a, pregnant="on")
    )

    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.pregnant is True
    assert patient_a.pregnancy_status_on == timezone.localdate()


def test_a_note_is_amended_from_its_page(staff_client, nora, patient_a):
    note = CareNoteFactory(patient=patient_a, text="First", thread_id=None)
    client = staff_client(nora)

    response = client.post(
        f"/patients/{patient_a.pk}/notes/{note.pk}/amend/", {"text": "Second", "reason": "typo"}
    )

    assert response.status_code == 302
    page = client.get(_chart(patient_a)).content.decode()
    assert "Second" in page
    assert "Earlier versions (1)" in page


def test_a_nurse_edits_diagnosis_and_pregnancy_status_but_not_demographics(
    staff_client, nora, patient_a
):
    nurse = staff_client(nora)
    page = nurse.get(f"/patients/{patient_a.pk}/edit/").content.decode()
    assert 'name="diagnosis"' in page and 'name="pregnant"' in page
    assert 'name="given_name"' not in page and 'name="phone"' not in page

    response = nurse.post(
        f"/patients/{patient_a.pk}/edit/",
        {"diagnosis": "mdd", "pregnant": "on", "version": patient_a.version},
    )

    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert (patient_a.diagnosis, patient_a.pregnant) == ("mdd", True)
    assert patient_a.given_name  # untouched


def test_an_auditor_cannot_open_the_edit_page(staff_client, audrey, patient_a):
    assert staff_client(audrey).get(f"/patients/{patient_a.pk}/edit/").status_code == 403
