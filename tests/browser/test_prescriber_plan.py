"""A prescriber reviews the eligibility rules, signs, and creates a plan; then the plan, the day
and the week fit a desktop and a 390 px phone, with no console error (strict CSP)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketacare.clinical.protocols import PROTOCOLS, generate_schedule
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.screening.models import EligibilityReview
from ketacare.treatment.models import TreatmentPlan
from tests.factories import (
    AntidepressantTrialFactory,
    AssessmentFactory,
    OfficeVitalsFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots for a person to look at; the assertions do not read them.
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
PROTOCOL = PROTOCOLS["iv_induction_3x_weekly"]


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _monday_ahead() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)


@pytest.fixture
def chart(alice):
    """A chart the IV screen can be signed eligible over: MDD, two failed adequate trials, a
    moderate PHQ-9 and an office blood pressure."""
    patient = PatientFactory(
        clinic=alice.clinic,
        given_name="Maximiliana-Josefina",
        family_name="Vandenberghe-Oppenheimer",
        date_of_birth=dt.date(1971, 6, 2),
        diagnosis="mdd",
    )
    AntidepressantTrialFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient, drug="venlafaxine", daily_dose_mg=225)
    AssessmentFactory(patient=patient, answers=[3, 2, 2, 2, 1, 1, 2, 1, 0], total=14)
    OfficeVitalsFactory(patient=patient, systolic=128, diastolic=80)
    return patient


def _other_sessions(clinic, day: dt.date) -> None:
    """Two more patients in the chair on the plan's first day, so the day and week look real."""
    for hour, family in ((9, "Abernathy"), (13, "Okonkwo-Smithfield")):
        plan = TreatmentPlanFactory(patient=PatientFactory(clinic=clinic, family_name=family))
        TreatmentSessionFactory(plan=plan, date=day, number=1, time=dt.time(hour, 30))


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_prescriber_reviews_the_eligibility_rules_signs_and_creates_a_plan(
    page, sign_in, alice, chart, viewport, label
):
    monday = _monday_ahead()
    _other_sessions(alice.clinic, monday)
    warn_above = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "warn_above_mg_per_kg")
    dose = round(warn_above + 0.05, 2)  # above the warning dose: the plan shows its warning
    page.set_viewport_size(viewport)
    sign_in(alice)

    # The prescriber reads the screen's rules for IV ketamine and signs "eligible".
    page.goto(f"/patients/{chart.pk}/eligibility/?route=iv_ketamine")
    assert page.get_by_role("heading", name="Every rule of the screen", exact=False).is_visible()
    page.get_by_label("Findings").fill("Two adequate trials failed; no contraindication seen.")
    page.get_by_label("Decision").select_option("eligible")
    page.get_by_label("Note", exact=False).fill("Discussed IV ketamine; consent to follow.")
    page.get_by_role("button", name="Sign review").click()
    expect(page.locator(".messages")).to_contain_text("Eligibility review signed.")
    assert EligibilityReview.objects.get(patient=chart).decision == "eligible"

    # The plans page offers the IV protocols with their summaries; a preview, then "Sign plan".
    page.goto(f"/patients/{chart.pk}/plans/")
    assert "eligible" in page.locator(".tx-eligibility").inner_text()
    page.get_by_label(PROTOCOL.title).check()
    page.get_by_label("First session").fill(monday.isoformat())
    page.get_by_label("Dose (mg/kg)").fill(str(dose))
    # (No full-page screenshot before this click: on a phone viewport it leaves the button
    # unclickable in headless Chromium.)
    page.get_by_role("button", name="Preview schedule").click()
    expected = generate_schedule(PROTOCOL.id, start=monday, clinic_days=range(5)).sessions
    expect(page.get_by_role("heading", name=f"Preview: {len(expected)} sessions")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"plan-preview-{label}")
    page.get_by_role("button", name="Sign plan").click()

    # The plan: signed, its order with the warning, and the sessions on the clinic's days.
    expect(page.locator(".messages")).to_contain_text("Plan signed.")
    plan = TreatmentPlan.objects.get(patient=chart)
    assert urlparse(page.url).path == f"/plans/{plan.pk}/"
    assert "DOSE-IV-MGKG" in page.locator(".tx-alert-warning").inner_text()
    rows = page.locator(".tx-plan-sessions tbody tr")
    assert rows.count() == len(expected)
    assert monday.isoformat() in rows.first.inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"plan-{label}")

    # The first day and its week show the new session beside the others.
    page.get_by_role("link", name="Today", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/today/$"))
    page.goto(f"/today/?date={monday.isoformat()}")
    assert page.locator(".tx-schedule tbody tr").count() == 3
    assert "Vandenberghe-Oppenheimer" in page.locator(".tx-schedule").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"today-{label}")
    page.goto(f"/calendar/?week={monday.isoformat()}")
    assert page.locator(".tx-slot").count() == 2 + sum(
        1 for s in expected if s.date <= monday + dt.timedelta(days=6)
    )
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, f"calendar-{label}")
