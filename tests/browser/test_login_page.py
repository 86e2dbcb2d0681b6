"""Staff sign-in in a real browser: password, TOTP enrolment, the clinic's patient list."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from tests.factories import TEST_PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_with_password(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def code_from_secret(secret_text: str) -> str:
    key = base64.b32decode(re.sub(r"\s+", "", secret_text).upper())
    return f"{totp(key):06d}"


def test_login_page_renders_a_labelled_form(page):
    page.goto("/accounts/login/")
    assert "Sign in" in page.title()
    assert page.get_by_label("User name").is_visible()
    assert page.get_by_label("Password").is_visible()


def test_wrong_password_shows_one_generic_message(page, alice):
    sign_in_with_password(page, "alice", "not the right password at all")
    assert "/accounts/login/" in page.url
    assert "The user name or password is not correct." in page.locator("main").inner_text()


def test_new_staff_member_enrols_mfa_and_sees_only_their_clinics_patients(page, alice, clinic_b):
    PatientFactory(clinic=alice.clinic, family_name="Zephyrine", mrn="A-0001")
    PatientFactory(clinic=alice.clinic, family_name="Quillfeather", mrn="A-0002")
    PatientFactory(clinic=clinic_b, family_name="Outsiderson", mrn="B-0001")

    sign_in_with_password(page, "alice", TEST_PASSWORD)
    assert "/accounts/mfa/enrol/" in page.url
    qr = page.locator("figure.qr img")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    secret = page.locator("code.otp-secret").inner_text()
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    main = page.locator("main")
    assert page.get_by_role("heading", name=re.compile("Patients of Clinic A")).is_visible()
    assert "Zephyrine" in main.inner_text()
    assert "Outsiderson" not in main.inner_text()

    # Search as you type: htmx swaps the table without a page load.
    page.get_by_label("Search by name or MRN").fill("quill")
    page.wait_for_function("() => !document.querySelector('main').innerText.includes('Zephyrine')")
    assert "Quillfeather" in main.inner_text()
    page.get_by_label("Search by name or MRN").fill("Outsiderson")
    page.wait_for_function(
        "() => !document.querySelector('main').innerText.includes('Quillfeather')"
    )
    assert "Outsiderson" not in main.inner_text()
