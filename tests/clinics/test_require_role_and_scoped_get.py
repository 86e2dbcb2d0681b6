"""`require_role` and `scoped_get`: the role check and the scoped read every app's queries use."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped_get
from ketacare.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_a_role_with_the_permission_passes_and_nothing_is_recorded(alice):
    assert require_role(alice, Permission.SIGN_PLAN, action=Action.CREATE, object_type="x") == alice
    assert not AuditEvent.objects.exists()


def test_a_role_without_it_is_a_403_and_a_denied_event_with_the_id_only(nora, patient_a):
    with pytest.raises(PermissionDenied, match=r"^Your role does not allow sign_plan\.$"):
        require_role(
            nora,
            Permission.SIGN_PLAN,
            action=Action.CREATE,
            object_type="treatment_plan",
            object_id="Jane Doe",
            patient_id=patient_a.pk,
        )

    event = AuditEvent.objects.get()
    assert (event.allowed, event.action, event.object_id, event.patient_id, event.detail) == (
        False,
        "create",
        "",
        patient_a.pk,
        "role_lacks:sign_plan",
    )


def test_the_403_may_say_its_own_sentence(db):
    with pytest.raises(PermissionDenied, match=r"^Ask your clinic admin\.$"):
        require_role(
            None,
            Permission.VIEW_PLAN,
            action=Action.READ,
            object_type="x",
            message="Ask your clinic admin.",
        )


def test_scoped_get_reads_the_clinics_row(alice, patient_a):
    assert scoped_get(Patient.objects, alice, str(patient_a.pk), object_type="patient") == patient_a


@pytest.mark.parametrize("which", ["other_clinic", "missing", "not_a_number"])
def test_scoped_get_anything_else_is_a_404_and_a_denied_event(alice, patient_b, which):
    object_id = {"other_clinic": patient_b.pk, "missing": 999999, "not_a_number": "x"}[which]

    with pytest.raises(Http404):
        scoped_get(Patient.objects, alice, object_id, object_type="patient", action=Action.UPDATE)

    event = AuditEvent.objects.get()
    assert (event.allowed, event.action, event.clinic_id) == (False, "update", alice.clinic_id)
