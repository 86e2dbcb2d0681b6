"""Security headers on every page: a strict Content-Security-Policy, no framing, no sniffing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_login_page_has_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data:" in policy  # the MFA enrolment QR code
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_only_the_admin_allows_inline_styles(client):
    response = client.get("/admin/login/", follow=False)
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
