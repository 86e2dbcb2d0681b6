"""A plan re-screens the chart: an exclusion charted after the eligible review was signed stops
the course (SAFE-ABS-EXCLUSION), naming the rule, until a new review is signed."""

import pytest

from ketacare.patients.services import add_condition, update_patient
from ketacare.treatment.errors import TreatmentConflict
from ketacare.treatment.models import TreatmentPlan
from tests.treatment.conftest import IV_ORDER


def _try_plan(make_plan, patient):
    with pytest.raises(TreatmentConflict) as caught:
        make_plan(patient, "iv_induction_2x_weekly", order=IV_ORDER)
    return caught.value


def test_a_pregnancy_charted_after_the_review_refuses_the_plan(
    alice, patient_a, eligible_iv, make_plan
):
    update_patient(
        by=alice, patient=patient_a, version=patient_a.version, changes={"pregnant": True}
    )

    refusal = _try_plan(make_plan, patient_a)

    assert refusal.code == "not_eligible"
    assert [r.split(":")[0] for r in refusal.reasons] == ["ELIG-PREGNANCY"]
    assert not TreatmentPlan.objects.filter(patient=patient_a).exists()


def test_an_aneurysm_charted_after_the_review_refuses_the_plan(
    alice, patient_a, eligible_iv, make_plan
):
    add_condition(by=alice, patient=patient_a, code="aneurysmal_vascular_disease")

    refusal = _try_plan(make_plan, patient_a)

    assert [r.split(":")[0] for r in refusal.reasons] == ["ELIG-CI-ANEURYSM"]


def test_a_review_item_charted_later_does_not_block_the_plan(
    alice, patient_a, eligible_iv, make_plan
):
    add_condition(by=alice, patient=patient_a, code="obstructive_sleep_apnea")

    assert make_plan(patient_a, "iv_induction_2x_weekly", order=IV_ORDER).status == "active"


def test_the_api_answers_409_with_the_rules(alice, patient_a, eligible_iv, staff_client):
    from tests.treatment.conftest import monday_ahead

    update_patient(
        by=alice, patient=patient_a, version=patient_a.version, changes={"pregnant": True}
    )
    response = staff_client(alice).post(
        f"/api/v1/patients/{patient_a.pk}/plans",
        {
            "protocol": "iv_induction_2x_weekly",
            "start": monday_ahead().isoformat(),
            "order": IV_ORDER,
        },
        content_type="application/json",
    )

    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"detail", "reasons"}
    assert body["reasons"][0].startswith("ELIG-PREGNANCY: ")
