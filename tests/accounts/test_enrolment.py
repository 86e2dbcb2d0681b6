"""TOTP enrolment: a server-drawn SVG QR code, the secret as text, confirmation with a code."""

from __future__ import annotations

import base64
import re
from base64 import b32encode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.views import WRONG_CODE
from ketacare.audit.models import Action, AuditEvent
from tests.accounts.helpers import code_for, wrong_code_for

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
