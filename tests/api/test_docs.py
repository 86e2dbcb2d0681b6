"""The OpenAPI schema and the docs page answer without a browser."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_openapi_json_describes_v1_me_with_bearer_auth(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "KetaCare API"
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


@pytest.mark.django_db
def test_the_docs_page_answers(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/openapi.json" in response.content
