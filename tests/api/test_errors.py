"""Every error under /api/ is JSON {"detail": ...} (contracts.md section 2), whoever answered."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponseServerError

from ketacare.accounts.services import create_api_token
from ketacare.api.middleware import JsonApiErrorsMiddleware

NOT_FOUND = {"detail": "Not found: no API endpoint at this address."}
NOT_ALLOWED = {"detail": "Method not allowed at this address."}


@pytest.fixture
def bearer(alice):
    return {"Authorization": f"Bearer {create_api_token(user=alice.user, name='t').value}"}


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/me/", "/api/", "/api/v2/me"])
def test_an_unknown_api_address_is_a_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_an_unknown_api_address_is_a_json_404_for_a_signed_in_caller_too(client, bearer):
    response = client.get("/api/v1/nothing", headers=bearer)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_method_the_endpoint_does_not_take_is_a_json_405_naming_the_allowed_ones(
    client, bearer, method
):
    response = getattr(client, method)("/api/v1/me", headers=bearer)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_ALLOWED
    assert response["Allow"] == "GET"


def test_an_html_server_error_under_the_api_becomes_json(rf):
    middleware = JsonApiErrorsMiddleware(lambda request: HttpResponseServerError("<h1>500</h1>"))

    response = middleware(rf.get("/api/v1/me"))

    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Internal Server Error."}


def test_errors_outside_the_api_stay_pages(client, db):
    response = client.get("/no-such-page/")

    assert response["Content-Type"].startswith("text/html")


def test_successful_api_answers_are_untouched(client, bearer):
    response = client.get("/api/v1/me", headers=bearer)

    assert response.status_code == 200
    assert response.json()["username"] == "alice"
