"""Ending a plan from /plans/<id>/ and the refusal of a second plan on the patient's plans page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketacare.treatment.models import TreatmentPlan
from tests.treatment.conftest import IV_ORDER, monday_ahead, sessions

REASON = "Patient asked to stop; discussed with the team."


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def plan_url(plan) -> str:
    return reverse("treatment:plan", args=[plan.pk])


def plans_url(patient) -> str:
    return reverse("treatment:patient-plans", args=[patient.pk])


def end_form(version: int = 1, reason: str = REASON) -> dict[str, str]:
    return {"reason": reason, "version": str(version), "end_plan": "1"}


def status_of(plan) -> str:
    return TreatmentPlan.objects.get(pk=plan.pk).status


def test_a_prescriber_sees_the_end_form_with_a_reason_and_the_plans_version(
    staff_client, alice, plan
):
    page = staff_client(alice).get(plan_url(plan)).content.decode()

    assert "End this plan" in page
    assert '<label for="id_end_reason">Reason for ending the plan</label>' in page
    assert '<textarea name="reason"' in page
    assert page.count('id="id_end_reason"') == 1
    assert '<input type="hidden" name="version" value="1"' in page
    button = '<button type="submit" name="end_plan" value="1" class="danger">End plan</button>'
    assert button in page


@pytest.mark.parametrize("person", ["nora", "adam", "audrey"])
def test_roles_that_do_not_sign_plans_see_no_end_form(staff_client, request, person, plan):
    page = staff_client(request.getfixturevalue(person)).get(plan_url(plan)).content.decode()

    assert "End this plan" not in page
    assert 'name="end_plan"' not in page


def test_ending_from_the_page_shows_the_plan_ended_with_its_sessions_cancelled(
    staff_client, alice, plan
):
    client = staff_client(alice)

    response = client.post(plan_url(plan), end_form())

    assert (response.status_code, response["Location"]) == (302, plan_url(plan))
    page = client.get(plan_url(plan)).content.decode()
    assert "Plan ended; every session still scheduled is cancelled." in page
    assert '<span class="tx-status tx-plan-status tx-plan-status-ended">Ended</span>' in page
    assert page.count('class="tx-cancelled"') == len(sessions(plan))
    assert page.count(REASON) == len(sessions(plan))
    assert "End this plan" not in page
    assert "Change the order" not in page
    assert status_of(plan) == "ended"


def test_ending_without_a_reason_is_a_form_error_and_the_plan_stays_active(
    staff_client, alice, plan
):
    response = staff_client(alice).post(plan_url(plan), end_form(reason=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_end_reason_error"' in page
    assert '<details class="card tx-end-plan" open>' in page
    assert status_of(plan) == "active"


def test_a_blank_reason_is_refused_by_the_service_under_the_field(staff_client, alice, plan):
    response = staff_client(alice).post(plan_url(plan), end_form(reason="   "))

    assert response.status_code == 400
    assert 'id="id_end_reason_error"' in response.content.decode()
    assert status_of(plan) == "active"


def test_a_stale_end_is_a_409_and_the_form_takes_the_version_now_shown(staff_client, alice, plan):
    client = staff_client(alice)
    changed = {**{k: str(v) for k, v in IV_ORDER.items()}, "reason": "Dose review", "version": "1"}
    assert client.post(plan_url(plan), changed).status_code == 302

    response = client.post(plan_url(plan), end_form(version=1))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record first" in page
    assert '<input type="hidden" name="version" value="2"' in page
    assert REASON in page
    assert status_of(plan) == "active"


def test_a_nurse_posting_the_end_form_gets_403_and_nothing_changes(staff_client, nora, plan):
    response = staff_client(nora).post(plan_url(plan), end_form())

    assert response.status_code == 403
    assert status_of(plan) == "active"


def test_another_clinic_posting_the_end_form_gets_404(staff_client, bob, plan):
    response = staff_client(bob).post(plan_url(plan), end_form())

    assert response.status_code == 404
    assert status_of(plan) == "active"


def test_the_plans_page_refuses_a_second_plan_with_a_link_to_the_active_one(
    staff_client, alice, plan, patient_a
):
    page = staff_client(alice).get(plans_url(patient_a)).content.decode()

    link = f'<a href="{plan_url(plan)}#end-plan">plan {plan.pk}</a>'
    assert f"Patient already has an active plan ({link}): end it before starting another." in page
    assert 'name="sign"' not in page
    assert '<span class="tx-status tx-plan-status tx-plan-status-active">Active</span>' in page


def test_signing_a_second_plan_from_a_stale_page_is_a_409_with_the_link(
    staff_client, alice, plan, patient_a
):
    data = {
        "protocol": "iv_induction_3x_weekly",
        "start": monday_ahead(weeks=4).isoformat(),
        "clinic_days": ["0", "1", "2", "3", "4"],
        "dose_mg_per_kg": str(IV_ORDER["dose_mg_per_kg"]),
        "duration_min": str(IV_ORDER["duration_min"]),
        "sign": "1",
    }

    response = staff_client(alice).post(plans_url(patient_a), data)

    assert response.status_code == 409
    page = response.content.decode()
    assert f'<a href="{plan_url(plan)}#end-plan">plan {plan.pk}</a>' in page
    assert TreatmentPlan.objects.filter(patient=patient_a).count() == 1


def test_once_the_plan_ended_the_plans_page_offers_a_new_plan(staff_client, alice, plan, patient_a):
    client = staff_client(alice)
    client.post(plan_url(plan), end_form())

    page = client.get(plans_url(patient_a)).content.decode()

    assert "Patient already has an active plan" not in page
    assert 'name="sign"' in page
    assert '<span class="tx-status tx-plan-status tx-plan-status-ended">Ended</span>' in page
