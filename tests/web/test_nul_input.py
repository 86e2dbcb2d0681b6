"""A NUL character typed anywhere is refused as bad input, never a 500.

PostgreSQL refuses NUL in a query parameter (DataError), so on PostgreSQL any text that reached
a query unparsed would answer 500; SQLite would quietly accept it. These run on both.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketacare.audit.models import AuditEvent

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("url", "params", "status", "message"),
    [
        ("/", {"q": NUL}, 400, "Null characters are not allowed."),
        ("/", {"page": NUL}, 200, "1 patient."),
        ("/audit/", {"mrn": NUL}, 400, "Null characters are not allowed."),
        ("/audit/", {"user": NUL}, 400, "Null characters are not allowed."),
        ("/audit/", {"page": NUL}, 200, "Audit report"),
        ("/audit/export.csv", {"mrn": NUL}, 400, "Null characters are not allowed."),
        ("/admin/patients/patient/", {"q": NUL}, 400, "Null characters are not allowed"),
        ("/admin/patients/patient/", {"mrn": NUL}, 400, "Null characters are not allowed"),
        ("/admin/clinics/membership/", {"q": NUL}, 400, "Null characters are not allowed"),
        ("/admin/audit/auditevent/", {"q": NUL}, 400, "Null characters are not allowed"),
    ],
)
def test_a_nul_in_a_query_parameter_is_bad_input(
    staff_client, adam, patient_a, url, params, status, message
):
    response = staff_client(adam).get(url, params)

    assert response.status_code == status
    assert message in response.content.decode()


def test_a_nul_in_a_patient_field_of_the_admin_form_is_a_field_error(staff_client, adam, patient_a):
    data = {
        "mrn": patient_a.mrn,
        "given_name": patient_a.given_name,
        "family_name": NUL,
        "date_of_birth": patient_a.date_of_birth.isoformat(),
        "sex_at_birth": "female",
        "email": "",
        "phone": "",
        "is_active": "on",
        "loaded_version": 1,
    }
    url = reverse("admin:patients_patient_change", args=[patient_a.pk])

    response = staff_client(adam).post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["family_name"] == [
        "Null characters are not allowed."
    ]


def test_a_nul_in_the_user_name_at_sign_in_is_a_refused_sign_in(client, alice):
    response = client.post("/accounts/login/", {"username": NUL, "password": "x" * 12})

    assert response.status_code == 400


def test_a_nul_in_a_bearer_token_is_a_401(client, db):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer kc_{NUL}"})

    assert response.status_code == 401


def test_a_nul_in_an_object_id_of_the_admin_is_a_404(staff_client, adam, patient_a):
    response = staff_client(adam).get(f"/admin/patients/patient/{patient_a.pk}%00/change/")

    assert response.status_code == 404
    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_id, event.detail) == ("", "not_found_in_clinic non_numeric_id")
