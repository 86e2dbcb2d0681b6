"""The role table: exactly what each role may do; anything else is denied."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import (
    DESCRIPTIONS,
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    permissions_markdown,
    require_permission,
)

P = Permission
_READ = {P.VIEW_PATIENT_LIST, P.VIEW_PATIENT}
# Written out again on purpose: a change to the table must be made twice to pass.
EXPECTED = {
    "clinic_admin": _READ
    | {
        P.ADD_PATIENT,
        P.CHANGE_PATIENT,
        P.VIEW_CLINICAL,
        P.RECORD_CONSENT,
        P.VIEW_INTAKE,
        P.MANAGE_INTAKE,
        P.VIEW_ELIGIBILITY,
        P.VIEW_SCHEDULE,
        P.VIEW_PLAN,
        P.SCHEDULE_SESSION,
        P.VIEW_SESSION,
        P.SUBMIT_REMS_FORM,
        P.USE_ADMIN,
        P.MANAGE_MEMBERSHIPS,
        P.CHANGE_CLINIC,
        P.VIEW_AUDIT_REPORT,
        P.VIEW_FOLLOWUP,
        P.VIEW_CLINIC_OUTCOMES,
    },
    "prescriber": _READ
    | {
        P.ADD_PATIENT,
        P.CHANGE_PATIENT,
        P.VIEW_CLINICAL,
        P.CHART_CLINICAL,
        P.RECORD_CONSENT,
        P.SIGN_NOTE,
        P.VIEW_INTAKE,
        P.VIEW_ELIGIBILITY,
        P.SIGN_ELIGIBILITY,
        P.VIEW_SCHEDULE,
        P.VIEW_PLAN,
        P.SIGN_PLAN,
        P.SCHEDULE_SESSION,
        P.VIEW_SESSION,
        P.CHART_SESSION,
        P.DECIDE_SESSION,
        P.SUBMIT_REMS_FORM,
        P.VIEW_FOLLOWUP,
        P.SEND_ASSESSMENT_LINK,
        P.ACKNOWLEDGE_OUTCOME_ALERT,
        P.VIEW_CLINIC_OUTCOMES,
        P.RELEASE_REPORT,
    },
    "nurse": _READ
    | {
        P.VIEW_CLINICAL,
        P.CHART_CLINICAL,
        P.RECORD_CONSENT,
        P.SIGN_NOTE,
        P.VIEW_ELIGIBILITY,
        P.VIEW_SCHEDULE,
        P.VIEW_PLAN,
        P.VIEW_SESSION,
        P.CHART_SESSION,
        P.SUBMIT_REMS_FORM,
        P.VIEW_FOLLOWUP,
        P.SEND_ASSESSMENT_LINK,
        P.ACKNOWLEDGE_OUTCOME_ALERT,
    },
    "coordinator": _READ
    | {
        P.ADD_PATIENT,
        P.CHANGE_PATIENT,
        P.RECORD_CONSENT,
        P.VIEW_INTAKE,
        P.MANAGE_INTAKE,
        P.VIEW_SCHEDULE,
        P.SCHEDULE_SESSION,
        P.VIEW_FOLLOWUP,
        P.SEND_ASSESSMENT_LINK,
    },
    "auditor": _READ
    | {
        P.VIEW_CLINICAL,
        P.VIEW_INTAKE,
        P.VIEW_ELIGIBILITY,
        P.VIEW_SCHEDULE,
        P.VIEW_PLAN,
        P.VIEW_SESSION,
        P.VIEW_AUDIT_REPORT,
        P.VIEW_FOLLOWUP,
    },
}


def test_the_table_covers_exactly_the_five_roles():
    assert set(ROLE_PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_its_permissions(role, permission):
    membership = Membership(role=role)
    assert has_permission(membership, permission) is (permission in EXPECTED[role])


def test_the_issue_s_role_promises_hold():
    nurse, coordinator, auditor = (EXPECTED[r] for r in ("nurse", "coordinator", "auditor"))
    assert not nurse & {P.SIGN_ELIGIBILITY, P.SIGN_PLAN}
    assert P.VIEW_CLINICAL not in coordinator and P.SCHEDULE_SESSION in coordinator
    writes = {p for p in Permission if not p.value.startswith("view_")}
    assert not auditor & writes


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


def test_every_permission_is_described():
    assert set(DESCRIPTIONS) == set(Permission)


def test_the_committed_permissions_doc_is_current():
    committed = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    assert committed.read_text(encoding="utf-8") == permissions_markdown(), (
        "docs/permissions.md is stale: run `make permissions-doc`."
    )


def test_the_command_prints_the_markdown(capsys):
    call_command("permissions", "--format", "markdown")
    assert capsys.readouterr().out == permissions_markdown()
