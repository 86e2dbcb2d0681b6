"""A new plan never starts closer to the patient's last session of an ended plan than the new
protocol's spacing rule allows (reference 1.6, PROT-*-SPACING): ending a plan must not open the
way to a second infusion on the day of the first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.treatment.models import TreatmentPlan
from tests.factories import TreatmentPlanFactory, TreatmentSessionFactory
from tests.treatment.conftest import IV_ORDER, PLANS

pytestmark = pytest.mark.django_db

EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
SPACING = "PROT-IV-INDUCTION-3X-WEEKLY-SPACING"


def _ended_plan_with_a_session(patient, review, day, status):
    plan = TreatmentPlanFactory(patient=patient, status="ended", review=review)
    TreatmentSessionFactory(plan=plan, number=1, date=day, status=status)
    return plan


def _create(api, alice, patient, start):
    body = {
        "protocol": "iv_induction_3x_weekly",
        "start": start.isoformat(),
        "clinic_days": EVERY_DAY,
        "order": IV_ORDER,
    }
    return api(alice, "post", PLANS.format(patient.pk), body)


def test_a_new_iv_plan_starting_on_the_day_of_the_ended_plans_infusion_is_refused(
    api, alice, patient_a, eligible_iv
):
    today = timezone.localdate()
    _ended_plan_with_a_session(patient_a, eligible_iv, today, "dosed")

    response = _create(api, alice, patient_a, today)

    assert response.status_code == 409
    assert [reason.split(":")[0] for reason in response.json()["reasons"]] == [SPACING]
    assert TreatmentPlan.objects.filter(patient=patient_a, status="active").count() == 0


def test_a_new_iv_plan_the_day_after_the_last_infusion_is_refused_naming_the_spacing_rule(
    api, alice, patient_a, eligible_iv
):
    today = timezone.localdate()
    _ended_plan_with_a_session(patient_a, eligible_iv, today, "discharged")

    response = _create(api, alice, patient_a, today + dt.timedelta(days=1))

    assert response.status_code == 409
    assert response.json()["reasons"][0].startswith(f"{SPACING}: ")


def test_a_new_iv_plan_as_far_from_the_last_infusion_as_the_rule_asks_is_created(
    api, alice, patient_a, eligible_iv
):
    today = timezone.localdate()
    _ended_plan_with_a_session(patient_a, eligible_iv, today, "discharged")

    response = _create(api, alice, patient_a, today + dt.timedelta(days=2))

    assert response.status_code == 201


def test_a_cancelled_session_of_the_ended_plan_does_not_hold_the_new_plan_back(
    api, alice, patient_a, eligible_iv
):
    today = timezone.localdate()
    _ended_plan_with_a_session(patient_a, eligible_iv, today, "cancelled")

    response = _create(api, alice, patient_a, today)

    assert response.status_code == 201
