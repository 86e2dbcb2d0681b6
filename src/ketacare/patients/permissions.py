"""Who may do what with patient records; the role table itself is ketacare.clinics.permissions."""

from __future__ import annotations

from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission


def can_view_patient_list(membership: Membership | None) -> bool:
    return has_permission(membership, Permission.VIEW_PATIENT_LIST)


def can_view_patient(membership: Membership | None) -> bool:
    return has_permission(membership, Permission.VIEW_PATIENT)


def can_add_patient(membership: Membership | None) -> bool:
    return has_permission(membership, Permission.ADD_PATIENT)


def can_change_patient(membership: Membership | None) -> bool:
    return has_permission(membership, Permission.CHANGE_PATIENT)
