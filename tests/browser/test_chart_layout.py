"""The chart page fits a 390 px phone and a desktop: nothing wider than the screen, every section
there for a prescriber, an add-form opens in place when its "Add …" link is clicked (htmx; the
link alone opens it on a page of its own without JavaScript)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    AllergyFactory,
    AntidepressantTrialFactory,
    AssessmentFactory,
    CareNoteFactory,
    ConditionFactory,
    ConsentFactory,
    MedicationFactory,
    OfficeVitalsFactory,
    PatientFactory,
    WeightMeasurementFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def charted(alice):
    patient = PatientFactory(
        clinic=alice.clinic,
        mrn="KC-000042",
        given_name="Maximiliana-Josefina",
        family_name="Vandenberghe-Oppenheimer",
        date_of_birth=dt.date(1979, 3, 14),
        diagnosis="mdd",
        phone="617-555-0142",
        email="max.vandenberghe@example.org",
        city="Boston",
        state="MA",
        emergency_contact_name="Jan Vandenberghe",
        emergency_contact_relationship="spouse",
        emergency_contact_phone="617-555-0143",
        psychiatric_history="Two depressive episodes; hospitalised 2019.",
    )
    now = timezone.now()
    for n in range(3):
        WeightMeasurementFactory(
            patient=patient, weight_kg=80 - n, measured_on=dt.date(2026, 1, 1 + n)
        )
        OfficeVitalsFactory(patient=patient, at=now - dt.timedelta(days=n))
        AssessmentFactory(patient=patient, completed_at=now - dt.timedelta(days=7 * n))
    AllergyFactory(patient=patient, substance="Penicillin", reaction="hives", severity="severe")
    MedicationFactory(
        patient=patient, name="Lorazepam", medication_class="benzodiazepine", dose="0.5 mg at night"
    )
    MedicationFactory(
        patient=patient, name="Sertraline", medication_class="antidepressant", dose="150 mg"
    )
    ConditionFactory(patient=patient, code="hypertension_controlled", onset_on=dt.date(2020, 5, 1))
    ConditionFactory(
        patient=patient, code="obstructive_sleep_apnea", resolved_on=dt.date(2024, 1, 1)
    )
    AntidepressantTrialFactory(patient=patient, drug="sertraline")
    AntidepressantTrialFactory(patient=patient, drug="venlafaxine", daily_dose_mg=225)
    AntidepressantTrialFactory(
        patient=patient, drug="bupropion", outcome="intolerance", adequate=False
    )
    ConsentFactory(patient=patient, signed_by="patient")
    first = CareNoteFactory(
        patient=patient, title="Intake", text="Referred for TRD.", recorded_by=alice.user
    )
    CareNoteFactory(
        patient=patient,
        title="Intake",
        text="Referred for TRD; sleep apnoea treated.",
        thread_id=first.pk,
        number=2,
        supersedes=first,
        amendment_reason="added history",
        recorded_by=alice.user,
    )
    return patient


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_chart_fits_the_screen(page, sign_in, alice, charted, viewport, label):
    page.set_viewport_size(viewport)
    sign_in(alice)
    page.goto(f"/patients/{charted.pk}/")
    page.get_by_role("link", name="Add a weight").click()
    # Swapped in by htmx, with the cursor in its first field.
    expect(page.get_by_label("Weight (kg)")).to_be_focused()
    assert page.url.endswith(f"/patients/{charted.pk}/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chart-{label}.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for part, top in enumerate(range(0, height, 1400)):
        clip = {"x": 0, "y": top, "width": viewport["width"], "height": min(1400, height - top)}
        page.screenshot(path=str(SHOTS / f"chart-{label}-{part}.png"), full_page=True, clip=clip)

    assert page.evaluate(OVERFLOW) <= 0
    assert page.get_by_label("Weight (kg)").is_visible()
    for heading in (
        "Weight",
        "Medications",
        "Antidepressant trials",
        "Care-team notes",
        "Consents",
    ):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_coordinator_registers_a_patient_from_the_home_page(page, sign_in, cora, viewport, label):
    page.set_viewport_size(viewport)
    sign_in(cora)
    page.goto("/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_label("Date of birth").fill("1980-12-10")
    page.get_by_label("Sex at birth").select_option("female")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"register-{label}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) <= 0
    page.get_by_role("button", name="Register patient").click()

    page.get_by_role("heading", name="Lovelace, Ada").wait_for()
    assert page.get_by_text("Patient registered with MRN KC-").is_visible()
    assert page.get_by_role("heading", name="Medications").count() == 0
