"""Sign-in page details: no menu before the second step, a reused code named as such, and the
"Forgot password?" link."""

from __future__ import annotations

from ketacare.accounts.views import REUSED_CODE, WRONG_CODE
from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import code_for, confirmed_device
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
VERIFY = "/accounts/mfa/verify/"
ENROL = "/accounts/mfa/enrol/"
NAV = '<nav aria-label="Main">'


def _escaped(text: str) -> str:
    return text.replace("'", "&#x27;")


def test_the_verify_page_shows_no_menu_before_the_second_step(client, alice):
    confirmed_device(alice.user)
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    body = client.get(VERIFY).content.decode()

    assert NAV not in body
    assert "Cancel and sign out" in body


def test_the_enrolment_page_shows_no_menu_either(client, alice):
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    body = client.get(ENROL).content.decode()

    assert NAV not in body


def test_the_menu_appears_once_the_second_step_is_done(client, alice):
    device = confirmed_device(alice.user)
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    client.post(VERIFY, {"otp_token": code_for(device)})

    assert NAV in client.get("/").content.decode()


def test_a_code_used_once_is_refused_as_already_used_not_blamed_on_the_clock(client, alice):
    device = confirmed_device(alice.user)
    code = code_for(device)
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    assert client.post(VERIFY, {"otp_token": code})["Location"] == "/"
    client.post("/accounts/logout/")
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    response = client.post(VERIFY, {"otp_token": code})

    assert response.status_code == 400
    body = response.content.decode()
    assert REUSED_CODE in body
    assert _escaped(WRONG_CODE) not in body
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.detail == "step=totp reason=reused"


def test_the_login_page_links_to_the_password_reset(client, db):
    body = client.get(LOGIN).content.decode()

    assert '<a href="/accounts/password/reset/">Forgot password?</a>' in body
