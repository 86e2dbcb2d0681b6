"""Password reset by e-mail: one answer whether or not the address is known, a one-time link,
no sign-in afterwards (the next sign-in still asks for the authenticator code), audited."""

from __future__ import annotations

import re

import pytest

from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import code_for, confirmed_device, normalised_body
from tests.factories import TEST_PASSWORD

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
DONE = "/accounts/password/reset/done/"
NEW_PASSWORD = "a brand new passphrase 99"
LINK_RE = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def _link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match is not None
    return match.group(1)


def _follow_link(client, message):
    """Open the e-mailed link: Django moves the token into the session and redirects."""
    response = client.get(_link(message))
    assert response.status_code == 302
    return response["Location"]


def test_the_request_page_has_a_labelled_field(client, db):
    response = client.get(RESET)

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_email">E-mail address of your account</label>' in body


def test_known_and_unknown_addresses_get_the_same_answer(client, alice, mailoutbox):
    known = client.post(RESET, {"email": "alice@example.org"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(SENT, 302)]
    assert normalised_body(known) == normalised_body(unknown)
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_the_e_mail_names_the_account_and_holds_a_link(client, alice, mailoutbox):
    client.post(RESET, {"email": "ALICE@example.org"})

    (message,) = mailoutbox
    assert message.subject == "Reset your KetaCare password"
    assert "user name alice" in message.body
    assert _link(message).startswith("/accounts/password/reset/")


def test_a_new_password_does_not_sign_in_and_the_next_sign_in_asks_for_the_code(
    client, alice, mailoutbox
):
    device = confirmed_device(alice.user)
    client.post(RESET, {"email": "alice@example.org"})
    form_url = _follow_link(client, mailoutbox[0])

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response["Location"] == DONE
    # Not signed in: a staff page sends to the sign-in page (the home page welcomes visitors).
    assert client.get("/intake/")["Location"] == "/accounts/login/?next=/intake/"
    signed_in = client.post("/accounts/login/", {"username": "alice", "password": NEW_PASSWORD})
    assert signed_in["Location"] == "/accounts/mfa/verify/?next=%2F"
    verified = client.post("/accounts/mfa/verify/", {"otp_token": code_for(device)})
    assert verified["Location"] == "/"


def test_the_link_works_once(client, alice, mailoutbox):
    client.post(RESET, {"email": "alice@example.org"})
    link = _link(mailoutbox[0])
    form_url = _follow_link(client, mailoutbox[0])
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "This link does not work" in again.content.decode()


def test_a_weak_new_password_is_refused(client, alice, mailoutbox):
    client.post(RESET, {"email": "alice@example.org"})
    form_url = _follow_link(client, mailoutbox[0])

    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200  # Django re-renders the form
    assert "This password is too short." in response.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.check_password(TEST_PASSWORD)


def test_both_steps_are_audited_under_the_users_clinic(client, alice, mailoutbox):
    client.post(RESET, {"email": "alice@example.org"})
    form_url = _follow_link(client, mailoutbox[0])
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    events = AuditEvent.objects.filter(action=Action.UPDATE, object_type="user").order_by("pk")
    assert [(e.clinic_id, e.object_id, e.detail) for e in events] == [
        (alice.clinic_id, str(alice.user.pk), "password_reset_mail"),
        (alice.clinic_id, str(alice.user.pk), "password_reset"),
    ]


@pytest.mark.django_db
def test_an_unknown_address_writes_no_event(client):
    client.post(RESET, {"email": "nobody@example.org"})

    assert not AuditEvent.objects.exists()


def test_an_invited_colleague_without_a_password_gets_no_reset_mail(client, alice, mailoutbox):
    alice.user.set_unusable_password()
    alice.user.save()

    client.post(RESET, {"email": "alice@example.org"})

    assert mailoutbox == []


def test_the_lockout_page_points_to_the_reset(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 1
    client.post("/accounts/login/", {"username": "alice", "password": "wrong one, first"})

    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong again"})

    assert 'href="/accounts/password/reset/"' in response.content.decode()
