"""The staff pages fit a 390 px phone: nothing wider than the screen, dates on one line, the nav
once; patient rows are links to the chart."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

from tests.factories import PatientFactory

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
def long_named_patients(adam):
    return [
        PatientFactory(
            clinic=adam.clinic,
            mrn=f"MRN-2026-{n:06d}",
            given_name="Maximiliana-Josefina",
            family_name=f"Vandenberghe-Oppenheimer{n}",
            date_of_birth=dt.date(1961, 12, 28),
        )
        for n in range(3)
    ]


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_patient_list_fits_the_screen_and_dates_stay_on_one_line(
    page, sign_in, adam, long_named_patients, viewport, label
):
    page.set_viewport_size(viewport)
    sign_in(adam)
    page.goto("/")
    _shoot(page, f"home-{label}")

    assert page.evaluate(OVERFLOW) <= 0
    for cell in page.locator(".patient-table time").all():
        box = cell.bounding_box()
        line = float(cell.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box is not None and box["height"] < 1.5 * line, cell.inner_text()


def test_each_patient_row_links_to_the_chart(page, sign_in, adam, long_named_patients):
    page.set_viewport_size(PHONE)
    sign_in(adam)
    page.goto("/")
    first = long_named_patients[0]

    link = page.get_by_role("link", name=f"{first.family_name}, {first.given_name}")

    assert link.get_attribute("href") == f"/patients/{first.pk}/"


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_audit_report_fits_the_screen_and_shows_the_nav_once(
    page, sign_in, adam, long_named_patients, viewport, label
):
    page.set_viewport_size(viewport)
    sign_in(adam)
    page.goto("/")  # a list read, so the report has events
    page.goto("/audit/")
    _shoot(page, f"audit-{label}")

    assert page.evaluate(OVERFLOW) <= 0
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Patients").count() == 1
    assert nav.get_by_role("link", name="Audit", exact=True).count() == 1
