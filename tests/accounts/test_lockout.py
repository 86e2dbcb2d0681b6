"""Lockout after 5 failures in 15 minutes, saying nothing about whether the user exists."""

from __future__ import annotations

import pytest

from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import normalised_body
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for 15 minutes; try again later."
)


def _attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_fifth_failure_locks_the_account_even_for_the_right_password(client, alice):
    statuses = [
        _attempt(client, "alice", "wrong password 123", "10.0.0.1").status_code for _ in range(5)
    ]
    after = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1")

    assert statuses == [400, 400, 400, 400, 429]
    assert after.status_code == 429
    assert LOCKED_MESSAGE in after.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_also_holds_from_another_address(client, alice):
    for _ in range(5):
        _attempt(client, "alice", "wrong password 123", "10.0.0.1")

    response = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.2")

    assert response.status_code == 429


def test_an_unknown_user_name_gets_exactly_the_same_responses(client, alice):
    existing = [_attempt(client, "alice", "wrong password 123", "10.0.0.1") for _ in range(6)]
    unknown = [_attempt(client, "zelda", "wrong password 123", "10.0.0.2") for _ in range(6)]

    assert (
        [r.status_code for r in existing]
        == [r.status_code for r in unknown]
        == [400, 400, 400, 400, 429, 429]
    )
    for mine, theirs in zip(existing, unknown, strict=True):
        assert normalised_body(mine, "alice") == normalised_body(theirs, "zelda")
    assert "zelda" not in unknown[-1].content.decode()


def test_failures_from_one_address_across_user_names_lock_that_address(client, alice):
    for name in ("u1", "u2", "u3", "u4", "u5"):
        _attempt(client, name, "wrong password 123", "10.0.0.9")

    response = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.9")

    assert response.status_code == 429


def test_attempts_during_the_lockout_are_audited_as_locked_out(client, alice):
    for _ in range(6):
        _attempt(client, "alice", "wrong password 123", "10.0.0.1")

    details = list(
        AuditEvent.objects.filter(action=Action.LOGIN_FAILED).values_list("detail", flat=True)
    )
    assert details[:4] == ["step=password reason=bad_credentials"] * 4
    assert details[-1] == "step=password reason=locked_out"
    assert all(
        e.ip_address == "10.0.0.1" and not e.allowed
        for e in AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    )


@pytest.mark.parametrize("failures", [4])
def test_four_failures_then_the_right_password_still_signs_in(client, alice, failures):
    for _ in range(failures):
        _attempt(client, "alice", "wrong password 123", "10.0.0.1")

    response = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1")

    assert response.status_code == 302
