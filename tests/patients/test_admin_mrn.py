"""An MRN is unique within a clinic: a taken one is a form error in the admin, never a 500.

A clinic admin edits a patient with the clinic read-only, and Django leaves a constraint on a
field outside the form unchecked, so the (clinic, MRN) constraint has to be checked by the form.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from tests.factories import PatientFactory, UserFactory
from tests.patients.test_admin_versions import change_url, form_of

TAKEN = "Patient with this Clinic and MRN already exists."


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("who", ["adam", "root"])
def test_an_mrn_taken_in_the_same_clinic_is_refused_and_nothing_is_saved(
    staff_client, request, clinic_a, patient_a, who
):
    PatientFactory(clinic=clinic_a, mrn="TAKEN-1")
    editor = staff_client(request.getfixturevalue(who), raise_request_exception=False)
    before = patient_a.mrn

    response = editor.post(
        change_url(patient_a), form_of(patient_a, mrn="TAKEN-1", clinic=clinic_a.pk)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [TAKEN]
    patient_a.refresh_from_db()
    assert (patient_a.mrn, patient_a.version) == (before, 1)
    assert not AuditEvent.objects.filter(action=Action.UPDATE, object_type="patient").exists()


def test_an_mrn_taken_only_in_another_clinic_is_saved(staff_client, adam, clinic_b, patient_a):
    PatientFactory(clinic=clinic_b, mrn="ELSEWHERE-1")

    response = staff_client(adam).post(change_url(patient_a), form_of(patient_a, mrn="ELSEWHERE-1"))

    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert (patient_a.mrn, patient_a.version) == ("ELSEWHERE-1", 2)


def test_adding_a_patient_with_a_taken_mrn_is_refused(staff_client, adam, clinic_a, patient_a):
    data = {**form_of(patient_a), "clinic": clinic_a.pk}
    del data["loaded_version"]

    response = staff_client(adam).post(reverse("admin:patients_patient_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [TAKEN]
    assert clinic_a.patients.count() == 1
