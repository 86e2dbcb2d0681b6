"""TOTP enrolment: a server-drawn SVG QR code, the secret as text, confirmation with a code."""

from __future__ import annotations

import base64
import re
from base64 import b32encode

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.views import WRONG_CODE
from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import code_for, confirmed_device, wrong_code_for
from tests.factories import TEST_PASSWORD

ENROL = "/accounts/mfa/enrol/"


@pytest.fixture
def enrolling(client, alice):
    """Alice passed the password step and has no authenticator yet."""
    client.force_login(alice.user)
    return client


def _pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_enrolment_page_shows_an_svg_qr_code_and_the_secret_as_text(enrolling, alice):
    response = enrolling.get(ENROL)

    assert response.status_code == 200
    body = response.content.decode()
    match = re.search(
        r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]* alt="QR code', body
    )
    assert match is not None
    svg = base64.b64decode(match.group(1)).decode()
    assert "<svg" in svg and "<path" in svg
    secret = b32encode(_pending(alice.user).bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert "<script" not in body.split("</head>", 1)[1]


def test_reloading_the_enrolment_page_keeps_the_same_secret(enrolling, alice):
    enrolling.get(ENROL)
    first = _pending(alice.user).key

    enrolling.get(ENROL)

    assert TOTPDevice.objects.filter(user=alice.user).count() == 1
    assert _pending(alice.user).key == first


def test_a_correct_code_confirms_the_device_and_completes_sign_in(enrolling, alice):
    enrolling.get(ENROL + "?next=/")
    device = _pending(alice.user)

    response = enrolling.post(ENROL, {"otp_token": code_for(device), "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert enrolling.get("/").status_code == 200
    event = AuditEvent.objects.get(action=Action.MFA_ENROLL)
    assert (event.actor_user_id, event.allowed, event.object_id) == (
        alice.user.pk,
        True,
        str(device.pk),
    )


def test_a_wrong_code_is_refused_and_the_device_stays_unconfirmed(enrolling, alice):
    enrolling.get(ENROL)
    device = _pending(alice.user)

    response = enrolling.post(ENROL, {"otp_token": wrong_code_for(device)})

    assert response.status_code == 400
    assert WRONG_CODE.replace("'", "&#x27;") in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert enrolling.get("/")["Location"] == "/accounts/mfa/enrol/?next=%2F"
    event = AuditEvent.objects.get(action=Action.MFA_ENROLL)
    assert (event.allowed, event.detail) == (False, "reason=wrong")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(ENROL)["Location"] == "/accounts/login/"
    assert client.get("/accounts/mfa/verify/")["Location"] == "/accounts/login/"


# --- one pending secret per session (penetration test V1) -------------------------------------

LOGIN = "/accounts/login/"
VERIFY = "/accounts/mfa/verify/"


def _signed_in_with_password(username: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _shown_secret(client: Client) -> bytes:
    response = client.get(ENROL)
    assert response.status_code == 200
    match = re.search(r"([A-Z2-7]{4}(?: [A-Z2-7]{1,4}){3,})", response.content.decode())
    assert match is not None
    text = match.group(1).replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _code_from(key: bytes, *, drift: int = 0) -> str:
    return code_for(TOTPDevice(key=key.hex()), drift=drift)


def test_two_sessions_with_the_password_are_shown_different_secrets(alice):
    first, second = _signed_in_with_password("alice"), _signed_in_with_password("alice")

    secret_a, secret_b = _shown_secret(first), _shown_secret(second)

    assert secret_a != secret_b
    # The newer sign-in replaced the older pending device: one unconfirmed device at a time.
    assert [d.bin_key for d in TOTPDevice.objects.filter(user=alice.user)] == [secret_b]


def test_a_secret_seen_by_another_session_is_useless_once_the_user_confirms(alice):
    attacker, victim = _signed_in_with_password("alice"), _signed_in_with_password("alice")
    attacker_key = _shown_secret(attacker)
    victim_key = _shown_secret(victim)

    confirmed = victim.post(ENROL, {"otp_token": _code_from(victim_key), "next": "/"})

    assert confirmed.status_code == 302
    assert TOTPDevice.objects.filter(user=alice.user, confirmed=False).count() == 0
    device = TOTPDevice.objects.get(user=alice.user)
    assert device.confirmed and device.bin_key == victim_key
    # The attacker's own session can neither confirm its secret nor pass verification with it.
    late = attacker.post(ENROL, {"otp_token": _code_from(attacker_key)})
    assert late.status_code == 302
    assert late["Location"] == f"{VERIFY}?next=%2F"
    again = _signed_in_with_password("alice")
    # The next time step's code: the current one was just used, and a used code is refused anyway.
    refused = again.post(VERIFY, {"otp_token": _code_from(attacker_key, drift=1)})
    assert refused.status_code == 400
    assert WRONG_CODE.replace("'", "&#x27;") in refused.content.decode()
    assert again.get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_an_older_session_cannot_confirm_after_a_newer_sign_in_replaced_its_secret(alice):
    older = _signed_in_with_password("alice")
    older_key = _shown_secret(older)
    newer = _signed_in_with_password("alice")
    _shown_secret(newer)

    response = older.post(ENROL, {"otp_token": _code_from(older_key)})

    assert response.status_code == 400
    assert "There is no pending authenticator set-up; reload the page." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()


def test_a_new_sign_in_in_the_same_browser_gets_a_fresh_secret(client, alice):
    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})
    first = _shown_secret(client)

    client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD})

    assert _shown_secret(client) != first
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1


def test_the_secret_of_a_confirmed_device_is_never_shown(enrolling, alice):
    device = confirmed_device(alice.user)

    response = enrolling.get(ENROL)

    assert response.status_code == 302
    assert b32encode(device.bin_key).decode()[:4] not in response.content.decode()
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1
