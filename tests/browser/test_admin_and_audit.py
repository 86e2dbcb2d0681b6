"""The clinic admin's tools in a real browser: the scoped admin and the audit report."""

from __future__ import annotations

import re

import pytest

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinic_admin_sees_only_their_clinics_patients_in_the_admin(page, sign_in, adam, bob):
    PatientFactory(clinic=adam.clinic, family_name="Insideworth", mrn="A-1")
    PatientFactory(clinic=bob.clinic, family_name="Elsewhereton", mrn="B-1")
    sign_in(adam)
    page.goto("/admin/patients/patient/")
    body = page.locator("body").inner_text()
    assert "A-1" in body
    assert "B-1" not in body and "Elsewhereton" not in body


def test_auditor_filters_the_audit_report_and_sees_their_own_sign_in(page, sign_in, audrey):
    sign_in(audrey)
    page.goto("/audit/")
    assert page.get_by_role("heading", name=re.compile("Audit report: Clinic A")).is_visible()
    page.get_by_label(re.compile("^User", re.IGNORECASE)).first.fill("audrey")
    page.get_by_role("button", name=re.compile("Filter|Show|Apply", re.IGNORECASE)).first.click()
    page.wait_for_load_state()
    assert "audrey" in page.locator("main").inner_text()


def test_api_docs_load_from_our_own_static_files(page, sign_in, alice):
    sign_in(alice)
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    assert "KetaCare API" in page.locator(".swagger-ui .info").inner_text()
