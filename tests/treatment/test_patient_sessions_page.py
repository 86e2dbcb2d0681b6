"""A patient's sessions page (`/patients/<id>/sessions/`): 50 sessions a page with previous and
next, the plan's current order on each row, the same queries for a short and a long course, and
the read audited with the page shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.treatment.models import TreatmentSession
from ketacare.treatment.queries import SESSION
from ketacare.treatment.views import SESSIONS_PER_PAGE
from tests.factories import DoseOrderFactory, PatientFactory, TreatmentPlanFactory

FIRST_DAY = dt.date(2025, 1, 6)


def course(clinic, count: int, *, status: str = "discharged"):
    """A patient whose IV plan holds `count` sessions, one every other day from FIRST_DAY, the
    plan's order signed twice (the second version is the current one)."""
    plan = TreatmentPlanFactory(patient=PatientFactory(clinic=clinic))
    DoseOrderFactory(plan=plan, number=1, dose_mg_per_kg="0.50", duration_min=40)
    DoseOrderFactory(plan=plan, number=2, dose_mg_per_kg="0.75", duration_min=40)
    TreatmentSession.objects.bulk_create(
        TreatmentSession(
            clinic=clinic, patient=plan.patient, plan=plan, number=n + 1, phase="induction",
            date=FIRST_DAY + dt.timedelta(days=2 * n),
            planned_date=FIRST_DAY + dt.timedelta(days=2 * n), status=status,
        )
        for n in range(count)
    )  # fmt: skip
    return plan


def all_sessions(plan, **params: object) -> str:
    url = reverse("treatment:patient-sessions", args=[plan.patient_id])
    return url + "?" + "&".join(f"{k}={v}" for k, v in {"all": 1, **params}.items())


def rows(page: str) -> int:
    return page.count('class="tx-name"')


def test_all_sessions_come_50_a_page_with_next_and_previous(staff_client, alice):
    plan = course(alice.clinic, 120)
    client = staff_client(alice)

    first = client.get(all_sessions(plan)).content.decode()
    second = client.get(all_sessions(plan, page=2)).content.decode()
    last = client.get(all_sessions(plan, page=3)).content.decode()

    assert SESSIONS_PER_PAGE == 50
    assert rows(first) == 50 and rows(second) == 50 and rows(last) == 20
    assert "Sessions 1 to 50 of 120 (page 1 of 3)" in first
    assert 'rel="prev"' not in first
    assert f'href="{all_sessions(plan, page=2).replace("&", "&amp;")}" rel="next"' in first
    assert f'href="{all_sessions(plan, page=1).replace("&", "&amp;")}" rel="prev"' in second
    assert 'rel="next"' not in last
    # Oldest first: page 2 begins with the 51st session.
    day_51 = FIRST_DAY + dt.timedelta(days=2 * 50)
    assert re.search(r'<time datetime="([\d-]+)">', second).group(1) == day_51.isoformat()


# As the patient list: a malformed page is the first, a number out of range the last; never 500.
@pytest.mark.parametrize("page", ["0", "x", "-1", "99"])
def test_a_page_out_of_range_or_malformed_shows_the_first_or_the_last(staff_client, alice, page):
    plan = course(alice.clinic, 60)

    response = staff_client(alice).get(all_sessions(plan, page=page))

    assert response.status_code == 200
    shown = rows(response.content.decode())
    assert shown == (50 if page == "x" else 10)


def test_a_short_list_has_no_pager(staff_client, alice):
    plan = course(alice.clinic, 3)

    page = staff_client(alice).get(all_sessions(plan)).content.decode()

    assert rows(page) == 3
    assert 'aria-label="Pages of sessions"' not in page


def test_each_row_shows_the_plans_current_order_and_its_links(staff_client, alice):
    plan = course(alice.clinic, 2, status="scheduled")
    first = TreatmentSession.objects.filter(plan=plan).order_by("number").first()
    here = all_sessions(plan).replace("?", "%3F").replace("=", "%3D")

    page = staff_client(alice).get(all_sessions(plan)).content.decode()

    assert page.count("0.75 mg/kg over 40 min</a>") == 2
    assert "0.5 mg/kg" not in page
    assert f'<a href="{reverse("treatment:plan", args=[plan.pk])}">' in page
    assert f'<a href="{reverse("chair:session", args=[first.pk])}">1 · induction</a>' in page
    move = reverse("treatment:session-move", args=[first.pk])
    assert f'<a href="{move}?next={here}">Move<span class="tx-sr"> session 1</span></a>' in page
    assert '<span class="tx-status tx-status-scheduled">Scheduled</span>' in page
    assert '<time datetime="2025-01-06">Mon 2025-01-06</time>' in page


def test_a_coordinator_sees_neither_orders_nor_chair_links(staff_client, cora):
    plan = course(cora.clinic, 2)

    page = staff_client(cora).get(all_sessions(plan)).content.decode()

    assert rows(page) == 2
    assert "mg/kg" not in page
    assert reverse("chair:session", args=[plan.sessions.first().pk]) not in page


@pytest.mark.parametrize("count", [3, 120])
def test_the_page_costs_the_same_queries_for_3_and_120_sessions(
    staff_client, alice, django_assert_num_queries, count
):
    plan = course(alice.clinic, count)
    client = staff_client(alice)

    # Session and user, MFA device, membership, the patient, the count and the page of
    # sessions, the plans and their orders, the audit chain's head and the event (PostgreSQL
    # also takes the chain's advisory lock), the session saved with the acting clinic
    # (savepoint, update, release).
    with django_assert_num_queries(14 + (connection.vendor == "postgresql")):
        response = client.get(all_sessions(plan))

    assert rows(response.content.decode()) == min(count, SESSIONS_PER_PAGE)


def test_the_read_is_audited_with_the_page_shown(staff_client, alice):
    plan = course(alice.clinic, 60)

    staff_client(alice).get(all_sessions(plan, page=2))

    event = AuditEvent.objects.filter(object_type=SESSION).latest("pk")
    assert event.detail == "list shown=10 all=1 page=2 total=60"
    assert event.patient_id == plan.patient_id and event.allowed
