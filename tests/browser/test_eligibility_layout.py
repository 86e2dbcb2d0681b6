"""The eligibility page fits a 390 px phone and a desktop, with no console error (strict CSP),
and a prescriber signs from it by the labelled fields."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from ketacare.screening.models import EligibilityReview
from tests.factories import (
    AntidepressantTrialFactory,
    AssessmentFactory,
    ConditionFactory,
    EligibilityReviewFactory,
    MedicationFactory,
    OfficeVitalsFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots for a person to look at; the assertions do not read them.
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def chart(alice):
    """A chart that needs review for IV ketamine, with an earlier signed review."""
    patient = PatientFactory(
        clinic=alice.clinic,
        given_name="Maximiliana-Josefina",
        family_name="Vandenberghe-Oppenheimer",
        date_of_birth=dt.date(1958, 3, 14),
        diagnosis="mdd",
    )
    AntidepressantTrialFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient, drug="venlafaxine", daily_dose_mg=225)
    AssessmentFactory(patient=patient, answers=[3, 2, 2, 2, 1, 1, 2, 1, 0], total=14)
    OfficeVitalsFactory(patient=patient, systolic=146, diastolic=88)
    ConditionFactory(patient=patient, code="obstructive_sleep_apnea")
    MedicationFactory(patient=patient, medication_class="benzodiazepine")
    EligibilityReviewFactory(
        patient=patient,
        signed_by=alice.user,
        route="iv_ketamine",
        decision="not_eligible",
        screen_decision="needs_review",
        note="Waiting for the sleep study.",
        signed_at=timezone.now() - dt.timedelta(days=14),
    )
    return patient


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_eligibility_page_fits_the_screen(page, sign_in, alice, chart, viewport, label):
    page.set_viewport_size(viewport)
    sign_in(alice)
    page.goto(f"/patients/{chart.pk}/eligibility/?route=iv_ketamine&new=1")

    assert page.get_by_text(
        "KetaCare supports clinicians; it does not decide for them."
    ).is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"eligibility-{label}.png"), full_page=True)


def test_a_prescriber_signs_by_the_labelled_fields(page, sign_in, alice, chart):
    page.set_viewport_size(DESKTOP)
    sign_in(alice)
    page.goto(f"/patients/{chart.pk}/eligibility/?route=iv_ketamine&new=1")

    page.get_by_label("Findings").fill("Sleep study: mild OSA, CPAP adherent.")
    page.get_by_label("Decision").select_option("eligible")
    page.get_by_label("Note").fill("OSA treated; benzodiazepine held on infusion days.")
    page.get_by_role("button", name="Sign review").click()
    page.wait_for_load_state()

    assert page.get_by_text("Eligibility review signed.").is_visible()
    latest = EligibilityReview.objects.order_by("-signed_at").first()
    assert (latest.decision, latest.screen_decision) == ("eligible", "needs_review")
    assert latest.supersedes is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "eligibility-signed-desktop.png"), full_page=True)
