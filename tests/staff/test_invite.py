"""Inviting a colleague: the service, the e-mail, the page, and who may not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from ketacare.audit.models import Action, AuditEvent
from ketacare.clinics.models import Membership
from ketacare.staff.errors import ConflictCode, StaffConflict
from ketacare.staff.models import INVITATION_VALID_HOURS, Invitation
from ketacare.staff.services import invite_staff
from ketacare.staff.tokens import digest_invitation_token
from tests.staff.conftest import SITE, token_in

User = get_user_model()


def test_an_admin_invites_a_new_nurse_who_gets_an_account_without_a_password(
    invite_colleague, adam, mailoutbox
):
    invited, token = invite_colleague("Nina@Example.org")

    user = invited.membership.user
    assert invited.new_account is True
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "Nina@example.org",
        "Nina@example.org",
        "Nina",
        "Newcomer",
    )
    assert not user.has_usable_password()
    assert (invited.membership.clinic_id, invited.membership.role) == (adam.clinic_id, "nurse")
    assert invited.membership.is_active
    invitation = Invitation.objects.get()
    assert invitation.clinic_id == adam.clinic_id
    assert invitation.invited_by == adam.user
    assert invitation.expires_at - invitation.created_at == dt.timedelta(
        hours=INVITATION_VALID_HOURS
    )
    # Only the digest is kept: the token itself is nowhere in the row.
    assert invitation.token_sha256 == digest_invitation_token(token)
    assert token not in str(Invitation.objects.values().get())
    (message,) = mailoutbox
    assert message.to == ["Nina@example.org"]
    assert "Clinic A" in message.subject
    assert f"http://testserver/staff/invitations/{token}/" in message.body
    assert "Your user name: Nina@example.org" in message.body


def test_the_admin_may_choose_the_user_name(invite_colleague):
    invited, _token = invite_colleague(username="nina.n")

    assert invited.membership.user.username == "nina.n"


def test_the_invitation_is_audited_under_the_clinic_with_ids_only(invite_colleague, adam):
    invited, _token = invite_colleague()

    event = AuditEvent.objects.get(action=Action.CREATE, object_type="membership")
    user = invited.membership.user
    assert (event.clinic_id, event.actor_user_id, event.actor_role) == (
        adam.clinic_id,
        adam.user_id,
        "clinic_admin",
    )
    assert event.object_id == str(invited.membership.pk)
    invitation = Invitation.objects.get()
    assert event.detail == f"role=nurse user={user.pk} new_account=1 invitation={invitation.pk}"
    assert "nina" not in event.detail.lower()


def test_the_e_mail_leaves_only_after_the_commit(
    adam, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite_staff(
            by=adam,
            email="nina@example.org",
            given_name="Nina",
            family_name="Newcomer",
            role="nurse",
            site_url=SITE,
        )

    assert mailoutbox == []
    assert len(callbacks) == 1


def test_inviting_a_colleague_of_another_clinic_adds_a_membership_to_their_account(
    invite_colleague, bob, mailoutbox
):
    invited, token = invite_colleague(bob.user.email, role="prescriber", username="ignored")

    assert invited.new_account is False
    assert invited.invitation is None
    assert token == ""
    assert invited.membership.user == bob.user
    assert User.objects.filter(email__iexact=bob.user.email).count() == 1
    assert bob.user.username == "bob"
    assert set(Membership.objects.filter(user=bob.user).values_list("clinic__name", "role")) == {
        ("Clinic B", "clinic_admin"),
        ("Clinic A", "prescriber"),
    }
    (message,) = mailoutbox
    assert "now also work for Clinic A" in message.subject
    assert "/staff/invitations/" not in message.body


def test_the_e_mail_address_is_matched_whatever_its_case(invite_colleague, bob):
    invited, _token = invite_colleague(bob.user.email.upper())

    assert invited.membership.user == bob.user


def test_inviting_someone_already_on_the_staff_list_is_a_conflict(invite_colleague, nora):
    with pytest.raises(StaffConflict) as refused:
        invite_colleague(nora.user.email)

    assert refused.value.code == ConflictCode.ALREADY_MEMBER
    assert refused.value.field == "email"
    assert Membership.objects.filter(user=nora.user).count() == 1


def test_a_taken_user_name_is_refused_naming_the_field(invite_colleague, alice):
    with pytest.raises(ValidationError) as refused:
        invite_colleague(username="ALICE")

    assert list(refused.value.message_dict) == ["username"]
    assert not User.objects.filter(email="nina@example.org").exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"given_name": "  "}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"family_name": "x" * 151}, "family_name"),
        ({"role": "janitor"}, "role"),
        ({"username": "has space"}, "username"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(adam, changes, field):
    values = {
        "email": "nina@example.org",
        "given_name": "Nina",
        "family_name": "Newcomer",
        "role": "nurse",
        **changes,
    }

    with pytest.raises(ValidationError) as refused:
        invite_staff(by=adam, site_url=SITE, **values)

    assert field in refused.value.message_dict
    assert not Invitation.objects.exists()
    assert not User.objects.filter(username__in=["nina@example.org", "has space"]).exists()


@pytest.mark.parametrize("member", ["alice", "nora", "cora", "audrey"])
def test_other_roles_may_not_invite_and_the_attempt_is_audited(request, member):
    membership = request.getfixturevalue(member)

    with pytest.raises(PermissionDenied):
        invite_staff(
            by=membership,
            email="nina@example.org",
            given_name="Nina",
            family_name="Newcomer",
            role="nurse",
            site_url=SITE,
        )

    event = AuditEvent.objects.get()
    assert (event.allowed, event.action, event.clinic_id, event.detail) == (
        False,
        "create",
        membership.clinic_id,
        "role_lacks:manage_memberships",
    )
    assert not User.objects.filter(email="nina@example.org").exists()


# --- the page -----------------------------------------------------------------------------------


def _form(**changes):
    return {
        "email": "nina@example.org",
        "given_name": "Nina",
        "family_name": "Newcomer",
        "role": "nurse",
        "username": "",
        **changes,
    }


def test_the_invite_page_has_a_labelled_form(staff_client, adam):
    response = staff_client(adam).get("/staff/invite/")

    assert response.status_code == 200
    body = response.content.decode()
    for field, label in [
        ("email", "E-mail address"),
        ("given_name", "Given name"),
        ("family_name", "Family name"),
        ("role", "Role"),
        ("username", "User name (optional)"),
    ]:
        assert f'<label for="id_{field}">{label}</label>' in body


def test_sending_the_invite_form_leads_to_the_colleagues_page(
    staff_client, adam, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(adam).post("/staff/invite/", _form(), follow=True)

    membership = Membership.objects.get(user__email="nina@example.org")
    assert response.redirect_chain == [(f"/staff/{membership.pk}/", 302)]
    body = response.content.decode()
    assert "Invitation sent to nina@example.org" in body
    assert "Invited" in body
    assert token_in(mailoutbox[0].body)


def test_a_refused_invite_shows_the_reason_on_the_field(staff_client, adam, alice):
    response = staff_client(adam).post("/staff/invite/", _form(username="alice"))

    assert response.status_code == 400
    assert "The user name &#x27;alice&#x27; is taken; choose another." in response.content.decode()


def test_an_existing_member_invited_again_gets_a_409_page(staff_client, adam, nora):
    response = staff_client(adam).post("/staff/invite/", _form(email=nora.user.email))

    assert response.status_code == 409
    assert "already on the clinic&#x27;s staff list" in response.content.decode()


def test_a_nurse_gets_403_for_the_invite_page(staff_client, nora):
    client = staff_client(nora)

    assert client.get("/staff/invite/").status_code == 403
    assert client.post("/staff/invite/", _form()).status_code == 403
    assert not User.objects.filter(email="nina@example.org").exists()
