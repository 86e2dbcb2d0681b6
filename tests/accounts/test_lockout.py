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


def test_the_lockout_does_not_follow_the_user_name_to_another_address(client, alice):
    # A lock by user name alone would let anyone lock any known account out from everywhere.
    for _ in range(5):
        _attempt(client, "alice", "wrong password 123", "10.0.0.1")

    response = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.2")

    assert response.status_code == 302


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


def test_failures_from_one_address_across_user_names_lock_that_address_at_its_own_limit(
    client, alice, settings
):
    assert settings.LOCKOUT_ADDRESS_FAILURES == 20
    for n in range(19):
        _attempt(client, f"u{n}", "wrong password 123", "10.0.0.9")
    assert _attempt(client, "u19", "wrong password 123", "10.0.0.9").status_code == 429

    response = _attempt(client, "alice", TEST_PASSWORD, "10.0.0.9")

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.10").status_code == 302


def test_nineteen_failures_from_one_address_do_not_lock_it(client, alice):
    for n in range(19):
        _attempt(client, f"u{n}", "wrong password 123", "10.0.0.9")

    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.9").status_code == 302


def test_behind_the_proxy_the_lockout_is_per_client_not_per_proxy(client, alice, settings):
    settings.SECURE_PROXY = True
    settings.KETACARE_PROXY_HOPS = 1

    def attempt(password, forwarded):
        return client.post(
            LOGIN,
            {"username": "alice", "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(5):
        attempt("wrong password 123", "198.51.100.1, 203.0.113.1")

    assert attempt(TEST_PASSWORD, "203.0.113.1").status_code == 429
    # A spoofed left-hand entry does not get the attacker out of the lock.
    assert attempt(TEST_PASSWORD, "203.0.113.99, 203.0.113.1").status_code == 429
    # Another client behind the same proxy is not locked.
    assert attempt(TEST_PASSWORD, "203.0.113.2").status_code == 302
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.1"}


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


# --- what axes keeps (penetration test H1) ----------------------------------------------------


def _axes_text() -> str:
    """Every value of every row of every django-axes table, as one string."""
    from django.apps import apps

    values = []
    for model in apps.get_app_config("axes").get_models():
        for row in model.objects.values():
            values.extend(str(value) for value in row.values())
    return "\n".join(values)


def test_axes_keeps_no_typed_user_name_only_a_keyed_hash(client, alice):
    from ketacare.accounts.signals import username_digest

    typed = ["alice", "Zelda.Unknown", "MySecretPassw0rd!"]
    for name in typed:
        _attempt(client, name, "wrong password 123", "10.0.0.1")
    client.post(
        f"{LOGIN}?next=/%3Fq%3DSmith",
        {"username": "carol.k", "password": "x", "next": "/?q=Smith"},
        REMOTE_ADDR="10.0.0.1",
    )

    stored = _axes_text()
    assert stored  # the attempts are there...
    for name in [*typed, "carol.k", "Smith"]:
        assert name not in stored  # ...but not the names typed
        assert name.lower() not in stored.lower()
    assert username_digest("Zelda.Unknown") in stored


def test_a_successful_sign_in_leaves_no_user_name_in_axes_either(client, alice):
    _attempt(client, "alice", "wrong password 123", "10.0.0.1")

    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1").status_code == 302

    assert "alice" not in _axes_text()


def test_the_lockout_still_counts_per_user_name_whatever_its_case(client, alice, nora):
    for name in ["alice", "Alice", "ALICE ", "alice", "aLiCe"]:
        _attempt(client, name, "wrong password 123", "10.0.0.1")

    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1").status_code == 429
    assert _attempt(client, "nora", TEST_PASSWORD, "10.0.0.1").status_code == 302


def test_a_successful_sign_in_resets_the_count_of_its_user_name(client, alice):
    for _ in range(4):
        _attempt(client, "alice", "wrong password 123", "10.0.0.1")
    assert _attempt(client, "alice", TEST_PASSWORD, "10.0.0.1").status_code == 302
    client.logout()

    statuses = [
        _attempt(client, "alice", "wrong password 123", "10.0.0.1").status_code for _ in range(4)
    ]

    assert statuses == [400, 400, 400, 400]
