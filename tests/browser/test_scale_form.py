"""A nurse records a PHQ-9 item by item on a 390 px phone and a desktop: the instrument is picked
on the chart (htmx swaps its form in; without JavaScript the chart reloads with it), a missing
item is named, the result shows the suicidal-ideation flag; nothing is wider than the screen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from ketacare.patients.models import Assessment

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots for a person to look at; the assertions do not read them.
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
PAGE_HEIGHT = "document.documentElement.scrollHeight"
# PHQ-9 answers by item, item 3 left out at first: total 14 with item 3 at 2, item 9 above 0.
PHQ9 = {1: "2", 2: "2", 4: "2", 5: "1", 6: "1", 7: "2", 8: "1", 9: "1"}
LABELS = {"1": "1 — Several days", "2": "2 — More than half the days"}


def _shoot(page, name: str, section: str = "") -> None:
    """The whole page, and in parts of at most 1400 px (of `section` alone when named)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if section:
        top, bottom = page.locator(section).evaluate(
            "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]"
            ".map(y => y + scrollY)"
        )
        top, bottom = int(top), int(bottom)
    else:
        top, bottom = 0, page.evaluate(PAGE_HEIGHT)
    width = page.viewport_size["width"]
    for part, start in enumerate(range(top, bottom, 1400)):
        clip = {"x": 0, "y": start, "width": width, "height": min(1400, bottom - start)}
        page.screenshot(path=str(SHOTS / f"{name}-{part}.png"), full_page=True, clip=clip)


def _answer(page, number: int, value: str) -> None:
    item = page.get_by_role("group", name=f"Item {number}.")
    item.get_by_label(LABELS[value], exact=True).check()


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_nurse_records_a_phq9_item_by_item(page, sign_in, nora, patient_a, viewport, label):
    page.set_viewport_size(viewport)
    sign_in(nora)
    page.goto(f"/patients/{patient_a.pk}/")
    page.get_by_text("Record a rating scale").click()
    page.get_by_label("Scale", exact=True).select_option("phq9")  # htmx swaps the PHQ-9 in
    page.get_by_role("group", name="Item 9.").wait_for()
    for number, value in PHQ9.items():
        _answer(page, number, value)
    _shoot(page, f"scale-chart-{label}", "#assessments")
    assert page.evaluate(OVERFLOW) <= 0

    page.get_by_role("button", name="Save and score").click()

    page.get_by_text("Item 3 is required.").first.wait_for()
    _shoot(page, f"scale-missing-{label}")
    assert page.evaluate(OVERFLOW) <= 0
    assert not Assessment.objects.exists()
    # The answers given stay checked; only item 3 is left to answer.
    _answer(page, 3, "2")
    page.get_by_role("button", name="Save and score").click()

    page.get_by_role("heading", name="Suicidal ideation").wait_for()
    _shoot(page, f"scale-result-{label}")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.get_by_text("A clinician must review this result today.").is_visible()
    record = Assessment.objects.get()
    assert (record.total, record.severity, record.flags) == (14, "moderate", ["suicidal_ideation"])


def test_without_javascript_the_chart_reloads_with_the_chosen_scale(
    browser, live_server, nora, patient_a
):
    from tests.accounts.helpers import code_for, confirmed_device
    from tests.factories import TEST_PASSWORD

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        device = confirmed_device(nora.user)
        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(nora.user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Six-digit code from your authenticator app").fill(code_for(device))
        page.get_by_role("button", name="Verify").click()
        page.goto(f"/patients/{patient_a.pk}/")
        page.get_by_text("Record a rating scale").click()
        page.get_by_label("Scale", exact=True).select_option("cssrs_screener")
        page.get_by_role("button", name="Show its items").click()

        page.get_by_role("group", name="Item 7.").wait_for()
        assert "instrument=cssrs_screener" in page.url
        _shoot(page, "scale-cssrs-nojs-phone", "#assessments")
        assert page.evaluate(OVERFLOW) <= 0
        for number in (1, 2, 6):
            page.get_by_role("group", name=f"Item {number}.").get_by_label("No", exact=True).check()
        page.get_by_role("button", name="Save and score").click()

        page.get_by_role("heading", name="Score").wait_for()
        assert Assessment.objects.get().answers == [False, False, None, None, None, False, None]
    finally:
        context.close()
