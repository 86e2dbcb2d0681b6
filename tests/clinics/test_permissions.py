"""The role table: exactly what each role may do; anything else is denied."""

import pytest
from django.core.exceptions import PermissionDenied

from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    require_permission,
)

P = Permission
EXPECTED = {
    "clinic_admin": {
        P.VIEW_PATIENT_LIST,
        P.VIEW_PATIENT,
        P.ADD_PATIENT,
        P.CHANGE_PATIENT,
        P.USE_ADMIN,
        P.MANAGE_MEMBERSHIPS,
        P.CHANGE_CLINIC,
        P.VIEW_AUDIT_REPORT,
    },
    "prescriber": {P.VIEW_PATIENT_LIST, P.VIEW_PATIENT, P.CHANGE_PATIENT},
    "nurse": {P.VIEW_PATIENT_LIST, P.VIEW_PATIENT},
    "coordinator": {P.VIEW_PATIENT_LIST, P.VIEW_PATIENT, P.ADD_PATIENT, P.CHANGE_PATIENT},
    "auditor": {P.VIEW_PATIENT_LIST, P.VIEW_PATIENT, P.VIEW_AUDIT_REPORT},
}


def test_the_table_covers_exactly_the_five_roles():
    assert set(ROLE_PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_its_permissions(role, permission):
    membership = Membership(role=role)
    assert has_permission(membership, permission) is (permission in EXPECTED[role])


def test_no_membership_and_an_inactive_one_have_no_permission():
    assert not any(has_permission(None, p) for p in Permission)
    inactive = Membership(role="clinic_admin", is_active=False)
    assert not any(has_permission(inactive, p) for p in Permission)


def test_an_unknown_role_has_no_permission():
    assert not any(has_permission(Membership(role="janitor"), p) for p in Permission)


def test_require_permission_raises_403_for_a_missing_permission():
    with pytest.raises(PermissionDenied, match="use_admin"):
        require_permission(Membership(role="nurse"), Permission.USE_ADMIN)
    require_permission(Membership(role="clinic_admin"), Permission.USE_ADMIN)
