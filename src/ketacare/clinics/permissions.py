"""What each staff role may do, as data. Deny by default.

A permission not listed for a role is refused; a role not in the table (or no membership at
all) has no permission. Checks take the acting membership (see `ketacare.clinics.tenancy`);
the clinic boundary is enforced separately by the scoped queries, so a permission here never
reaches another clinic's data.

| permission            | clinic_admin | prescriber | nurse | coordinator | auditor |
| --------------------- | :----------: | :--------: | :---: | :---------: | :-----: |
| view_patient_list     |      x       |     x      |   x   |      x      |    x    |
| view_patient          |      x       |     x      |   x   |      x      |    x    |
| add_patient           |      x       |            |       |      x      |         |
| change_patient        |      x       |     x      |       |      x      |         |
| use_admin             |      x       |            |       |             |         |
| manage_memberships    |      x       |            |       |             |         |
| change_clinic         |      x       |            |       |             |         |
| view_audit_report     |      x       |            |       |             |    x    |

Why: everyone who treats or schedules a patient has to find them, and the auditor reviews
who saw what, so all five roles see the list (the auditor only reads). Demographics are kept
by the people who register patients (coordinator, clinic admin) and corrected by prescribers;
nurses record session data, which comes with a later issue. Patients are never hard-deleted
(they are deactivated, an audited change), so there is no delete permission.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from ketacare.clinics.models import Role

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership


class Permission(StrEnum):
    VIEW_PATIENT_LIST = "view_patient_list"
    VIEW_PATIENT = "view_patient"
    ADD_PATIENT = "add_patient"
    CHANGE_PATIENT = "change_patient"
    USE_ADMIN = "use_admin"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    CHANGE_CLINIC = "change_clinic"
    VIEW_AUDIT_REPORT = "view_audit_report"


_READ = frozenset({Permission.VIEW_PATIENT_LIST, Permission.VIEW_PATIENT})

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CLINIC_ADMIN: _READ
    | {
        Permission.ADD_PATIENT,
        Permission.CHANGE_PATIENT,
        Permission.USE_ADMIN,
        Permission.MANAGE_MEMBERSHIPS,
        Permission.CHANGE_CLINIC,
        Permission.VIEW_AUDIT_REPORT,
    },
    Role.PRESCRIBER: _READ | {Permission.CHANGE_PATIENT},
    Role.NURSE: _READ,
    Role.COORDINATOR: _READ | {Permission.ADD_PATIENT, Permission.CHANGE_PATIENT},
    Role.AUDITOR: _READ | {Permission.VIEW_AUDIT_REPORT},
}


def has_permission(membership: Membership | None, permission: Permission) -> bool:
    if membership is None or not membership.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(membership.role, frozenset())


def require_permission(membership: Membership | None, permission: Permission) -> None:
    """Raise PermissionDenied (403) unless the membership's role grants `permission`."""
    if not has_permission(membership, permission):
        raise PermissionDenied(f"Your role does not allow {permission.value}.")
