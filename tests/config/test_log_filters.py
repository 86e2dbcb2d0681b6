"""The console log names no typed path or value of a refused request (penetration test V3)."""

from __future__ import annotations

import io
import logging

import pytest

from ketacare.config.log_filters import RequestTextFilter

TYPED = "Smith John 1980-01-01"


@pytest.fixture
def console():
    """What the configured console handler writes during the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestTextFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_404_for_a_typed_admin_address_is_logged_without_the_address(staff_client, adam, console):
    response = staff_client(adam).get(f"/admin/patients/patient/{TYPED}/change/")

    assert response.status_code == 404
    text = console.getvalue()
    assert "WARNING django.request Not Found (status 404)" in text
    assert "INFO ketacare.clinics.tenancy denied read patient=non_numeric_id" in text
    assert "Smith" not in text and "1980" not in text


def test_a_suspicious_request_is_logged_by_its_kind_only(staff_client, adam, patient_a, console):
    url = f"/admin/patients/patient/{patient_a.pk}/change/?_to_field=family_name"

    response = staff_client(adam).get(url)

    assert response.status_code == 400
    text = console.getvalue()
    assert (
        "django.security.DisallowedModelAdminToField DisallowedModelAdminToField (status 400)"
        in text
    )
    assert "family_name" not in text and "Traceback" not in text


def test_other_records_pass_unchanged():
    record = logging.makeLogRecord({"name": "ketacare.x", "msg": "patient %s", "args": (7,)})

    assert RequestTextFilter().filter(record) is True
    assert record.getMessage() == "patient 7"
