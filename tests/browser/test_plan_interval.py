"""On a 390 px phone and a desktop, a prescriber picks weekly esketamine maintenance under its
protocol, previews and signs: the form fits the screen, and the plan says weekly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketacare.clinical.protocols import PROTOCOLS, interval_options
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import TreatmentPlan
from tests.factories import EligibilityReviewFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

ESK = "esketamine_trd_label"
((MAINTENANCE, (_, WEEKLY)),) = interval_options(ESK).items()
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}]
)
def test_a_prescriber_signs_weekly_esketamine_maintenance(page, sign_in, alice, viewport):
    patient = PatientFactory(clinic=alice.clinic)
    EligibilityReviewFactory(
        patient=patient, route="esketamine_nasal", decision="eligible", signed_by=alice.user
    )
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    page.set_viewport_size(viewport)
    sign_in(alice)

    page.goto(f"/patients/{patient.pk}/plans/")
    page.get_by_label(PROTOCOLS[ESK].title).check()
    page.get_by_label("Maintenance interval").select_option(str(WEEKLY))
    page.get_by_label("First session").fill(monday.isoformat())
    page.get_by_label("Dose (mg)").fill(
        str(DEFAULT_SETTINGS.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
    )
    page.get_by_role("button", name="Preview schedule").click()
    expect(page.get_by_label("Maintenance interval")).to_have_value(str(WEEKLY))
    assert page.evaluate(OVERFLOW) <= 0
    page.get_by_role("button", name="Sign plan").click()

    expect(page.get_by_text("Plan signed.")).to_be_visible()
    expect(page.get_by_text(f"{MAINTENANCE}: weekly (the protocol's default")).to_be_visible()
    assert TreatmentPlan.objects.get().every_days == {MAINTENANCE: WEEKLY}
    assert page.evaluate(OVERFLOW) <= 0
