"""GET /api/v1/schedule and GET /api/v1/patients/{id}/sessions: the clinic's and a patient's
sessions, names for every schedule role, the order only for roles that read plans."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from tests.treatment.conftest import sessions

SCHEDULE = "/api/v1/schedule"


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def week(plan) -> dict[str, str]:
    first = sessions(plan)[0].date
    return {"from": first.isoformat(), "to": (first + dt.timedelta(days=6)).isoformat()}


def test_the_clinics_sessions_of_a_range_with_names_and_the_order(api, alice, plan):
    response = api(alice, "get", SCHEDULE, **week(plan))

    assert response.status_code == 200
    document = response.json()
    in_week = [s for s in sessions(plan) if s.date <= sessions(plan)[0].date + dt.timedelta(6)]
    assert document["count"] == len(in_week)
    item = document["items"][0]
    patient = plan.patient
    assert item["patient_name"] == f"{patient.given_name} {patient.family_name}"
    assert (item["route"], item["status"], item["number"]) == ("iv_ketamine", "scheduled", 1)
    assert item["dose"] == plan.current_order.summary
    assert item["protocol_dose"] == in_week[0].dose_text


def test_a_coordinator_gets_names_and_status_but_no_dose(api, cora, plan):
    item = api(cora, "get", SCHEDULE, **week(plan)).json()["items"][0]

    assert item["patient_name"]
    assert (item["dose"], item["protocol_dose"]) == (None, None)


def test_the_schedule_read_is_audited_under_each_patient_shown(api, nora, plan):
    api(nora, "get", SCHEDULE, **week(plan))

    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).last()
    assert event.detail.endswith(f"ids={plan.patient_id}")
    assert event.actor_username == "nora"


def test_another_clinic_sees_none_of_it(api, bob, plan):
    response = api(bob, "get", SCHEDULE, **week(plan))

    assert response.json() == {"items": [], "count": 0}


def test_naming_a_clinic_the_caller_does_not_belong_to_is_a_404(api, bob, plan):
    response = api(bob, "get", SCHEDULE, clinic_id=plan.clinic_id, **week(plan))

    assert response.status_code == 404


def test_without_a_range_the_schedule_is_the_seven_days_from_today(api, alice, plan):
    response = api(alice, "get", SCHEDULE)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [{"from": "2026-12-10", "to": "2026-12-01"}, {"from": "2026-01-01", "to": "2027-06-01"}],
)
def test_a_bad_range_is_a_422_naming_to(api, alice, query, db):
    response = api(alice, "get", SCHEDULE, **query)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "to"]


def test_a_malformed_date_is_a_422(api, alice, db):
    response = api(alice, "get", SCHEDULE, **{"from": "next monday"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "from"


def test_lists_are_paged(api, alice, plan):
    first = sessions(plan)[0].date
    query = {"from": first.isoformat(), "to": (first + dt.timedelta(days=30)).isoformat()}

    page = api(alice, "get", SCHEDULE, limit=2, offset=1, **query).json()

    assert page["count"] == len(sessions(plan))
    assert [item["number"] for item in page["items"]] == [2, 3]


# --- a patient's sessions --------------------------------------------------------------------


def test_a_patients_sessions_by_date(api, cora, plan):
    response = api(cora, "get", f"/api/v1/patients/{plan.patient_id}/sessions")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [s.pk for s in sessions(plan)]


def test_a_patients_sessions_from_a_date(api, nora, plan):
    later = sessions(plan)[3].date

    response = api(
        nora, "get", f"/api/v1/patients/{plan.patient_id}/sessions", **{"from": later.isoformat()}
    )

    assert [item["number"] for item in response.json()["items"]] == [4, 5, 6]


def test_another_clinic_gets_404_for_a_patients_sessions(api, bob, plan):
    assert api(bob, "get", f"/api/v1/patients/{plan.patient_id}/sessions").status_code == 404
