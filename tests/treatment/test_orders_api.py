"""POST /api/v1/plans/{id}/orders: a changed order is a new signed version; the old one stays."""

from __future__ import annotations

import pytest

from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import DoseOrder, SessionStatus, TreatmentSession
from tests.treatment.conftest import ESK_ORDER, IV_ORDER, sessions

ORDERS = "/api/v1/plans/{}/orders"


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def changed(version: int = 1, **order: object) -> dict[str, object]:
    warn_above = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "warn_above_mg_per_kg")
    document: dict[str, object] = {**IV_ORDER, "dose_mg_per_kg": warn_above}
    document.update(order)
    return {**document, "reason": "Partial response after session 2.", "version": version}


def test_a_new_order_supersedes_the_current_one_and_raises_the_plans_version(api, alice, plan):
    first = DoseOrder.objects.get(plan=plan)

    response = api(alice, "post", ORDERS.format(plan.pk), changed())

    assert response.status_code == 201
    order = response.json()
    assert (order["number"], order["supersedes_id"], order["signed_by"]) == (2, first.pk, "alice")
    assert order["reason"] == "Partial response after session 2."
    plan_document = api(alice, "get", f"/api/v1/plans/{plan.pk}").json()
    assert plan_document["version"] == 2
    assert plan_document["order"]["id"] == order["id"]
    assert [o["number"] for o in plan_document["orders"]] == [1, 2]
    first.refresh_from_db()
    assert float(first.dose_mg_per_kg) == IV_ORDER["dose_mg_per_kg"]


def test_a_stale_plan_version_is_a_409_and_nothing_is_signed(api, alice, plan):
    assert api(alice, "post", ORDERS.format(plan.pk), changed()).status_code == 201

    response = api(alice, "post", ORDERS.format(plan.pk), changed(version=1))

    assert response.status_code == 409
    assert DoseOrder.objects.filter(plan=plan).count() == 2


def test_a_new_order_needs_a_reason(api, alice, plan):
    response = api(alice, "post", ORDERS.format(plan.pk), {**changed(), "reason": "  "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"


def test_a_new_order_outside_the_limits_is_a_422_naming_the_field(api, alice, plan):
    response = api(alice, "post", ORDERS.format(plan.pk), changed(dose_mg_per_kg=2.0))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-2:] == ["order", "dose_mg_per_kg"]


@pytest.mark.parametrize("person", ["nora", "cora", "adam", "audrey"])
def test_only_prescribers_sign_orders(api, request, person, plan):
    response = api(request.getfixturevalue(person), "post", ORDERS.format(plan.pk), changed())

    assert response.status_code == 403
    assert DoseOrder.objects.filter(plan=plan).count() == 1


def test_another_clinic_gets_404(api, bob, plan):
    assert api(bob, "post", ORDERS.format(plan.pk), changed()).status_code == 404


def test_a_signed_order_is_never_changed_in_place(plan):
    from ketacare.treatment.models import SignedOrderIsFinal

    order = DoseOrder.objects.get(plan=plan)
    order.duration_min = 60

    with pytest.raises(SignedOrderIsFinal):
        order.save()


def test_the_higher_trd_dose_is_signed_only_once_the_first_dose_was_given(
    api, alice, make_plan, patient_a, eligible_esketamine
):
    plan = make_plan(patient_a, "esketamine_trd_label", ESK_ORDER)
    highest = {"dose_mg": DEFAULT_SETTINGS.value("DOSE-ESK-ALLOWED", "maximum_mg")}
    body = {**highest, "reason": "Tolerated; no response.", "version": 1}

    before = api(alice, "post", ORDERS.format(plan.pk), body)
    TreatmentSession.objects.filter(pk=sessions(plan)[0].pk).update(status=SessionStatus.DOSED)
    after = api(alice, "post", ORDERS.format(plan.pk), body)

    assert before.status_code == 422
    assert "DOSE-ESK-FIRST-TRD" in before.json()["detail"][0]["msg"]
    assert after.status_code == 201
    assert after.json()["dose_mg"] == highest["dose_mg"]
