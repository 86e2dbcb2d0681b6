"""GET /api/v1/plans/{id} and GET /api/v1/patients/{id}/plans: who reads plans, and the audit."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.treatment.services import end_plan
from tests.treatment.conftest import PLANS, sessions


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


@pytest.mark.parametrize("person", ["alice", "nora", "adam", "audrey"])
def test_roles_that_read_plans_get_the_plan_with_its_sessions(api, request, person, plan):
    member = request.getfixturevalue(person)

    response = api(member, "get", f"/api/v1/plans/{plan.pk}")

    assert response.status_code == 200
    document = response.json()
    assert document["id"] == plan.pk
    assert document["protocol"] == "iv_induction_3x_weekly"
    assert [s["id"] for s in document["sessions"]] == [s.pk for s in sessions(plan)]
    assert document["order"]["number"] == 1
    assert len(document["orders"]) == 1


def test_the_read_is_audited(api, nora, plan):
    api(nora, "get", f"/api/v1/plans/{plan.pk}")

    event = AuditEvent.objects.filter(object_type="treatment_plan", action="read").last()
    assert (event.actor_username, event.object_id, event.patient_id, event.allowed) == (
        "nora",
        str(plan.pk),
        plan.patient_id,
        True,
    )


def test_a_coordinator_does_not_read_plans(api, cora, plan):
    response = api(cora, "get", f"/api/v1/plans/{plan.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow view_plan."}


def test_another_clinic_gets_404_and_a_denied_event(api, bob, plan):
    response = api(bob, "get", f"/api/v1/plans/{plan.pk}")

    assert response.status_code == 404
    denied = AuditEvent.objects.filter(allowed=False, object_type="treatment_plan").get()
    assert denied.detail == "not_found_in_clinic"


def test_a_missing_plan_is_a_404(api, alice, db):
    assert api(alice, "get", "/api/v1/plans/987654").status_code == 404


def test_the_patients_plans_are_listed_newest_first(api, alice, make_plan, patient_a, review_for):
    review_for(patient_a, "iv_ketamine")
    review_for(patient_a, "esketamine_nasal")
    first = make_plan(patient_a)
    end_plan(plan=first, reason="Switching to esketamine", version=first.version, by=alice)
    second = make_plan(patient_a, "esketamine_trd_label", {"dose_mg": 56})

    response = api(alice, "get", PLANS.format(patient_a.pk))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [p["id"] for p in response.json()["items"]] == [second.pk, first.pk]


def test_a_coordinator_cannot_list_plans(api, cora, patient_a, plan):
    assert api(cora, "get", PLANS.format(patient_a.pk)).status_code == 403


def test_another_clinic_cannot_list_plans(api, bob, patient_a, plan):
    assert api(bob, "get", PLANS.format(patient_a.pk)).status_code == 404
