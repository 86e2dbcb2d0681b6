"""A prescriber opens a patient's outcomes from the chart (desktop) and reads the PHQ-9 chart,
the table beside it and the status; the page passes axe and fits the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import PatientFactory
from tests.outcomes.trajectory_helpers import series

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_a_prescriber_reads_the_phq9_chart_table_and_status(page, sign_in, alice, axe):
    patient = PatientFactory(clinic=alice.clinic)
    series(patient, "phq9", dt.date(2026, 1, 5), [20, 14, 10, 4])
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(alice)

    page.goto(f"/patients/{patient.pk}/")
    page.locator(f'.chart-actions a[href="/patients/{patient.pk}/outcomes/"]').click()
    section = page.get_by_role("region", name="PHQ-9")
    chart = section.get_by_role("img", name="Patient Health Questionnaire-9 (PHQ-9)")
    expect(chart).to_be_visible()
    assert section.locator("svg.trajectory-svg rect, svg.trajectory-svg path").count() > 10
    rows = section.locator(".trajectory-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("2026-01-26")
    expect(rows.nth(3)).to_contain_text("minimal")
    expect(section.locator(".trajectory-status")).to_have_text("Remission")
    assert page.evaluate(OVERFLOW) <= 0
    axe(page)
