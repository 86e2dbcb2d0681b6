"""A nurse charts a whole esketamine session in the browser on a tablet (1024 x 768): check-in and
pre-dose checks, the dose, a hypertensive reading whose critical alert appears at once, its
acknowledgement with a note, discharge refused before the 2-hour minimum and allowed after it.
And the nurse board shows an overdue reading highlighted.

Time is moved with time-machine, which the live server (a thread of this process) shares; it
ticks, so the browser and htmx run as usual. It starts tomorrow morning (UTC), never in the past,
so the browser keeps the session cookie.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from ketacare.chair.models import Reading, SessionAlert
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import TreatmentSession
from tests.chair import conftest as chair_tests
from tests.chair.conftest import ESK, ESK_MIN_TIME

# The chair tests' fixtures, used here by name: a session dated today, its pre-dose and dose.
chair_clinic = chair_tests.chair_clinic
review_for = chair_tests.review_for
session_today = chair_tests.session_today
dosed = chair_tests.dosed

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KETACARE_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
FIRST_READING = dt.timedelta(
    minutes=DEFAULT_SETTINGS.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
)


def _shoot(page, name: str, *, screens: int = 0) -> None:
    """The whole page; with `screens`, also the first screens one by one, as a phone shows
    them (a tall page shrunk to one picture is too small to judge)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    height = page.viewport_size["height"]
    for n in range(screens):
        page.evaluate(f"window.scrollTo(0, {n * height})")
        page.screenshot(path=str(SHOTS / f"{name}-{n + 1}.png"))
    page.evaluate("window.scrollTo(0, 0)")


@pytest.fixture
def page(browser, live_server):
    """As tests/browser/conftest.py's tab (any console error fails the test), except the
    refusals these tests provoke on purpose: the browser logs a 409 (discharge refused) and a
    422 (an empty note) as failed resources."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: object) -> None:
        if message.type == "error":
            errors.append(f"{message.text} at {message.location.get('url', '?')}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    expected = ("status of 400", "status of 409", "status of 422")
    unexpected = [e for e in errors if not any(code in e for code in expected)]
    assert not unexpected, f"browser console errors: {unexpected}"


@pytest.fixture
def morning(time_machine, settings):
    """Tomorrow 09:00 UTC, ticking; the idle sign-out is pushed past the jumps ahead."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=dt.UTC)
    time_machine.move_to(start, tick=True)
    settings.SESSION_IDLE_TIMEOUT_MIN = 720
    return time_machine


def _later(machine, delta: dt.timedelta) -> None:
    machine.move_to(timezone.now() + delta, tick=True)


def _fill_reading(page, systolic: int, diastolic: int, *, moaas: str = "5") -> None:
    form = page.locator("#reading-form")
    form.get_by_label("Systolic (mmHg)").fill(str(systolic))
    form.get_by_label("Diastolic (mmHg)").fill(str(diastolic))
    form.get_by_label("Heart rate (/min)").fill("84")
    form.get_by_label("SpO2 (%)").fill("97")
    form.get_by_label("Respiratory rate (/min)").fill("14")
    form.get_by_label("MOAA/S").select_option(moaas)
    form.get_by_role("button", name="Save reading").click()


def test_a_nurse_charts_a_whole_esketamine_session_on_a_tablet(
    page, sign_in, morning, nora, session_today
):
    session = session_today(ESK)
    patient = session.patient
    page.set_viewport_size(TABLET)
    sign_in(nora)

    # From the day's list to the session page.
    page.goto("/today/")
    page.get_by_role("link", name=f"{session.number} · {session.phase}").click()
    expect(page.get_by_role("heading", name=f"Session {session.number}")).to_be_visible()

    # Check-in and the pre-dose checks: go.
    page.get_by_label("Chair or room").fill("Chair 2")
    page.get_by_label("Identity confirmed (two identifiers)").check()
    page.get_by_label("Consent is current").check()
    page.get_by_label("Patient enrolled in the SPRAVATO REMS").check()
    page.get_by_label("Pregnancy status documented today").check()
    page.get_by_label("Escort home confirmed").check()
    page.get_by_label("Escort's phone").fill("617-555-0101")
    today = timezone.localdate().isoformat()
    page.get_by_label("Last food").fill(f"{today}T05:30")
    page.get_by_label("Last liquid").fill(f"{today}T07:30")
    page.get_by_label("Systolic (mmHg)").fill("132")
    page.get_by_label("Diastolic (mmHg)").fill("84")
    page.get_by_label("Heart rate (/min)").fill("76")
    page.get_by_label("SpO2 (%)").fill("98")
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, "chair-pre-dose-tablet")
    page.get_by_role("button", name="Record pre-dose checks").click()
    expect(page.locator(".messages")).to_contain_text("Pre-dose checks recorded.")
    expect(page.locator("#pre-dose-result")).to_contain_text("Go")

    # The dose, with its arithmetic, then the countdown to the 40-minute reading.
    expect(page.locator("#dose")).to_contain_text("56 mg ÷ 28 mg per device = 2")
    page.get_by_label("Lot number").fill("ESK-2211")
    page.get_by_role("button", name="Record dose").click()
    expect(page.locator(".chair-dose")).to_contain_text("56 mg · 2 devices")
    countdown = page.locator("#chair-live .chair-countdown")
    expect(countdown).to_contain_text("in 39 min")  # ticked by the page's script

    # +41 min: a hypertensive reading; the critical alert appears at once (htmx), unmistakable.
    _later(morning, FIRST_READING + dt.timedelta(minutes=1))
    _fill_reading(page, 185, 112, moaas="4")
    critical = page.locator(".chair-alert-critical[role=alert]")
    expect(critical).to_be_visible()
    expect(critical).to_contain_text("Critical")
    expect(critical).to_contain_text("MON-BP-SEVERE")
    assert "chair-alert-critical" in critical.first.get_attribute("class")
    expect(page.locator("#chair-timeline")).to_contain_text("BP 185/112")
    expect(page.locator("#reading-form").get_by_label("Systolic (mmHg)")).to_have_value("")
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, "chair-session-alert-tablet")
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW) <= 0
    _shoot(page, "chair-session-alert-phone", screens=6)
    page.set_viewport_size(TABLET)

    # Acknowledged with a note: an empty note is refused, then the note is kept.
    alert = SessionAlert.objects.get(session=session, rule="MON-BP-SEVERE")
    note = page.get_by_label("Note on alert MON-BP-SEVERE")
    critical.get_by_role("button", name="Acknowledge MON-BP-SEVERE").click()
    expect(page.locator(f"#ack-note-{alert.pk}-error")).to_be_visible()
    note = page.get_by_label("Note on alert MON-BP-SEVERE")
    note.fill("Prescriber at the chair; no symptoms; recheck in 15 min.")
    page.get_by_role("button", name="Acknowledge MON-BP-SEVERE").click()
    expect(page.locator(".chair-alert-critical[role=alert]")).to_have_count(0)
    expect(page.locator(".chair-acked")).to_contain_text("recheck in 15 min")
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == nora.user_id

    # Pressures fall; at +100 min discharge is refused: the 2-hour minimum cannot be overridden.
    for minutes_later, (systolic, diastolic) in ((15, (150, 92)), (30, (132, 82)), (15, (126, 80))):
        _later(morning, dt.timedelta(minutes=minutes_later))
        _fill_reading(page, systolic, diastolic)
        expect(page.locator("#chair-timeline")).to_contain_text(f"BP {systolic}/{diastolic}")
    assert Reading.objects.filter(session=session).count() == 4
    page.reload()
    page.get_by_label("Dissociation has resolved (clinician's attestation)").check()
    page.get_by_label("Patient told: no driving until the next day after a restful sleep").check()
    page.get_by_role("button", name="Discharge").click()
    refusal = page.locator("#discharge .chair-refusal")
    expect(refusal).to_contain_text("DISCH-ESK-MIN-TIME")
    assert TreatmentSession.objects.get(pk=session.pk).status == "dosed"

    # After the minimum, with a reading in the last 15 min: discharged; the summary is read-only.
    dose_at = TreatmentSession.objects.get(pk=session.pk).dose.at
    morning.move_to(dose_at + ESK_MIN_TIME + dt.timedelta(minutes=2), tick=True)
    page.reload()
    _fill_reading(page, 124, 78)
    expect(page.locator("#chair-timeline")).to_contain_text("BP 124/78")
    page.reload()
    page.get_by_label("Dissociation has resolved (clinician's attestation)").check()
    page.get_by_label("Patient told: no driving until the next day after a restful sleep").check()
    page.get_by_role("button", name="Discharge").click()
    expect(page.locator(".messages")).to_contain_text("Discharged.")
    expect(page.get_by_role("heading", name="Session summary")).to_be_visible()
    expect(page.get_by_role("link", name="REMS Patient Monitoring Form (PDF)")).to_be_visible()
    assert page.locator("#reading-form").count() == 0
    assert TreatmentSession.objects.get(pk=session.pk).status == "discharged"
    assert patient.family_name in page.locator(".chair-header").inner_text()
    _shoot(page, "chair-summary-tablet")


def test_the_nurse_board_shows_an_overdue_reading_highlighted(
    page, sign_in, morning, nora, session_today, dosed
):
    late = session_today(ESK)
    on_time = session_today(ESK)
    waiting = session_today(ESK)
    now = timezone.now()
    dosed(late, at=now - FIRST_READING - dt.timedelta(minutes=8))
    dosed(on_time, at=now - dt.timedelta(minutes=10))
    from ketacare.chair.services import record_pre_dose
    from tests.chair.conftest import pre_dose_values

    record_pre_dose(session=waiting, values=pre_dose_values(chair="Chair 5"), by=nora)

    for viewport, label in ((TABLET, "tablet"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        if label == "tablet":
            sign_in(nora)
        page.goto("/board/")
        cards = page.locator("li.chair-card")
        expect(cards).to_have_count(3)
        overdue = page.locator("li.chair-card-overdue")
        expect(overdue).to_have_count(1)
        expect(overdue).to_contain_text("Overdue")
        expect(overdue).to_contain_text(late.patient.family_name)
        expect(overdue.locator(".chair-countdown")).to_contain_text("overdue by")
        assert "chair-overdue" in overdue.locator(".chair-countdown").get_attribute("class")
        assert page.evaluate(OVERFLOW) <= 0
        _shoot(page, f"chair-board-{label}", screens=2 if label == "phone" else 0)

    # The board refreshes itself (htmx polling): a new overdue appears without a reload.
    _later(morning, dt.timedelta(minutes=32))
    expect(page.locator("li.chair-card-overdue")).to_have_count(2, timeout=25_000)

    # Signed out meanwhile: the next refresh takes the whole window to the login page.
    Session.objects.all().delete()
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=25_000)
    assert page.locator("#chair-board").count() == 0


def test_on_a_phone_a_new_critical_alert_is_brought_into_view_and_focused(
    page, sign_in, morning, nora, session_today, dosed
):
    # Given a dosed esketamine session at its 40-minute reading, charted on a phone
    session = session_today(ESK)
    dosed(session, at=timezone.now() - FIRST_READING)
    page.set_viewport_size(PHONE)
    sign_in(nora)
    page.goto(f"/sessions/{session.pk}/")
    form = page.locator("#reading-form")
    form.scroll_into_view_if_needed()
    expect(page.locator("#chair-live")).not_to_be_in_viewport()

    # When the nurse saves a hypertensive reading at the bottom of the page
    _fill_reading(page, 185, 112, moaas="4")

    # Then the new critical alert is on screen and has the focus (announced: role=alert)
    expect(page.locator(".chair-alert-critical[role=alert]")).to_have_count(1)
    alert = SessionAlert.objects.get(session=session, rule="MON-BP-SEVERE")
    critical = page.locator(f"#alert-{alert.pk}")
    expect(critical).to_be_focused()
    expect(critical).to_be_in_viewport()
    expect(critical).to_have_attribute("role", "alert")
    assert critical.get_attribute("tabindex") == "-1"
    _shoot(page, "chair-session-new-alert-phone")

    # A later reading that raises no new critical alert leaves the focus where the nurse is
    _later(morning, dt.timedelta(minutes=15))
    page.locator("#reading-form").scroll_into_view_if_needed()
    _fill_reading(page, 150, 92)
    expect(page.locator("#chair-timeline")).to_contain_text("BP 150/92")
    expect(critical).not_to_be_focused()
