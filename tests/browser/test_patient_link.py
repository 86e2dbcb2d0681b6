"""A patient answers a PHQ-9 from a link on a 390x844 phone, without signing in: a missing item
is named, the result is in words; with item 9 above zero the crisis resources come first. Then
the C-SSRS hides the questions its skip logic does not ask. Nothing is wider than the screen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from ketacare.outcomes.links import issue_link
from ketacare.outcomes.models import OutcomeAlert, PatientReport
from ketacare.patients.models import Assessment

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def _answer(page, number: int, value: int) -> None:
    page.locator(f"#item-{number}").get_by_label(FREQUENCY[value], exact=True).check()


def _open(page, alice, patient, instrument: str = "phq9"):
    page.set_viewport_size(PHONE)
    issued = issue_link(by=alice, patient=patient, instrument=instrument)
    page.goto(issued.url)
    return issued


def test_a_patient_answers_a_phq9_on_a_phone(page, alice, patient_a):
    _open(page, alice, patient_a)
    assert page.get_by_role("heading", level=1).inner_text() == f"Hello, {patient_a.given_name}"
    assert patient_a.family_name not in page.content()
    assert page.evaluate(OVERFLOW) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "patient-link-form.png"), full_page=True)
    answers = [1, 2, 1, 1, 0, 1, 2, 1]  # item 9 left out at first
    for number, value in enumerate(answers, start=1):
        _answer(page, number, value)
    page.get_by_label("Anything since your last session?").fill("A headache the next morning.")
    page.get_by_role("button", name="Send my answers").click()
    alert = page.get_by_role("alert")
    assert "Item 9 is not answered." in alert.inner_text()
    assert not Assessment.objects.exists()
    _answer(page, 9, 0)
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you, your answers were sent").wait_for()
    assert "add up to 9 out of 27" in page.content()
    assert "“mild”" in page.content()
    assert page.get_by_role("alert").count() == 0
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=str(SHOTS / "patient-link-result.png"), full_page=True)
    row = Assessment.objects.get()
    assert row.total == 9 and row.recorded_by_id is None
    assert PatientReport.objects.get().text == "A headache the next morning."


def test_item9_shows_988_before_anything_else(page, alice, patient_a):
    _open(page, alice, patient_a)
    for number in range(1, 10):
        _answer(page, number, 1)
    page.get_by_role("button", name="Send my answers").click()
    first = page.get_by_role("heading", level=1)
    assert "help is there right now" in first.inner_text()
    crisis = page.get_by_role("alert")
    assert "988 Suicide & Crisis Lifeline" in crisis.inner_text()
    assert crisis.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    # The crisis box sits above the thank-you heading on the screen too.
    crisis_box = crisis.bounding_box()
    thanks = page.get_by_role("heading", name="Thank you, your answers were sent").bounding_box()
    assert crisis_box["y"] < thanks["y"]
    assert crisis_box["y"] < PHONE["height"]  # in view without scrolling
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=str(SHOTS / "patient-link-crisis.png"), full_page=True)
    assert OutcomeAlert.objects.count() == 1


def test_cssrs_asks_follow_up_questions_only_after_a_yes(page, alice, patient_a):
    _open(page, alice, patient_a, "cssrs_screener")
    question3 = page.locator("#item-3")
    assert question3.is_hidden()
    page.locator("#item-2").get_by_label("Yes", exact=True).check()
    assert question3.is_visible()
    page.locator("#item-2").get_by_label("No", exact=True).check()
    assert question3.is_hidden()
    page.locator("#item-1").get_by_label("No", exact=True).check()
    page.locator("#item-6").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you, your answers were sent").wait_for()
    assert Assessment.objects.get().answers == [False, False, None, None, None, False]
