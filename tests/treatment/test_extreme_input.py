"""Input at the edges of what Python and the databases hold: an answer naming the field, never a
500, and nothing saved (found by fuzzing the API and the pages)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.treatment.conftest import sessions

MOVE = "/api/v1/sessions/{}/reschedule"
SCHEDULE = "/api/v1/schedule"


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


@pytest.mark.parametrize("time", ["10:00:00+02:00", "10:00:00Z"])
def test_a_move_with_a_time_carrying_a_utc_offset_is_a_422_naming_time_and_nothing_moves(
    api, cora, plan, time
):
    session = sessions(plan)[1]
    body = {"date": session.date.isoformat(), "time": time, "reason": "Asked", "version": 1}

    response = api(cora, "post", MOVE.format(session.pk), body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "time"
    session.refresh_from_db()
    assert (session.time, session.version) == (None, 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "9999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to"),
    ],
)
def test_a_schedule_range_at_the_calendar_limits_is_a_422_naming_the_date(
    api, alice, db, query, field
):
    response = api(alice, "get", SCHEDULE, **query)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_a_patients_sessions_at_the_calendar_limits_are_a_422_naming_the_date(
    api, alice, patient_a
):
    url = f"/api/v1/patients/{patient_a.pk}/sessions"

    response = api(alice, "get", url, **{"from": "9999-12-31"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


@pytest.mark.parametrize(
    ("page", "field", "value"),
    [
        ("treatment:today", "date", "9999-12-31"),
        ("treatment:today", "date", "0001-01-01"),
        ("treatment:calendar", "week", "9999-12-31"),
        ("treatment:calendar", "week", "9999-12-27"),
        ("treatment:calendar", "week", "0001-01-01"),
    ],
)
def test_the_day_and_week_pages_at_the_calendar_limits_are_a_400_naming_the_field(
    staff_client, alice, page, field, value
):
    response = staff_client(alice).get(reverse(page), {field: value})

    assert response.status_code == 400
    assert field in response.context["form"].errors
