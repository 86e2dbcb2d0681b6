"""POST /api/v1/plans/{id}/end and the service behind it: a prescriber ends a plan with a reason;
every session still scheduled is cancelled, the others stay; history and one audit event kept."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.treatment.errors import STALE_VERSION_MESSAGE
from ketacare.treatment.models import SessionStatus, TreatmentPlan, TreatmentSession
from ketacare.treatment.services import end_plan
from tests.treatment.conftest import IV_ORDER, PLANS, sessions

END = "/api/v1/plans/{}/end"
REASON = "Patient moved away; care handed over."


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def ending(version: int = 1, reason: object = REASON) -> dict[str, object]:
    return {"reason": reason, "version": version}


def states(plan) -> list[tuple[str, str, int]]:
    return [(s.status, s.change_reason, s.version) for s in sessions(plan)]


def unchanged(plan) -> bool:
    stored = TreatmentPlan.objects.get(pk=plan.pk)
    return (stored.status, stored.version) == ("active", 1) and all(
        state == ("scheduled", "", 1) for state in states(plan)
    )


def test_a_prescriber_ends_a_plan_and_gets_the_plan_as_get_shows_it(api, alice, plan):
    response = api(alice, "post", END.format(plan.pk), ending())

    assert response.status_code == 200
    document = response.json()
    assert document["status"] == "ended"
    assert document["version"] == 2
    assert {s["status"] for s in document["sessions"]} == {"cancelled"}
    assert {s["change_reason"] for s in document["sessions"]} == {REASON}
    assert document == api(alice, "get", f"/api/v1/plans/{plan.pk}").json()


def test_only_the_sessions_still_scheduled_are_cancelled_whatever_their_date(api, alice, plan):
    first, second, third, *rest = sessions(plan)
    TreatmentSession.objects.filter(pk=first.pk).update(status=SessionStatus.DISCHARGED)
    TreatmentSession.objects.filter(pk=second.pk).update(status=SessionStatus.DOSED)
    TreatmentSession.objects.filter(pk=third.pk).update(status=SessionStatus.IN_CHAIR)

    response = api(alice, "post", END.format(plan.pk), ending())

    assert response.status_code == 200
    assert states(plan) == [
        ("discharged", "", 1),
        ("dosed", "", 1),
        ("in_chair", "", 1),
        *[("cancelled", REASON, 2)] * len(rest),
    ]


def test_each_cancelled_session_keeps_its_history_with_the_prescriber(api, alice, plan):
    api(alice, "post", END.format(plan.pk), ending())

    for session in sessions(plan):
        history = list(session.history.order_by("history_date", "history_id"))
        assert [h.status for h in history] == ["scheduled", "cancelled"]
        assert history[-1].change_reason == REASON
        assert history[-1].history_user_id == alice.user_id


def test_ending_is_one_audit_event_with_ids_and_counts_only(api, alice, plan):
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    api(alice, "post", END.format(plan.pk), ending())

    (event,) = AuditEvent.objects.filter(pk__gt=start, action="update")
    assert (event.object_type, event.object_id) == ("treatment_plan", str(plan.pk))
    assert event.patient_id == plan.patient_id
    assert event.detail == f"end sessions_cancelled={len(sessions(plan))}"
    assert "away" not in event.detail  # never the reason's text


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_reason_is_a_422_naming_reason_and_nothing_changes(api, alice, plan, reason):
    response = api(alice, "post", END.format(plan.pk), ending(reason=reason))

    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", "reason"], "msg": "Give a reason."}]}
    assert unchanged(plan)


def test_a_missing_reason_is_a_422_naming_reason(api, alice, plan):
    response = api(alice, "post", END.format(plan.pk), {"version": 1})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert unchanged(plan)


def test_a_reason_over_300_characters_is_a_422_naming_reason(api, alice, plan):
    response = api(alice, "post", END.format(plan.pk), ending(reason="x" * 301))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert unchanged(plan)


def test_an_unknown_field_is_a_422(api, alice, plan):
    response = api(alice, "post", END.format(plan.pk), {**ending(), "status": "ended"})

    assert response.status_code == 422
    assert unchanged(plan)


def test_a_stale_version_is_a_409_and_nothing_changes(api, alice, plan):
    response = api(alice, "post", END.format(plan.pk), ending(version=2))

    assert response.status_code == 409
    assert response.json() == {"detail": STALE_VERSION_MESSAGE}
    assert unchanged(plan)


def test_a_plan_whose_order_changed_since_it_was_read_is_stale(api, alice, plan):
    new_order = {**IV_ORDER, "duration_min": 45, "reason": "Slower infusion", "version": 1}
    assert api(alice, "post", f"/api/v1/plans/{plan.pk}/orders", new_order).status_code == 201

    response = api(alice, "post", END.format(plan.pk), ending(version=1))

    assert response.status_code == 409
    assert response.json() == {"detail": STALE_VERSION_MESSAGE}


def test_an_ended_plan_cannot_be_ended_again(api, alice, plan):
    assert api(alice, "post", END.format(plan.pk), ending()).status_code == 200

    response = api(alice, "post", END.format(plan.pk), ending(version=2))

    assert response.status_code == 409
    assert response.json() == {"detail": "This plan has ended."}
    assert AuditEvent.objects.filter(object_type="treatment_plan", action="update").count() == 1


def test_an_ended_plan_takes_no_new_order(api, alice, plan):
    api(alice, "post", END.format(plan.pk), ending())
    new_order = {**IV_ORDER, "reason": "Late change", "version": 2}

    response = api(alice, "post", f"/api/v1/plans/{plan.pk}/orders", new_order)

    assert response.status_code == 409
    assert response.json() == {"detail": "This plan has ended."}


@pytest.mark.parametrize("person", ["nora", "cora", "adam", "audrey"])
def test_only_prescribers_end_plans(api, request, person, plan):
    member = request.getfixturevalue(person)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = api(member, "post", END.format(plan.pk), ending())

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow sign_plan."}
    assert unchanged(plan)
    (denied,) = AuditEvent.objects.filter(pk__gt=start, allowed=False)
    assert denied.detail == "role_lacks:sign_plan"


def test_another_clinic_gets_404_and_a_denied_event(api, bob, plan):
    response = api(bob, "post", END.format(plan.pk), ending())

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert unchanged(plan)
    denied = AuditEvent.objects.get(actor_user_id=bob.user_id, allowed=False)
    assert denied.detail == "not_found_in_clinic"


def test_a_missing_plan_is_a_404(api, alice, db):
    assert api(alice, "post", END.format(987654), ending()).status_code == 404


def test_once_ended_the_patient_may_start_another_plan(api, alice, plan, patient_a, monday):
    api(alice, "post", END.format(plan.pk), ending())
    document = {"protocol": "iv_induction_3x_weekly", "start": monday.isoformat()}

    response = api(alice, "post", PLANS.format(patient_a.pk), {**document, "order": IV_ORDER})

    assert response.status_code == 201
    active = TreatmentPlan.objects.filter(patient=patient_a, status="active").get()
    assert active.pk == response.json()["id"]


def test_the_service_never_ends_another_clinics_plan(clinic_b, plan):
    from django.http import Http404

    from tests.factories import MembershipFactory

    outsider = MembershipFactory(clinic=clinic_b, role="prescriber")

    with pytest.raises(Http404):
        end_plan(plan=plan, reason=REASON, version=1, by=outsider)

    assert unchanged(plan)


def test_a_plan_with_nothing_left_to_cancel_still_ends(alice, plan):
    TreatmentSession.objects.filter(plan=plan).update(status=SessionStatus.DISCHARGED)

    ended = end_plan(plan=plan, reason="Course completed", version=1, by=alice)

    assert (ended.status, ended.version) == ("ended", 2)
    assert {s.status for s in sessions(plan)} == {"discharged"}
    event = AuditEvent.objects.filter(object_type="treatment_plan", action="update").get()
    assert event.detail == "end sessions_cancelled=0"
