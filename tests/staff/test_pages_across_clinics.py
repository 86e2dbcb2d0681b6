"""A colleague's pages find the colleague in the acting clinic before they ask the role, as the
API does: another clinic's (or a missing) membership is a 404 with a denied event naming its id,
whatever the outsider's role; a role refused inside the clinic is a 403."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import AuditEvent
from ketacare.staff.models import Invitation
from tests.accounts.helpers import confirmed_device

pytestmark = pytest.mark.django_db

MISSING_ID = 987654

# (method, path under /staff/<id>/, form, audited action of the 404, object type of the 403)
PAGES = [
    pytest.param("get", "", None, "read", "membership", id="GET colleague"),
    pytest.param("post", "role/", {"role": "coordinator"}, "update", "membership",
                 id="POST role"),
    pytest.param("post", "active/", {"is_active": "0"}, "update", "membership",
                 id="POST deactivate"),
    pytest.param("post", "reset-authenticator/", {"reason": "Lost the phone."}, "update",
                 "membership", id="POST reset"),
    pytest.param("post", "invitation/", {}, "create", "invitation", id="POST resend"),
]  # fmt: skip


def _send(client, method, url, form):
    send = getattr(client, method)
    return send(url, form) if form is not None else send(url)


def _denied():
    return list(AuditEvent.objects.filter(allowed=False).order_by("pk"))


@pytest.fixture
def colleague(alice):
    """The clinic A colleague the pages are about, with an authenticator to reset."""
    confirmed_device(alice.user)
    return alice


def _assert_untouched(colleague):
    colleague.refresh_from_db()
    assert (colleague.role, colleague.is_active) == ("prescriber", True)
    assert TOTPDevice.objects.filter(user=colleague.user).exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("outsider", ["nell", "bob"])
@pytest.mark.parametrize(("method", "page", "form", "action", "object_type"), PAGES)
def test_a_clinic_b_member_gets_404_with_a_denied_event_naming_the_colleague(
    request, staff_client, colleague, outsider, method, page, form, action, object_type
):
    by = request.getfixturevalue(outsider)

    response = _send(staff_client(by), method, f"/staff/{colleague.pk}/{page}", form)

    assert response.status_code == 404
    assert "alice" not in response.content.decode()
    (event,) = AuditEvent.objects.all()
    assert (event.allowed, event.action, event.clinic_id, event.actor_role) == (
        False,
        action,
        by.clinic_id,
        by.role,
    )
    assert (event.object_type, event.object_id, event.detail) == (
        "membership",
        str(colleague.pk),
        "not_found_in_clinic",
    )
    _assert_untouched(colleague)


@pytest.mark.parametrize(("method", "page", "form", "action", "object_type"), PAGES)
def test_a_missing_colleague_is_a_404_even_for_a_role_without_the_permission(
    staff_client, nora, method, page, form, action, object_type
):
    response = _send(staff_client(nora), method, f"/staff/{MISSING_ID}/{page}", form)

    assert response.status_code == 404
    (event,) = _denied()
    assert (event.action, event.object_id, event.detail) == (
        action,
        str(MISSING_ID),
        "not_found_in_clinic",
    )


@pytest.mark.parametrize(("method", "page", "form", "action", "object_type"), PAGES)
def test_a_clinic_a_nurse_gets_403_with_a_denied_event_naming_the_colleague(
    staff_client, nora, colleague, method, page, form, action, object_type
):
    response = _send(staff_client(nora), method, f"/staff/{colleague.pk}/{page}", form)

    assert response.status_code == 403
    assert "Your role (Nurse) at Clinic A does not give access" in response.content.decode()
    (event,) = _denied()
    assert (event.action, event.clinic_id, event.actor_role) == (action, nora.clinic_id, "nurse")
    assert (event.object_type, event.object_id, event.detail) == (
        object_type,
        str(colleague.pk),
        "role_lacks:manage_memberships",
    )
    _assert_untouched(colleague)


def test_the_staff_list_keeps_its_role_check_first(staff_client, nell):
    response = staff_client(nell).get("/staff/")

    assert response.status_code == 403
    (event,) = _denied()
    assert (event.object_type, event.object_id, event.detail) == (
        "membership_list",
        "",
        "role_lacks:manage_memberships",
    )


def test_the_invite_page_keeps_its_role_check(staff_client, nell):
    response = staff_client(nell).post(
        "/staff/invite/", {"email": "x@example.org", "given_name": "X", "family_name": "Y",
                           "role": "nurse"},
    )  # fmt: skip

    assert response.status_code == 403
    assert not Invitation.objects.exists()
