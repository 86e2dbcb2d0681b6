"""The invited colleague opens the link, chooses a password and goes on to two-factor set-up.

Unknown, used, revoked and expired links all get one and the same page.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import Action, AuditEvent
from ketacare.staff.errors import InvitationInvalid
from ketacare.staff.models import Invitation
from ketacare.staff.services import accept_invitation, resend_invitation
from tests.accounts.helpers import code_for, normalised_body
from tests.staff.conftest import SITE

PASSWORD = "a long enough passphrase 7"
ACCEPT = "/staff/invitations/accept/"
ENROL = "/accounts/mfa/enrol/"


def _link(token: str) -> str:
    return f"/staff/invitations/{token}/"


def _choose(client, password=PASSWORD, again=None):
    return client.post(ACCEPT, {"new_password1": password, "new_password2": again or password})


def test_the_link_moves_its_token_into_the_session_and_shows_the_password_page(
    client, invite_colleague
):
    _invited, token = invite_colleague(username="nina.n")

    response = client.get(_link(token))

    assert response.status_code == 302
    assert response["Location"] == ACCEPT
    page = client.get(ACCEPT)
    assert page.status_code == 200
    body = page.content.decode()
    assert token not in body
    assert "Join Clinic A" in body
    assert "nina.n" in body
    assert '<label for="id_new_password1">Choose a password</label>' in body
    assert "at least 12 characters" in body


def test_choosing_a_password_signs_in_and_leads_to_two_factor_enrolment(client, invite_colleague):
    invited, token = invite_colleague()
    client.get(_link(token))

    response = _choose(client)

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    user = invited.membership.user
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Invitation.objects.get().used_at is not None
    # Signed in with the password only: every page but the code pages sends to enrolment.
    assert client.get("/")["Location"] == f"{ENROL}?next=%2F"


def test_after_enrolment_the_new_colleague_lands_on_the_clinics_home(client, invite_colleague):
    _invited, token = invite_colleague()
    client.get(_link(token))
    _choose(client)
    client.get(f"{ENROL}?next=/")
    device = TOTPDevice.objects.get(confirmed=False)

    response = client.post(ENROL, {"otp_token": code_for(device), "next": "/"})

    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Patients of Clinic A" in home.content.decode()


def test_accepting_is_audited_under_the_inviting_clinic_with_the_new_role(
    client, invite_colleague, adam
):
    invited, token = invite_colleague(role="coordinator")
    client.get(_link(token))

    _choose(client)

    accepted = AuditEvent.objects.get(object_type="invitation")
    login = AuditEvent.objects.get(action=Action.LOGIN)
    for event in (accepted, login):
        assert (event.clinic_id, event.actor_user_id, event.actor_role) == (
            adam.clinic_id,
            invited.membership.user_id,
            "coordinator",
        )
    assert accepted.detail == "accepted"


def test_a_password_the_validators_refuse_is_a_400_and_nothing_changes(client, invite_colleague):
    invited, token = invite_colleague()
    client.get(_link(token))

    response = _choose(client, "short")

    assert response.status_code == 400
    assert "This password is too short." in response.content.decode()
    invited.membership.user.refresh_from_db()
    assert not invited.membership.user.has_usable_password()
    assert Invitation.objects.get().used_at is None


def test_two_different_passwords_are_refused(client, invite_colleague):
    _invited, token = invite_colleague()
    client.get(_link(token))

    response = _choose(client, PASSWORD, PASSWORD + "x")

    assert response.status_code == 400
    assert Invitation.objects.get().used_at is None


def test_the_service_refuses_a_weak_password_naming_the_field(invite_colleague):
    _invited, token = invite_colleague()

    with pytest.raises(ValidationError) as refused:
        accept_invitation(token=token, password="Nina@example.org")

    assert list(refused.value.message_dict) == ["password"]


# --- links that do not work: one page for all --------------------------------------------------


@pytest.fixture
def invalid_page(client, db):
    """The page of a link that never existed, to compare every other refusal with."""
    response = client.get(_link("no-such-token-at-all"))
    assert response.status_code == 404
    return normalised_body(response)


def test_an_unknown_link_gets_the_invalid_link_page(invalid_page):
    assert "This link does not work" in invalid_page


def test_a_used_link_gets_the_same_page(client, invite_colleague, invalid_page):
    _invited, token = invite_colleague()
    accept_invitation(token=token, password=PASSWORD)

    response = client.get(_link(token))

    assert response.status_code == 404
    assert normalised_body(response) == invalid_page


def test_an_expired_link_gets_the_same_page(client, invite_colleague, invalid_page):
    _invited, token = invite_colleague()

    with time_machine.travel(timezone.now() + dt.timedelta(hours=72, seconds=1)):
        response = client.get(_link(token))
        with pytest.raises(InvitationInvalid):
            accept_invitation(token=token, password=PASSWORD)

    assert response.status_code == 404
    assert normalised_body(response) == invalid_page


def test_a_link_replaced_by_a_newer_one_gets_the_same_page(
    client, invite_colleague, adam, invalid_page
):
    invited, old_token = invite_colleague()
    resend_invitation(by=adam, membership_id=invited.membership.pk, site_url=SITE)

    response = client.get(_link(old_token))

    assert response.status_code == 404
    assert normalised_body(response) == invalid_page


def test_a_deactivated_membership_makes_the_link_stop_working(
    client, invite_colleague, invalid_page
):
    invited, token = invite_colleague()
    invited.membership.is_active = False
    invited.membership.save()

    response = client.get(_link(token))

    assert normalised_body(response) == invalid_page


def test_a_link_that_expires_while_the_password_page_is_open_is_refused_on_submit(
    client, invite_colleague, invalid_page
):
    invited, token = invite_colleague()
    client.get(_link(token))

    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        response = _choose(client)

    assert response.status_code == 404
    assert normalised_body(response) == invalid_page
    invited.membership.user.refresh_from_db()
    assert not invited.membership.user.has_usable_password()


def test_the_password_page_without_a_link_in_the_session_is_the_invalid_page(client, invalid_page):
    response = client.get(ACCEPT)

    assert response.status_code == 404
    assert normalised_body(response) == invalid_page


def test_a_link_stops_working_once_any_link_of_the_account_was_used(
    invite_colleague, bob, client, invalid_page
):
    # Nina is invited to clinic A, then to clinic B, and accepts B's link first.
    _invited_a, token_a = invite_colleague()
    _invited_b, token_b = invite_colleague(by=bob)
    accept_invitation(token=token_b, password=PASSWORD)

    response = client.get(_link(token_a))

    assert normalised_body(response) == invalid_page


def test_someone_signed_in_is_asked_to_sign_out_first(staff_client, alice, invite_colleague):
    _invited, token = invite_colleague()
    client = staff_client(alice)

    response = client.get(_link(token))

    assert response.status_code == 409
    body = response.content.decode()
    assert "Sign out and open the invitation" in body
    assert f'name="next" value="{_link(token)}"' in body
    assert Invitation.objects.get().used_at is None
