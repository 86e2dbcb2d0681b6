"""Scoped reads of patient data: every helper takes the acting membership.

Anything outside the membership's clinic is a 404 with a denied audit event; a role without
the read permission gets nothing (deny by default).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied, record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import deny_not_found, parse_id
from ketacare.patients.models import Patient, PatientQuerySet

LIST_COLUMNS = ("id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth", "is_active")


def patients_for(membership: Membership | None, *, search: str = "") -> PatientQuerySet:
    """The acting clinic's patients, optionally filtered by a name/MRN search."""
    if not has_permission(membership, Permission.VIEW_PATIENT_LIST):
        return Patient.objects.none()
    qs = Patient.objects.for_membership(membership)
    return qs.search(search) if search else qs


def get_patient_for(
    membership: Membership | None, patient_id: object, *, audit_read: bool = True
) -> Patient:
    """One patient of the acting clinic.

    Another clinic's patient (or no such patient) is an Http404 and a denied READ event. With
    `audit_read` the successful read is recorded too; services that go on to change the
    patient pass False and record their own event in their transaction.
    """
    pk = parse_id(patient_id)
    if not has_permission(membership, Permission.VIEW_PATIENT):
        record_denied(
            action=Action.READ,
            membership=membership,
            object_type="patient",
            object_id=pk if pk is not None else "",
            reason="role_lacks:view_patient" + ("" if pk is not None else " non_numeric_id"),
        )
        raise PermissionDenied("Your role does not allow reading patient records.")
    patient = Patient.objects.for_membership(membership).filter(pk=pk).first() if pk else None
    if patient is None:
        raise deny_not_found(
            membership=membership, object_type="patient", object_id=patient_id, patient_id=pk
        )
    if audit_read:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient
