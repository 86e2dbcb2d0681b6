"""Demo users may skip two-factor sign-in, in demo mode only."""

from __future__ import annotations

from django.test import override_settings

from ketacare.accounts.models import DemoAccount
from ketacare.accounts.services import DEMO_SKIP_SESSION_KEY, mark_demo_user
from ketacare.accounts.views import DEMO_NOTICE, SECOND_STEP_NOTE
from ketacare.audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def _sign_in(client, username):
    return client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})


@override_settings(DEMO_MODE=True)
def test_login_page_says_demo_accounts_skip_the_code_and_promises_it_to_no_one_else(client, db):
    body = client.get(LOGIN).content.decode()

    assert DEMO_NOTICE in body
    assert SECOND_STEP_NOTE not in body


def test_login_page_promises_the_code_step_outside_demo_mode(client, db):
    body = client.get(LOGIN).content.decode()

    assert SECOND_STEP_NOTE in body
    assert DEMO_NOTICE not in body


@override_settings(DEMO_MODE=True)
def test_a_demo_user_goes_straight_home_in_demo_mode(client, alice):
    mark_demo_user(alice.user)

    response = _sign_in(client, "alice")

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert event.detail == "step=password mfa=demo_skip"


@override_settings(DEMO_MODE=True)
def test_an_unflagged_user_must_still_enrol_in_demo_mode(client, alice, nora):
    mark_demo_user(nora.user)

    response = _sign_in(client, "alice")

    assert response["Location"] == "/accounts/mfa/enrol/?next=%2F"


def test_the_demo_flag_has_no_effect_outside_demo_mode(client, alice):
    mark_demo_user(alice.user)

    response = _sign_in(client, "alice")

    assert response["Location"] == "/accounts/mfa/enrol/?next=%2F"
    assert "Demo mode" not in client.get(LOGIN).content.decode()


def test_a_demo_session_needs_mfa_once_demo_mode_is_off(client, alice):
    mark_demo_user(alice.user)
    with override_settings(DEMO_MODE=True):
        _sign_in(client, "alice")
        assert client.session[DEMO_SKIP_SESSION_KEY] is True

    response = client.get("/")

    assert response["Location"] == "/accounts/mfa/enrol/?next=%2F"


def test_marking_a_demo_user_twice_keeps_one_flag(alice):
    mark_demo_user(alice.user)
    mark_demo_user(user=alice.user)

    assert DemoAccount.objects.filter(user=alice.user).count() == 1
