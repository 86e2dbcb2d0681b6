"""The OpenAPI schema and the docs page: for signed-in staff only (penetration test H5)."""

from __future__ import annotations

import pytest

from ketacare.accounts.services import create_api_token
from ketacare.api.site import DOCS_NOT_AUTHENTICATED
from tests.accounts.helpers import confirmed_device


def test_openapi_json_describes_v1_me_with_bearer_auth(staff_client, alice):
    response = staff_client(alice).get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "KetaCare API"
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_the_docs_page_answers_signed_in_staff(staff_client, alice):
    response = staff_client(alice).get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/openapi.json" in response.content


@pytest.mark.django_db
def test_the_schema_is_a_401_for_anonymous_visitors(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 401
    assert response.json() == {"detail": DOCS_NOT_AUTHENTICATED}


@pytest.mark.django_db
def test_the_docs_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/api/docs")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs"


def test_a_session_that_has_not_passed_two_factor_gets_401_for_the_schema(client, alice):
    client.force_login(alice.user)

    response = client.get("/api/openapi.json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_docs_page_sends_a_half_signed_in_browser_to_the_code_page(client, alice):
    confirmed_device(alice.user)
    client.force_login(alice.user)

    response = client.get("/api/docs")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/verify/?next=%2Fapi%2Fdocs"


def test_the_docs_page_sends_a_half_signed_in_browser_without_an_app_to_enrolment(client, alice):
    client.force_login(alice.user)

    response = client.get("/api/docs")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/enrol/?next=%2Fapi%2Fdocs"


def test_an_api_token_alone_does_not_open_the_schema(client, alice):
    token = create_api_token(user=alice.user, name="test")

    response = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {token.value}"})

    assert response.status_code == 401
    assert response.json() == {"detail": DOCS_NOT_AUTHENTICATED}
