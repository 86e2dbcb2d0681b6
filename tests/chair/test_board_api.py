"""`GET /api/v1/board` (contracts.md 2.3): the acting clinic's sessions in a chair, as a list with
its count; the same read as the board page, at the same cost for 1 and 30 chairs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from tests.chair.test_board_page import FIRST_ESK_READING_MIN, NOW, seat

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "session_id",
    "patient_id",
    "route",
    "dose_at",
    "minutes_since_dose",
    "last_reading_at",
    "next_reading_due",
    "overdue",
    "open_alerts",
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_the_board_lists_each_session_in_a_chair_with_the_contracts_fields(api, nora, bob):
    overdue = seat(nora.clinic, chair="Chair 1", dosed_min_ago=FIRST_ESK_READING_MIN + 5,
                   critical_open=1)  # fmt: skip
    waiting = seat(nora.clinic, chair="Chair 2", dosed_min_ago=None)
    seat(nora.clinic, chair="Chair 3", status="discharged")
    seat(bob.clinic, chair="Chair 1")

    response = api(nora, "get", "/api/v1/board")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert set(first) >= CONTRACT_FIELDS
    dose_at = NOW - dt.timedelta(minutes=FIRST_ESK_READING_MIN + 5)
    assert first == {
        "session_id": overdue.pk,
        "patient_id": overdue.patient_id,
        "route": "esketamine_nasal",
        "dose_at": dose_at.isoformat().replace("+00:00", "Z"),
        "minutes_since_dose": FIRST_ESK_READING_MIN + 5,
        "last_reading_at": None,
        "next_reading_due": (NOW - dt.timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "overdue": True,
        "open_alerts": 1,
        "status": "dosed",
        "chair": "Chair 1",
        "open_critical_alerts": 1,
        "discharge_ready": False,
    }
    assert second["session_id"] == waiting.pk
    assert second["dose_at"] is None and second["next_reading_due"] is None
    assert second["overdue"] is False and second["discharge_ready"] is None


def test_the_board_pages_with_limit_and_offset_and_counts_all(api, nora):
    for n in range(3):
        seat(nora.clinic, chair=f"Chair {n + 1}")

    body = api(nora, "get", "/api/v1/board", limit=2, offset=1).json()

    assert body["count"] == 3
    assert [item["chair"] for item in body["items"]] == ["Chair 2", "Chair 3"]
    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).latest("pk")
    assert event.detail.startswith("board offset=1 shown=2 total=3 ids=")


def test_a_coordinator_gets_403_and_an_outsider_naming_the_clinic_404(api, cora, bob):
    assert api(cora, "get", "/api/v1/board").status_code == 403
    assert api(bob, "get", "/api/v1/board", clinic_id=cora.clinic_id).status_code == 404


@pytest.mark.parametrize("chairs", [1, 30])
def test_the_board_api_costs_the_same_queries_for_1_and_30_chairs(
    api, nora, django_assert_num_queries, chairs
):
    for n in range(chairs):
        seat(nora.clinic, chair=f"Chair {n + 1}", readings=2, critical_open=1)
    api(nora, "get", "/api/v1/board")  # the token's first use records its last use

    # The token with its user, the memberships; the sessions with their rows joined (counted
    # and paged in Python); all their readings; all their alerts; the audit chain's head and
    # the event (one round trip on PostgreSQL).
    with django_assert_num_queries(7 - (connection.vendor == "postgresql")):
        response = api(nora, "get", "/api/v1/board")

    assert response.json()["count"] == chairs
