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


# --- no caching of anything shown to a signed-in user (penetration test H2) -------------------


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=Smith",
        "/audit/",
        "/audit/export.csv",
        "/api/v1/me",
        "/admin/",
        "/admin/patients/patient/",
        "/no/such/page/",
    ],
)
def test_every_answer_to_a_signed_in_user_is_no_store_and_private(staff_client, adam, url):
    response = staff_client(adam).get(url)

    assert response.status_code in (200, 404)
    assert _no_store(response), response.get("Cache-Control")


def test_an_api_answer_to_a_bearer_token_is_no_store_too(client, alice):
    from ketacare.accounts.services import create_api_token

    token = create_api_token(user=alice.user, name="test")

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.value}"})

    assert response.status_code == 200
    assert _no_store(response)


def test_a_patient_page_of_the_admin_is_no_store(staff_client, adam, patient_a):
    response = staff_client(adam).get(f"/admin/patients/patient/{patient_a.pk}/change/")

    assert response.status_code == 200
    assert _no_store(response)


def test_static_files_keep_their_caching_for_signed_in_users(staff_client, adam, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = staff_client(adam).get("/static/web/ketacare.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_favicon_address_browsers_guess_leads_to_our_icon(client) -> None:
    """Pages without an icon link (the admin's) make browsers fetch /favicon.ico; a 404 there
    is a console error on every admin page."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 302  # not 301: the hashed target changes with the icon
    assert response["Location"] == static("web/favicon.svg")
    assert finders.find("web/favicon.svg")
