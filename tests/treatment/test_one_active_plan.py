"""One active plan per patient (KetaCare policy, docs/treatment.md): a second plan is refused with
409 `active_plan` naming the active plan until it is ended, whatever the route; the check runs
after the patient's lock, so two prescribers signing at once cannot both pass."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection

from ketacare.treatment import services
from ketacare.treatment.errors import ConflictCode, TreatmentConflict
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession
from ketacare.treatment.services import create_plan, end_plan
from tests.treatment.conftest import ESK_ORDER, IV_ORDER, PLANS, monday_ahead


def refusal(plan_id: int) -> str:
    return f"Patient already has an active plan (plan {plan_id}): end it before starting another."


def iv_plan(start: dt.date) -> dict[str, object]:
    return {"protocol": "iv_induction_3x_weekly", "start": start.isoformat(), "order": IV_ORDER}


def stored() -> tuple[int, int, int]:
    return (
        TreatmentPlan.objects.count(),
        DoseOrder.objects.count(),
        TreatmentSession.objects.count(),
    )


def test_a_second_iv_plan_is_a_409_naming_the_active_plan_and_nothing_is_stored(
    api, alice, make_plan, patient_a, eligible_iv
):
    active = make_plan(patient_a)
    before = stored()

    response = api(alice, "post", PLANS.format(patient_a.pk), iv_plan(monday_ahead(weeks=3)))

    assert response.status_code == 409
    assert response.json() == {"detail": refusal(active.pk)}
    assert stored() == before


def test_a_plan_of_another_route_is_refused_too(api, alice, make_plan, patient_a, review_for):
    review_for(patient_a, "iv_ketamine")
    review_for(patient_a, "esketamine_nasal")
    active = make_plan(patient_a)
    start = monday_ahead(weeks=8).isoformat()
    document = {"protocol": "esketamine_trd_label", "start": start, "order": ESK_ORDER}

    response = api(alice, "post", PLANS.format(patient_a.pk), document)

    assert response.status_code == 409
    assert response.json() == {"detail": refusal(active.pk)}


def test_the_service_refuses_with_the_active_plan_code(alice, make_plan, patient_a, eligible_iv):
    active = make_plan(patient_a)

    with pytest.raises(TreatmentConflict) as caught:
        make_plan(patient_a, start=monday_ahead(weeks=4))

    assert caught.value.code == ConflictCode.ACTIVE_PLAN
    assert caught.value.detail == refusal(active.pk)
    assert caught.value.reasons == []


def test_a_plan_whose_sessions_are_all_given_still_counts_until_it_is_ended(
    api, alice, make_plan, patient_a, eligible_iv
):
    active = make_plan(patient_a)
    TreatmentSession.objects.filter(plan=active).update(status="discharged")

    refused = api(alice, "post", PLANS.format(patient_a.pk), iv_plan(monday_ahead(weeks=3)))
    end_plan(plan=active, reason="Induction completed", version=1, by=alice)
    created = api(alice, "post", PLANS.format(patient_a.pk), iv_plan(monday_ahead(weeks=3)))

    assert refused.status_code == 409
    assert created.status_code == 201


def test_another_patients_active_plan_does_not_count(
    api, alice, make_plan, patient_a, review_for, eligible_iv
):
    from tests.factories import PatientFactory

    other = PatientFactory(clinic=patient_a.clinic)
    review_for(other, "iv_ketamine")
    make_plan(other)

    response = api(alice, "post", PLANS.format(patient_a.pk), iv_plan(monday_ahead()))

    assert response.status_code == 201


def test_a_plan_signed_while_the_first_waited_for_the_patients_lock_is_seen(
    alice, patient_a, eligible_iv
):
    # Deterministic race: the competing plan lands just before this signing takes the lock.
    from tests.factories import TreatmentPlanFactory

    real_lock = services._lock_patient
    competitor: list[TreatmentPlan] = []

    def lock_after_a_competing_signing(patient_id: int) -> None:
        competitor.append(TreatmentPlanFactory(patient=patient_a, review=eligible_iv))
        real_lock(patient_id)

    with (
        mock.patch.object(services, "_lock_patient", lock_after_a_competing_signing),
        pytest.raises(TreatmentConflict) as caught,
    ):
        create_plan(
            patient=patient_a,
            protocol="iv_induction_3x_weekly",
            start=monday_ahead(),
            order=IV_ORDER,
            by=alice,
        )

    assert caught.value.code == ConflictCode.ACTIVE_PLAN
    assert caught.value.detail == refusal(competitor[0].pk)


@pytest.mark.django_db(transaction=True)
def test_two_prescribers_signing_iv_plans_at_once_give_one_plan(alice, patient_a, review_for):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite admits one writer)")
    review_for(patient_a, "iv_ketamine")
    start = monday_ahead()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def sign(weeks: int) -> None:
        barrier.wait()
        try:
            create_plan(
                patient=patient_a,
                protocol="iv_induction_3x_weekly",
                start=start + dt.timedelta(weeks=weeks),
                order=IV_ORDER,
                by=alice,
            )
            outcomes.append("created")
        except TreatmentConflict as conflict:
            outcomes.append(conflict.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(weeks,)) for weeks in (0, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["active_plan", "created"]
    assert TreatmentPlan.objects.filter(patient=patient_a, status="active").count() == 1


def test_the_database_refuses_a_second_active_plan_whatever_writes_it(patient_a):
    from django.db import IntegrityError, transaction

    from tests.factories import TreatmentPlanFactory

    first = TreatmentPlanFactory(patient=patient_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlanFactory(patient=patient_a)
    first.status = "ended"
    first.save(update_fields=["status"])
    assert TreatmentPlanFactory(patient=patient_a).status == "active"
