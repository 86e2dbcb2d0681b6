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
@pytest.mark.parametrize("page", ["0", "x", "-1", "99", "", "1.0", "9" * 30])
def test_a_page_out_of_range_or_malformed_shows_the_first_or_the_last(staff_client, alice, page):
    plan = course(alice.clinic, 60)

    response = staff_client(alice).get(all_sessions(plan, page=page))

    assert response.status_code == 200
    html = response.content.decode()
    last = page in {"0", "-1", "99", "9" * 30}
    assert rows(html) == (10 if last else 50)
    pager = (
        "Sessions 51 to 60 of 60 (page 2 of 2)" if last else "Sessions 1 to 50 of 60 (page 1 of 2)"
    )
    assert pager in html


def test_an_empty_list_says_so_with_no_pager(staff_client, alice):
    patient = PatientFactory(clinic=alice.clinic)
    url = reverse("treatment:patient-sessions", args=[patient.pk])

    upcoming = staff_client(alice).get(url).content.decode()
    every = staff_client(alice).get(url + "?all=1&page=3").content.decode()

    assert "No upcoming sessions." in upcoming and "No sessions." in every
    assert 'aria-label="Pages of sessions"' not in every
    event = AuditEvent.objects.filter(object_type=SESSION).latest("pk")
    assert event.detail == "list shown=0 all=1 page=1 total=0"


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


def test_each_plan_shows_its_own_current_order_in_the_prescribers_words(staff_client, alice):
    patient = PatientFactory(clinic=alice.clinic)
    ended = TreatmentPlanFactory(patient=patient, status="ended", route="esketamine_nasal")
    DoseOrderFactory(plan=ended, dose_mg_per_kg=None, duration_min=None, dose_mg=56)
    iv = TreatmentPlanFactory(patient=patient, status="ended")
    DoseOrderFactory(plan=iv, number=1, dose_mg_per_kg="0.35", duration_min=40)
    DoseOrderFactory(
        plan=iv, number=2, dose_mg_per_kg="1.10", duration_min=45, concentration_mg_per_ml="12.50"
    )
    unsigned = TreatmentPlanFactory(patient=patient)
    TreatmentSession.objects.bulk_create(
        TreatmentSession(
            clinic=alice.clinic, patient=patient, plan=plan, number=1, phase="induction",
            date=FIRST_DAY + dt.timedelta(days=n), planned_date=FIRST_DAY + dt.timedelta(days=n),
        )
        for n, plan in enumerate([ended, iv, unsigned])
    )  # fmt: skip

    page = staff_client(alice).get(all_sessions(ended)).content.decode()

    summaries = re.findall(r'<td data-label="Order"><a href="[^"]+">([^<]*)</a></td>', page)
    assert summaries == ["56 mg", "1.1 mg/kg over 45 min at 12.5 mg/mL", "no order"]
    assert "Esketamine" in page


def test_what_the_record_holds_is_escaped(staff_client, alice):
    plan = course(alice.clinic, 1, status="scheduled")
    TreatmentSession.objects.filter(plan=plan).update(
        phase="<b>induction</b>", planned_date=FIRST_DAY - dt.timedelta(days=1),
        change_reason='moved: "driver" & <i>late</i>',
    )  # fmt: skip

    page = staff_client(alice).get(all_sessions(plan)).content.decode()

    assert "<b>induction" not in page and "<i>late" not in page
    assert "1 · &lt;b&gt;induction&lt;/b&gt;</a>" in page
    assert (
        '<span class="muted">moved: &quot;driver&quot; &amp; &lt;i&gt;late&lt;/i&gt;</span>' in page
    )
    assert '(planned <time datetime="2025-01-05">2025-01-05</time>)' in page


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

    # Session and user, MFA device, membership, the patient, the page of sessions (with their
    # total, their plans' routes and current orders: one statement), the audit chain's head and
    # the event (one round trip on PostgreSQL), the session saved with the acting clinic
    # (savepoint, update, release).
    with django_assert_num_queries(11 - (connection.vendor == "postgresql")):
        response = client.get(all_sessions(plan))

    assert rows(response.content.decode()) == min(count, SESSIONS_PER_PAGE)


def test_the_read_is_audited_with_the_page_shown(staff_client, alice):
    plan = course(alice.clinic, 60)

    staff_client(alice).get(all_sessions(plan, page=2))

    event = AuditEvent.objects.filter(object_type=SESSION).latest("pk")
    assert event.detail == "list shown=10 all=1 page=2 total=60"
    assert event.patient_id == plan.patient_id and event.allowed
