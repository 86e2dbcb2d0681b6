"""A coordinator turns an intake request into a patient, in a real browser, desktop and phone."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from ketacare.intake.models import IntakeRequest
from ketacare.patients.models import Patient
from tests.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots for a person to look at; the assertions do not read them.
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def queue(cora):
    IntakeRequestFactory(clinic=cora.clinic, name="Jordan Older", status="contacted")
    IntakeRequestFactory(clinic=cora.clinic, name="Casey Closed", status="closed")
    return IntakeRequestFactory(
        clinic=cora.clinic,
        source="public",
        name="Maximiliana-Josefina Vandenberghe-Oppenheimer",
        email="maximiliana.vandenberghe-oppenheimer@example.org",
        phone="617-555-0142",
        preferred_contact="email",
        best_time="Weekday mornings before 10",
        message="My doctor suggested asking about esketamine after two medicines did not help.",
        self_check={
            "answers": {
                "route": "esketamine_nasal",
                "age": 41,
                "antidepressants_tried": 2,
                "pregnant": False,
            },
            "result": "may_be_candidate",
            "reasons": ["Two antidepressants tried in this episode."],
        },
    )


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_coordinator_registers_a_patient_from_an_intake_request(
    page, sign_in, cora, queue, viewport, label
):
    # Given a coordinator signed in, on a desktop or a phone
    page.set_viewport_size(viewport)
    sign_in(cora)

    # When they open the intake queue from the nav
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake").click()
    page.wait_for_load_state()
    _shoot(page, f"intake-queue-{label}")
    assert page.evaluate(OVERFLOW) <= 0
    main = page.locator("main")
    assert "Jordan Older" in main.inner_text() and "Casey Closed" not in main.inner_text()

    # and open the request
    page.get_by_role("link", name=queue.name).click()
    page.wait_for_load_state()
    _shoot(page, f"intake-request-{label}")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.get_by_role("heading", name="Self-check attached").is_visible()
    assert "May be a candidate" in main.inner_text()

    # and register the person as a patient
    page.get_by_role("link", name="Register as patient").click()
    page.wait_for_load_state()
    assert page.get_by_label("Given name").input_value() == "Maximiliana-Josefina"
    assert page.get_by_label("Family name").input_value() == "Vandenberghe-Oppenheimer"
    page.get_by_label("Date of birth").fill("1984-05-17")
    page.get_by_label("Sex at birth").select_option("female")
    _shoot(page, f"intake-register-{label}")
    assert page.evaluate(OVERFLOW) <= 0
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_load_state()

    # Then they land on the new patient's chart, and the request and the patient point to
    # each other
    patient = Patient.objects.get()
    assert re.search(rf"/patients/{patient.pk}/$", page.url)
    _shoot(page, f"intake-chart-{label}")
    assert (patient.given_name, patient.intake_request_id) == ("Maximiliana-Josefina", queue.pk)
    registered = IntakeRequest.objects.get(pk=queue.pk)
    assert (registered.patient_id, registered.status) == (patient.pk, "evaluation_scheduled")
