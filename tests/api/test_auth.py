"""API authentication: bearer token or an MFA-verified session; everything else 401 JSON."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from ketacare.accounts.middleware import MFA_REQUIRED_DETAIL
from ketacare.accounts.models import ApiToken
from ketacare.accounts.services import create_api_token, mark_demo_user, revoke_api_token
from ketacare.api.site import NOT_AUTHENTICATED
from tests.accounts.helpers import confirmed_device
from tests.factories import MembershipFactory

ME = "/api/v1/me"
REFUSED = {"detail": NOT_AUTHENTICATED}


def _bearer(client, value: str):
    return client.get(ME, headers={"Authorization": f"Bearer {value}"})


@pytest.fixture
def alice_token(alice):
    return create_api_token(user=alice.user, name="test")


def test_a_valid_token_returns_the_user_and_their_clinics(client, alice, alice_token):
    response = _bearer(client, alice_token.value)

    assert response.status_code == 200
    assert response.json() == {
        "username": "alice",
        "memberships": [
            {"clinic_id": alice.clinic_id, "clinic_name": "Clinic A", "role": "prescriber"}
        ],
    }


def test_inactive_memberships_are_left_out(client, alice, alice_token, clinic_b):
    MembershipFactory(user=alice.user, clinic=clinic_b, role="auditor", is_active=False)

    response = _bearer(client, alice_token.value)

    assert [m["clinic_id"] for m in response.json()["memberships"]] == [alice.clinic_id]


def test_a_missing_token_gets_401_with_a_bearer_challenge(client, db):
    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response["WWW-Authenticate"] == 'Bearer realm="KetaCare"'


def test_a_wrong_secret_gets_401(client, alice_token):
    prefix = alice_token.token.prefix
    wrong = f"kc_{prefix}_{'A' * 43}"

    response = _bearer(client, wrong)

    assert response.status_code == 401
    assert response.json() == REFUSED


@pytest.mark.parametrize("value", ["kc_00000000_" + "A" * 43, "not-a-token", "kc__", "Basic abc"])
def test_unknown_or_malformed_tokens_get_the_same_401(client, db, value):
    response = _bearer(client, value)

    assert response.status_code == 401
    assert response.json() == REFUSED


def test_a_revoked_token_gets_401(client, alice_token):
    revoke_api_token(prefix=alice_token.token.prefix)

    response = _bearer(client, alice_token.value)

    assert response.status_code == 401
    assert response.json() == REFUSED


def test_an_expired_token_gets_401(client, alice):
    issued = create_api_token(user=alice.user, days=1)

    with time_machine.travel(issued.token.expires_at + dt.timedelta(seconds=1)):
        response = _bearer(client, issued.value)

    assert response.status_code == 401
    assert response.json() == REFUSED


def test_a_token_of_a_deactivated_user_gets_401(client, alice, alice_token):
    alice.user.is_active = False
    alice.user.save()

    response = _bearer(client, alice_token.value)

    assert response.status_code == 401
    assert response.json() == REFUSED


def test_last_use_is_written_at_most_once_a_minute(client, alice_token):
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _bearer(client, alice_token.value)
        clock.shift(dt.timedelta(seconds=59))
        _bearer(client, alice_token.value)
        after_59s = ApiToken.objects.get().last_used_at
        clock.shift(dt.timedelta(seconds=1))
        _bearer(client, alice_token.value)
        after_60s = ApiToken.objects.get().last_used_at

    assert after_59s == start
    assert after_60s == start + dt.timedelta(seconds=60)


@pytest.mark.parametrize("extra_clinics", [0, 3])
def test_a_bearer_request_costs_a_fixed_number_of_queries(
    client, alice, alice_token, extra_clinics, django_assert_num_queries
):
    for _ in range(extra_clinics):
        MembershipFactory(user=alice.user)
    _bearer(client, alice_token.value)  # first use writes last_used_at

    # token with its user, memberships with their clinics
    with django_assert_num_queries(2):
        response = _bearer(client, alice_token.value)

    assert len(response.json()["memberships"]) == 1 + extra_clinics


def test_a_session_that_passed_mfa_is_accepted(staff_client, alice):
    response = staff_client(alice).get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_a_session_without_mfa_gets_401_json_not_a_redirect(client, alice):
    confirmed_device(alice.user)
    client.force_login(alice.user)

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": MFA_REQUIRED_DETAIL}


def test_a_session_without_mfa_plus_a_valid_token_is_judged_by_the_token(
    client, alice, alice_token
):
    client.force_login(alice.user)

    assert _bearer(client, alice_token.value).status_code == 200
    assert _bearer(client, "kc_00000000_" + "A" * 43).json() == REFUSED


@override_settings(DEMO_MODE=True)
def test_a_demo_session_is_accepted_in_demo_mode(client, alice):
    from tests.factories import TEST_PASSWORD

    mark_demo_user(alice.user)
    client.post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD})

    assert client.get(ME).status_code == 200
