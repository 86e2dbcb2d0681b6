"""Resetting a colleague's authenticator: a written reason (kept out of the audit trail), the
devices gone, a new enrolment at the next sign-in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import Action, AuditEvent
from ketacare.staff.errors import ConflictCode, StaffConflict
from ketacare.staff.models import AuthenticatorReset
from ketacare.staff.services import reset_authenticator
from tests.accounts.helpers import confirmed_device
from tests.factories import TEST_PASSWORD
from tests.staff.conftest import SITE

REASON = "Lost her phone on the train, Tuesday"


def _reset(by, member, reason=REASON):
    return reset_authenticator(by=by, membership_id=member.pk, reason=reason, site_url=SITE)


def test_the_reset_removes_every_device_and_keeps_the_reason_in_its_own_row(adam, nora):
    confirmed_device(nora.user)
    TOTPDevice.objects.create(user=nora.user, name="pending", confirmed=False)

    reset = _reset(adam, nora)

    assert not TOTPDevice.objects.filter(user=nora.user).exists()
    assert (reset.clinic_id, reset.membership, reset.reset_by, reset.reason) == (
        adam.clinic_id,
        nora,
        adam.user,
        REASON,
    )
    assert reset.devices_removed == 2


def test_the_audit_event_names_the_reset_but_holds_no_free_text(adam, nora):
    confirmed_device(nora.user)

    reset = _reset(adam, nora)

    event = AuditEvent.objects.get()
    assert (event.action, event.clinic_id, event.actor_user_id, event.object_id) == (
        Action.UPDATE,
        adam.clinic_id,
        adam.user_id,
        str(nora.pk),
    )
    assert event.detail == f"authenticator_reset={reset.pk} devices_removed=1"
    stored = " ".join(str(getattr(event, f.name)) for f in AuditEvent._meta.fields)
    assert "phone" not in stored and "train" not in stored


def test_the_colleague_is_told_by_e_mail(
    adam, nora, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reset(adam, nora)

    (message,) = mailoutbox
    assert message.to == [nora.user.email]
    assert "authenticator app was reset" in message.subject
    assert REASON not in message.body


def test_the_colleagues_next_sign_in_enrols_a_new_app(adam, nora, client):
    confirmed_device(nora.user)
    _reset(adam, nora)

    response = client.post("/accounts/login/", {"username": "nora", "password": TEST_PASSWORD})

    assert response["Location"] == "/accounts/mfa/enrol/?next=%2F"


def test_an_open_session_of_the_colleague_loses_its_second_step(adam, nora, staff_client):
    client = staff_client(nora)
    assert client.get("/").status_code == 200

    _reset(adam, nora)

    assert client.get("/")["Location"] == "/accounts/mfa/enrol/?next=%2F"


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_the_reason_is_required_and_nothing_is_removed(adam, nora, reason):
    confirmed_device(nora.user)

    with pytest.raises(ValidationError) as refused:
        _reset(adam, nora, reason)

    assert list(refused.value.message_dict) == ["reason"]
    assert TOTPDevice.objects.filter(user=nora.user).exists()
    assert not AuthenticatorReset.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_admin_cannot_reset_their_own_authenticator(adam):
    confirmed_device(adam.user)

    with pytest.raises(StaffConflict) as refused:
        _reset(adam, adam)

    assert refused.value.code == ConflictCode.OWN_AUTHENTICATOR
    assert TOTPDevice.objects.filter(user=adam.user).exists()


def test_the_admin_of_clinic_b_gets_404_and_nothing_is_removed(bob, nora):
    confirmed_device(nora.user)

    with pytest.raises(Http404):
        _reset(bob, nora)

    assert TOTPDevice.objects.filter(user=nora.user).exists()
    event = AuditEvent.objects.get()
    assert (event.allowed, event.clinic_id, event.detail) == (
        False,
        bob.clinic_id,
        "not_found_in_clinic",
    )


def test_a_nurse_gets_403_and_nothing_is_removed(nora, alice):
    confirmed_device(alice.user)

    with pytest.raises(PermissionDenied):
        _reset(nora, alice)

    assert TOTPDevice.objects.filter(user=alice.user).exists()
    assert AuditEvent.objects.get().detail == "role_lacks:manage_memberships"


# --- the page ----------------------------------------------------------------------------------


def test_the_reset_form_resets_and_comes_back(staff_client, adam, nora):
    confirmed_device(nora.user)

    response = staff_client(adam).post(
        f"/staff/{nora.pk}/reset-authenticator/", {"reason": REASON}, follow=True
    )

    assert response.redirect_chain == [(f"/staff/{nora.pk}/", 302)]
    body = response.content.decode()
    assert "The authenticator app is removed" in body
    assert REASON in body  # the admins see the reasons of earlier resets
    assert not TOTPDevice.objects.filter(user=nora.user).exists()


def test_the_reset_form_without_a_reason_is_a_400_naming_the_field(staff_client, adam, nora):
    confirmed_device(nora.user)

    response = staff_client(adam).post(f"/staff/{nora.pk}/reset-authenticator/", {"reason": ""})

    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert "Write why the authenticator is reset." in response.content.decode()
    assert TOTPDevice.objects.filter(user=nora.user).exists()


def test_the_admins_own_page_offers_no_reset(staff_client, adam):
    body = staff_client(adam).get(f"/staff/{adam.pk}/").content.decode()

    assert "ask another clinic admin" in body
    assert "/reset-authenticator/" not in body


def test_the_reset_page_answers_404_to_clinic_b_and_403_to_a_nurse(staff_client, bob, nora, alice):
    confirmed_device(alice.user)
    url = f"/staff/{alice.pk}/reset-authenticator/"

    assert staff_client(bob).post(url, {"reason": REASON}).status_code == 404
    assert staff_client(nora).post(url, {"reason": REASON}).status_code == 403
    assert TOTPDevice.objects.filter(user=alice.user).exists()
