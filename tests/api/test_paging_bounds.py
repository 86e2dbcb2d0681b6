"""`?offset=` beyond what a database can hold (a 64-bit integer) is a 422 naming `offset` on
every list, never a 500 from the database (found by fuzzing the API)."""

from __future__ import annotations

import pytest

from ketacare.accounts.services import create_api_token

LISTS = [
    "/api/v1/patients",
    "/api/v1/patients/{patient}/weights",
    "/api/v1/patients/{patient}/vitals",
    "/api/v1/patients/{patient}/conditions",
    "/api/v1/patients/{patient}/allergies",
    "/api/v1/patients/{patient}/medications",
    "/api/v1/patients/{patient}/consents",
    "/api/v1/patients/{patient}/antidepressant-trials",
    "/api/v1/patients/{patient}/assessments",
    "/api/v1/patients/{patient}/notes",
    "/api/v1/patients/{patient}/eligibility-reviews",
    "/api/v1/patients/{patient}/plans",
    "/api/v1/patients/{patient}/sessions",
    "/api/v1/schedule",
    "/api/v1/intake-requests",
    "/api/v1/staff",
]


@pytest.fixture
def bearer(adam):
    return {"Authorization": f"Bearer {create_api_token(user=adam.user, name='t').value}"}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", [2**63, 2**64 + 1])
def test_an_offset_beyond_a_64_bit_integer_is_a_422_naming_offset(
    client, bearer, patient_a, path, offset
):
    response = client.get(path.format(patient=patient_a.pk), {"offset": offset}, headers=bearer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "offset"


def test_the_largest_64_bit_offset_is_an_empty_page(client, bearer, patient_a):
    response = client.get("/api/v1/patients", {"offset": 2**63 - 1}, headers=bearer)

    assert response.status_code == 200
    assert response.json()["items"] == []
