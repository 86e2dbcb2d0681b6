"""The nurse board page: every session in a chair at the clinic, one card each; overdue readings
and open critical alerts highlighted; the fragment htmx polls; the same queries for 1 and 30
chairs; who may see it.

The rows are built directly with the models (`seat`), at a frozen time, so the board's judgement
(next reading due, overdue, discharge readiness) is the clinical core's at a known moment.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from ketacare.chair.models import DoseGiven, PreDose, Reading, SessionAlert
from ketacare.chair.presentation import READY_ONCE_ATTESTED
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK_MIN_TIME
from tests.factories import (
    DoseOrderFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
    UserFactory,
)

BOARD = reverse("chair:board")
NOW = dt.datetime(2026, 12, 14, 11, 0, tzinfo=dt.UTC)
# The esketamine +40 min reading (MON-SCHEDULE-ESK): due 40 min after the dose.
FIRST_ESK_READING_MIN = DEFAULT_SETTINGS.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def seat(
    clinic: Any,
    *,
    chair: str = "Chair 1",
    dosed_min_ago: int | None = 30,
    readings: int = 0,
    critical_open: int = 0,
    status: str | None = None,
    family_name: str = "Seated",
) -> Any:
    """An esketamine session of `clinic` checked in to `chair` (and dosed `dosed_min_ago`
    minutes before NOW, with `readings` normal readings every 5 minutes after the dose and
    `critical_open` unacknowledged critical alerts)."""
    patient = PatientFactory(clinic=clinic, family_name=family_name)
    plan = TreatmentPlanFactory(
        patient=patient, route="esketamine_nasal", protocol="esketamine_trd_label"
    )
    order = DoseOrderFactory(plan=plan, dose_mg_per_kg=None, duration_min=None, dose_mg=56)
    dosed = dosed_min_ago is not None
    session = TreatmentSessionFactory(
        plan=plan, date=NOW.date(), number=1, status=status or ("dosed" if dosed else "in_chair")
    )
    nurse = UserFactory()
    start = NOW - dt.timedelta(minutes=(dosed_min_ago or 0) + 20)
    PreDose.objects.create(
        clinic=clinic, patient=patient, session=session, checked_in_at=start, chair=chair,
        nurse=nurse, at=start, systolic=128, diastolic=80, heart_rate=72, spo2=98,
        identity_confirmed=True, consent_current=True, rems_setting_certified=True,
        rems_patient_enrolled=True, escort_confirmed=True, dosing="go", recorded_by=nurse,
        recorded_at=start,
    )  # fmt: skip
    if not dosed:
        return session
    dose_at = NOW - dt.timedelta(minutes=dosed_min_ago)
    DoseGiven.objects.create(
        clinic=clinic, patient=patient, session=session, order=order, at=dose_at,
        lot_number="LOT-1", dose_mg=56, devices=2, given_by=nurse, recorded_at=dose_at,
    )  # fmt: skip
    for n in range(readings):
        at = dose_at + dt.timedelta(minutes=5 * (n + 1))
        Reading.objects.create(
            clinic=clinic, patient=patient, session=session, at=at, systolic=126, diastolic=78,
            heart_rate=74, spo2=98, respiratory_rate=14, moaas=5, recorded_by=nurse,
            recorded_at=at,
        )  # fmt: skip
    for n in range(critical_open):
        SessionAlert.objects.create(
            clinic=clinic, patient=patient, session=session, rule="MON-BP-SEVERE",
            level="critical", at=dose_at + dt.timedelta(minutes=n + 1), message="Severe.",
            raised_at=NOW,
        )  # fmt: skip
    return session


def test_the_board_shows_each_session_in_a_chair_and_nothing_else(staff_client, nora, bob):
    in_chair = seat(nora.clinic, chair="Chair 3", dosed_min_ago=None, family_name="Waiting")
    dosed = seat(nora.clinic, chair="Chair 1", family_name="Dosed")
    seat(nora.clinic, chair="Chair 9", status="discharged", family_name="Gone")
    TreatmentSessionFactory(plan=TreatmentPlanFactory(patient=PatientFactory(clinic=nora.clinic)))
    seat(bob.clinic, chair="Chair 1", family_name="Elsewhere")

    response = staff_client(nora).get(BOARD)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<li class="chair-card') == 2
    assert "Waiting" in page and "Dosed" in page
    assert "Gone" not in page and "Elsewhere" not in page
    # Chair order, each card linking to its session page.
    assert page.index("Chair 1") < page.index("Chair 3")
    assert reverse("chair:session", args=[dosed.pk]) in page
    assert reverse("chair:session", args=[in_chair.pk]) in page
    assert "Not dosed yet" in page
    assert "30 min" in page


def test_an_overdue_reading_is_highlighted_with_its_time_and_words(staff_client, nora):
    # Dosed 45 min ago, no reading yet: the +40 reading was due 5 min ago.
    seat(nora.clinic, dosed_min_ago=FIRST_ESK_READING_MIN + 5)

    page = staff_client(nora).get(BOARD).content.decode()

    assert "chair-card chair-card-overdue" in page
    assert "Overdue" in page
    assert "overdue by 5 min" in page
    due = NOW - dt.timedelta(minutes=5)
    assert f'data-due="{due.isoformat()}"' in page


def test_a_reading_on_time_is_not_highlighted(staff_client, nora):
    seat(nora.clinic, dosed_min_ago=FIRST_ESK_READING_MIN - 10)

    page = staff_client(nora).get(BOARD).content.decode()

    assert "chair-card-overdue" not in page
    assert "in 10 min" in page


def test_open_critical_alerts_are_counted_on_the_card(staff_client, nora):
    seat(nora.clinic, critical_open=2)

    page = staff_client(nora).get(BOARD).content.decode()

    assert "chair-card-critical" in page
    assert "2 critical" in page
    assert "2 open" in page


def test_a_held_session_shows_its_status_and_the_hold_pill(staff_client, nora):
    session = seat(nora.clinic, dosed_min_ago=None)
    PreDose.objects.filter(session=session).update(dosing="hold")

    page = staff_client(nora).get(BOARD).content.decode()

    assert '<span class="tx-status tx-status-in_chair">In chair</span>' in page
    assert '<span class="chair-pill chair-pill-hold">Hold</span>' in page
    assert "Esketamine" in page and "session 1" in page


def test_a_dosed_session_not_ready_says_when_and_how_many_criteria_are_not_met(staff_client, nora):
    seat(nora.clinic, dosed_min_ago=10)
    dose_at = NOW - dt.timedelta(minutes=10)

    page = staff_client(nora).get(BOARD).content.decode()

    assert '<span class="tx-status tx-status-dosed">Dosed</span>' in page
    assert "chair-pill-hold" not in page
    assert f'(dosed <time datetime="{dose_at.isoformat()}">{dose_at:%H:%M}</time>)' in page
    assert "Not yet, not before <time" in page
    assert re.search(r"\(\d+ criteri(on|a) not met\)", page)
    # Pre-dose vitals stand in until the first reading.
    assert "BP 128/80 · HR 72 · SpO2 98 % <span" in page


def test_the_board_and_the_session_page_say_the_same_of_a_session_ready_but_unattested(
    staff_client, nora
):
    minimum = int(ESK_MIN_TIME.total_seconds() // 60)
    session = seat(nora.clinic, dosed_min_ago=minimum + 5, readings=minimum // 5 + 1)
    client = staff_client(nora)

    board = client.get(BOARD).content.decode()
    page = client.get(reverse("chair:session", args=[session.pk])).content.decode()
    heading = page.split('id="discharge-heading">', 1)[1].split("</h2>", 1)[0]

    assert READY_ONCE_ATTESTED in board
    assert READY_ONCE_ATTESTED in heading
    assert "blocked" not in heading


def test_htmx_polling_gets_the_board_fragment_alone(staff_client, nora):
    seat(nora.clinic)

    response = staff_client(nora).get(BOARD, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith("{#") is False
    assert 'id="chair-board"' in page
    assert 'hx-trigger="every 15s"' in page
    assert "HX-Request" in response["Vary"]


def test_the_page_loads_the_countdown_script_from_our_origin(staff_client, nora):
    page = staff_client(nora).get(BOARD).content.decode()

    assert '<script src="/static/chair/chair.js" defer></script>' in page
    assert "<script>" not in page


def test_the_board_read_is_audited_with_the_patients_shown(staff_client, nora):
    first = seat(nora.clinic, chair="Chair 1")
    second = seat(nora.clinic, chair="Chair 2")

    staff_client(nora).get(BOARD)

    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).latest("pk")
    ids = sorted([first.patient_id, second.patient_id])
    assert event.detail == f"board offset=0 shown=2 total=2 ids={ids[0]},{ids[1]}"
    assert event.allowed and event.clinic_id == nora.clinic_id


@pytest.mark.parametrize("person", ["nora", "alice", "adam", "audrey"])
def test_roles_that_read_sessions_see_the_board_and_its_nav_link(request, staff_client, person):
    member = request.getfixturevalue(person)

    response = staff_client(member).get(BOARD)

    assert response.status_code == 200
    assert f'href="{BOARD}">Board</a>' in response.content.decode()


def test_a_coordinator_gets_403_and_no_nav_link(staff_client, cora):
    seat(cora.clinic)
    client = staff_client(cora)

    response = client.get(BOARD)

    assert response.status_code == 403
    denied = AuditEvent.objects.filter(allowed=False).latest("pk")
    assert denied.detail == "role_lacks:view_session"
    assert f'href="{BOARD}"' not in client.get(reverse("web:home")).content.decode()


@pytest.mark.parametrize("chairs", [1, 30])
def test_the_board_costs_the_same_queries_for_1_and_30_chairs(
    staff_client, nora, django_assert_num_queries, chairs
):
    for n in range(chairs):
        seat(nora.clinic, chair=f"Chair {n + 1}", readings=3, critical_open=1)
    client = staff_client(nora)

    # Session and user, MFA device, membership; the sessions with pre-dose, dose, plan and
    # patient joined; all their readings; all their alerts; the audit chain's head and the
    # event (one round trip on PostgreSQL); the session saved with the acting
    # clinic (savepoint, update, release).
    with django_assert_num_queries(12 - (connection.vendor == "postgresql")):
        response = client.get(BOARD)

    assert response.content.decode().count('<li class="chair-card') == chairs
