"""Helpers for the two-factor sign-in tests: a confirmed device and the codes it shows.

A client already past MFA is the `staff_client` fixture (tests/conftest.py).
"""

from __future__ import annotations

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def code_for(device: TOTPDevice, *, drift: int = 0) -> str:
    """The code the user's app would show right now (django-otp's own RFC 6238 routine)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    right = {code_for(device, drift=d) for d in (-2, -1, 0, 1, 2)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in right
    )


_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalised_body(response, *replace: str) -> str:
    """The page without its CSRF token and with the given strings blanked, for comparisons."""
    body = _CSRF_RE.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    for text in replace:
        body = body.replace(text, "<X>")
    return body
