"""A clinic admin invites a nurse, who opens the e-mailed link, chooses a password, sets up
two-factor sign-in and lands on the clinic's home page: on a desktop and on a 390 px phone."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import code_for
from tests.browser.conftest import CHROMIUM
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots for a person to look at; the assertions do not read them.
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
LINK_RE = re.compile(r"https?://[^/\s]+(/staff/invitations/[A-Za-z0-9_-]+/)")
PASSWORD = "nurse nina's long passphrase 2026"


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def fresh_tab(browser, live_server):
    """A second browser (its own cookies) for the invited nurse; fails on console errors."""
    assert CHROMIUM.exists()
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_an_admin_invites_a_nurse_who_signs_in_for_the_first_time(
    page, fresh_tab, sign_in, adam, alice, viewport, label
):
    PatientFactory(clinic=adam.clinic, family_name="Zephyrine", mrn="A-0001")
    page.set_viewport_size(viewport)
    fresh_tab.set_viewport_size(viewport)

    # The admin opens the staff page from the menu and invites Nina.
    sign_in(adam)
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Staff of Clinic A").is_visible()
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("E-mail address").fill("nina@example.org")
    page.get_by_label("Given name").fill("Nina")
    page.get_by_label("Family name").fill("Newcomer")
    page.get_by_label("Role").select_option("nurse")
    page.get_by_label("User name (optional)").fill("nina")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert "Invitation sent to nina@example.org" in page.locator(".messages").inner_text()

    # The e-mail carries the one-time link.
    (message,) = [m for m in mail.outbox if m.to == ["nina@example.org"]]
    match = LINK_RE.search(message.body)
    assert match is not None

    # Nina opens it in her own browser, chooses a password and sets up her authenticator app.
    nina = fresh_tab
    nina.goto(match.group(1))
    assert nina.get_by_role("heading", name="Join Clinic A").is_visible()
    assert nina.locator('nav[aria-label="Main"]').count() == 0
    assert nina.evaluate(OVERFLOW) <= 0
    _shoot(nina, f"staff-accept-{label}")
    nina.get_by_label("Choose a password").fill(PASSWORD)
    nina.get_by_label("The same password again").fill(PASSWORD)
    nina.get_by_role("button", name="Set password").click()
    nina.wait_for_load_state()
    assert "/accounts/mfa/enrol/" in nina.url
    assert nina.locator('nav[aria-label="Main"]').count() == 0
    assert nina.locator("figure.qr img").is_visible()
    _shoot(nina, f"staff-enrol-{label}")
    device = TOTPDevice.objects.get(user__username="nina", confirmed=False)
    nina.get_by_label("Six-digit code from your authenticator app").fill(code_for(device))
    nina.get_by_role("button", name="Confirm").click()
    nina.wait_for_load_state()

    # Signed in, on her clinic's home page, with the menu of a nurse (no Staff link).
    assert nina.get_by_role("heading", name=re.compile("Patients of Clinic A")).is_visible()
    assert "Zephyrine" in nina.locator("main").inner_text()
    assert nina.locator('nav[aria-label="Main"]').is_visible()
    assert nina.get_by_role("link", name="Staff", exact=True).count() == 0

    # The admin's staff list now shows Nina with two-factor set up; it fits the screen.
    page.goto("/staff/")
    row = page.locator("tr", has_text="nina@example.org")
    assert row.locator('[data-label="Two-factor"]').inner_text() == "Yes"
    assert row.locator('[data-label="Status"]').inner_text() == "Active"
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"staff-{label}")
    page.get_by_role("link", name="Nina Newcomer").click()
    page.wait_for_load_state()
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"staff-member-{label}")
