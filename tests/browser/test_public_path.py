"""The whole public path on a phone (390 x 844), as a person with no account walks it: the
welcome, the learn pages, the self-check, the finder (the demo clinic by its ZIP, 97205), the
clinic's page and its intake request, and the confirmation, with axe-core on every page. Then
the demo coordinator signs in and finds the request in the clinic's intake queue, and only
there: the other demo clinic's queue stays empty."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from ketacare.clinics.demo import DEMO_PASSWORD, load_demo_data
from ketacare.clinics.models import Clinic
from ketacare.intake.models import IntakeRequest
from tests.accounts.helpers import code_for, confirmed_device
from tests.browser.conftest import axe_check

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
MAPLE = "Maple Street Ketamine Clinic (demo)"
LAKESIDE = "Lakeside Mood Clinic (demo)"
VISITOR = "Robin Pathwalker"


def _checked(page) -> None:
    """Every page of the path: fits the phone's width, passes axe.

    Called once the new page's own content is seen: a click's navigation may have committed the
    URL before the document exists, and measuring then reads a null documentElement."""
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOW) <= 0, page.url
    axe_check(page)


def _answer(page, fieldset_id: str, answer: str) -> None:
    page.locator(f"fieldset#{fieldset_id}").get_by_text(answer, exact=True).click()


@pytest.fixture
def demo(db):
    load_demo_data()
    return Clinic.objects.get(name=MAPLE)


def test_a_visitor_walks_from_learning_to_a_request_the_coordinator_sees(
    page, browser, live_server, demo
):
    page.set_viewport_size(PHONE)

    # Welcome, then learn.
    page.goto("/")
    _checked(page)
    page.locator("main").get_by_role("link", name="Learn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Learn about ketamine")
    _checked(page)
    page.get_by_role("link", name="Who may be a candidate, and who may not").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("candidate")
    _checked(page)

    # The self-check: not sure which route, moderately severe PHQ-9, no crisis, two trials.
    page.get_by_role("link", name="Take the self-check").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Could ketamine treatment")
    _checked(page)
    _answer(page, "id_route", "I am not sure yet: check all three")
    for item in range(1, 9):
        _answer(page, f"id_phq9_{item}", "More than half the days")
    _answer(page, "id_phq9_9", "Not at all")
    page.get_by_label("Your age in years").fill("41")
    page.get_by_label("In this episode of depression").fill("2")
    for question in ("id_bipolar", "id_pregnant", "id_breastfeeding"):
        _answer(page, question, "No")
    page.get_by_role("button", name="See my result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your self-check result")
    _checked(page)

    # The finder, from the result page: the demo clinic by its ZIP.
    page.get_by_label("Your ZIP code").fill("97205")
    page.get_by_role("button", name="Find clinics").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find a ketamine clinic")
    expect(page.get_by_role("link", name=MAPLE)).to_be_visible()
    _checked(page)
    page.get_by_role("link", name=MAPLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MAPLE)
    _checked(page)

    # The intake request, with the self-check attached.
    page.get_by_label("Your name").fill(VISITOR)
    page.get_by_role("textbox", name="E-mail").fill("robin@example.org")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Attach my self-check to this request").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("REQ-")).to_be_visible()
    _checked(page)

    request = IntakeRequest.objects.get()
    assert request.clinic_id == demo.pk
    assert request.self_check  # attached, as the visitor chose

    # The demo coordinator of that clinic finds it in the queue.
    coordinator = get_user_model()._default_manager.get(username="demo-coordinator")
    device = confirmed_device(coordinator)
    staff = browser.new_context(base_url=live_server.url)
    try:
        tab = staff.new_page()
        tab.set_viewport_size(PHONE)
        tab.goto("/accounts/login/")
        tab.get_by_label("User name").fill("demo-coordinator")
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.get_by_label("Six-digit code from your authenticator app").fill(code_for(device))
        tab.get_by_role("button", name="Verify").click()
        tab.goto("/intake/")
        expect(tab.get_by_role("link", name=VISITOR)).to_be_visible()
    finally:
        staff.close()
    assert not IntakeRequest.objects.filter(clinic__name=LAKESIDE).exists()
