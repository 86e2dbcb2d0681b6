"""The staff JSON API: the same services as the pages, the contract's status codes and errors."""

from __future__ import annotations

import json

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.services import create_api_token
from ketacare.audit.models import AuditEvent
from ketacare.clinics.models import Membership
from tests.accounts.helpers import confirmed_device
from tests.factories import MembershipFactory

STAFF = "/api/v1/staff"
INVITE = "/api/v1/staff/invitations"


def _bearer(membership) -> dict[str, str]:
    token = create_api_token(user=membership.user, name="test")
    return {"Authorization": f"Bearer {token.value}"}


def _patch(client, url, body, headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def _invitation(**changes):
    return {
        "email": "nina@example.org",
        "given_name": "Nina",
        "family_name": "Newcomer",
        "role": "nurse",
        **changes,
    }


def test_an_admin_lists_the_clinics_staff(client, adam, nora, bob):
    confirmed_device(nora.user)

    response = client.get(STAFF, headers=_bearer(adam))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_name = {item["username"]: item for item in body["items"]}
    assert set(by_name) == {"adam", "nora"}
    assert by_name["nora"] == {
        "id": nora.pk,
        "clinic_id": nora.clinic_id,
        "user_id": nora.user_id,
        "username": "nora",
        "email": "nora@example.org",
        "given_name": "",
        "family_name": "",
        "role": "nurse",
        "is_active": True,
        "invitation_pending": False,
        "two_factor_enrolled": True,
        "last_login": None,
        "created_at": by_name["nora"]["created_at"],
    }
    event = AuditEvent.objects.get(object_type="membership_list")
    assert (event.channel, event.clinic_id) == ("api", adam.clinic_id)


def test_the_list_pages_with_limit_and_offset(client, adam, clinic_a):
    MembershipFactory.create_batch(3, clinic=clinic_a)

    response = client.get(f"{STAFF}?limit=2&offset=1", headers=_bearer(adam))

    assert response.json()["count"] == 4
    assert len(response.json()["items"]) == 2


def test_a_caller_of_several_clinics_names_the_clinic(client, adam, clinic_b):
    MembershipFactory(user=adam.user, clinic=clinic_b, role="clinic_admin")
    headers = _bearer(adam)

    without = client.get(STAFF, headers=headers)
    with_b = client.get(f"{STAFF}?clinic_id={clinic_b.pk}", headers=headers)

    assert without.status_code == 422
    assert without.json()["detail"][0]["loc"] == ["query", "clinic_id"]
    assert with_b.status_code == 200
    assert {i["clinic_id"] for i in with_b.json()["items"]} == {clinic_b.pk}


def test_a_clinic_the_caller_does_not_belong_to_is_a_404(client, adam, clinic_b):
    response = client.get(f"{STAFF}?clinic_id={clinic_b.pk}", headers=_bearer(adam))

    assert response.status_code == 404


@pytest.mark.parametrize("member", ["alice", "nora", "cora", "audrey"])
def test_other_roles_get_403_from_every_endpoint(request, client, member, adam):
    membership = request.getfixturevalue(member)
    headers = _bearer(membership)

    listing = client.get(STAFF, headers=headers)
    invite = client.post(INVITE, _invitation(), content_type="application/json", headers=headers)
    patch = _patch(client, f"{STAFF}/{adam.pk}", {"is_active": False}, headers)
    reset = client.post(
        f"{STAFF}/{adam.pk}/authenticator-reset",
        {"reason": "x"},
        content_type="application/json",
        headers=headers,
    )

    for response in (listing, invite, patch, reset):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Your role does not allow managing the clinic's staff."
        }
    adam.refresh_from_db()
    assert adam.is_active


@pytest.mark.django_db
def test_anonymous_callers_get_401(client):
    assert client.get(STAFF).status_code == 401


def test_inviting_through_the_api_answers_201_with_the_new_colleague(
    client, adam, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE, _invitation(), content_type="application/json", headers=_bearer(adam)
        )

    assert response.status_code == 201
    body = response.json()
    assert body["new_account"] is True
    assert body["invitation_expires_at"] is not None
    assert body["member"]["username"] == "nina@example.org"
    assert body["member"]["invitation_pending"] is True
    assert body["member"]["two_factor_enrolled"] is False
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_invitation(role="janitor"), "role"),
        (_invitation(email="not an address"), "email"),
        (_invitation(surprise=1), "surprise"),
        ({"email": "nina@example.org", "role": "nurse", "family_name": "N"}, "given_name"),
    ],
)
def test_bad_invitations_are_422_naming_the_field(client, adam, body, field):
    response = client.post(INVITE, body, content_type="application/json", headers=_bearer(adam))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Membership.objects.filter(user__email="nina@example.org").exists()


def test_inviting_a_member_again_is_a_409(client, adam, nora):
    response = client.post(
        INVITE,
        _invitation(email=nora.user.email),
        content_type="application/json",
        headers=_bearer(adam),
    )

    assert response.status_code == 409


def test_patch_changes_role_and_active(client, adam, nora):
    headers = _bearer(adam)

    role = _patch(client, f"{STAFF}/{nora.pk}", {"role": "prescriber"}, headers)
    active = _patch(client, f"{STAFF}/{nora.pk}", {"is_active": False}, headers)

    assert role.status_code == active.status_code == 200
    assert active.json()["role"] == "prescriber"
    assert active.json()["is_active"] is False
    nora.refresh_from_db()
    assert (nora.role, nora.is_active) == ("prescriber", False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "janitor"}, "role"),
        ({"is_active": "no"}, "is_active"),
        ({"version": 1}, "version"),
    ],
)
def test_a_bad_patch_is_a_422_naming_the_field(client, adam, nora, body, field):
    response = _patch(client, f"{STAFF}/{nora.pk}", body, _bearer(adam))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_the_last_admin_demoting_themself_is_a_409(client, adam):
    response = _patch(client, f"{STAFF}/{adam.pk}", {"role": "nurse"}, _bearer(adam))

    assert response.status_code == 409
    assert "last active clinic admin" in response.json()["detail"]


def test_the_admin_of_clinic_b_gets_404_for_a_clinic_a_membership(client, bob, nora):
    headers = _bearer(bob)

    patch = _patch(client, f"{STAFF}/{nora.pk}", {"is_active": False}, headers)
    reset = client.post(
        f"{STAFF}/{nora.pk}/authenticator-reset",
        {"reason": "lost phone"},
        content_type="application/json",
        headers=headers,
    )

    assert patch.status_code == reset.status_code == 404
    nora.refresh_from_db()
    assert nora.is_active
    denied = AuditEvent.objects.filter(allowed=False, object_type="membership")
    assert {(e.clinic_id, e.object_id) for e in denied} == {(bob.clinic_id, str(nora.pk))}


def test_a_membership_that_does_not_exist_is_a_404(client, adam):
    response = _patch(client, f"{STAFF}/999999", {"is_active": False}, _bearer(adam))

    assert response.status_code == 404


def test_the_authenticator_reset_needs_a_reason(client, adam, nora):
    confirmed_device(nora.user)
    headers = _bearer(adam)
    url = f"{STAFF}/{nora.pk}/authenticator-reset"

    empty = client.post(url, {"reason": ""}, content_type="application/json", headers=headers)
    blank = client.post(url, {"reason": "  "}, content_type="application/json", headers=headers)
    done = client.post(
        url, {"reason": "lost phone"}, content_type="application/json", headers=headers
    )

    assert empty.status_code == blank.status_code == 422
    assert blank.json()["detail"][0]["loc"][-1] == "reason"
    assert done.status_code == 200
    assert done.json()["two_factor_enrolled"] is False
    assert not TOTPDevice.objects.filter(user=nora.user).exists()
