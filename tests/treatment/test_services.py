"""The treatment services called directly: their own guards, the order checks, and the patient
lock that keeps two plans of one patient from breaking DOSE-ESK-MAX-FREQUENCY together."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.errors import TreatmentConflict
from ketacare.treatment.models import TreatmentPlan, TreatmentSession
from ketacare.treatment.services import create_plan, end_plan, reschedule_session
from tests.treatment.conftest import ESK_ORDER, IV_ORDER, monday_ahead, sessions


def field_of(error: ValidationError) -> str:
    (field,) = error.message_dict
    return field


def test_a_service_never_acts_on_another_clinics_patient(clinic_b, patient_a, eligible_iv):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(clinic=clinic_b, role="prescriber")

    with pytest.raises(Http404):
        create_plan(
            patient=patient_a,
            protocol="iv_induction_3x_weekly",
            start=monday_ahead(),
            order=IV_ORDER,
            by=outsider,
        )


@pytest.mark.parametrize(
    ("order", "field"),
    [
        ({**IV_ORDER, "dose_mg_per_kg": 0.555}, "order.dose_mg_per_kg"),
        ({**IV_ORDER, "duration_min": 40.5}, "order.duration_min"),
        ({**IV_ORDER, "dose_mg_per_kg": True}, "order.dose_mg_per_kg"),
        ({**IV_ORDER, "concentration_mg_per_ml": "strong"}, "order.concentration_mg_per_ml"),
        ({}, "order.dose_mg_per_kg"),
    ],
)
def test_an_iv_order_the_record_cannot_keep_exactly_is_refused(
    alice, patient_a, eligible_iv, order, field
):
    with pytest.raises(ValidationError) as caught:
        create_plan(
            patient=patient_a,
            protocol="iv_induction_3x_weekly",
            start=monday_ahead(),
            order=order,
            by=alice,
        )

    assert field_of(caught.value) == field
    assert not TreatmentPlan.objects.exists()


def test_the_mdsi_protocol_doses_by_its_own_label_rule(alice, patient_a, eligible_esketamine):
    reduced = DEFAULT_SETTINGS.value("DOSE-ESK-FIRST-MDSI", "reduced_dose_mg")
    lowest = DEFAULT_SETTINGS.value("DOSE-ESK-ALLOWED", "minimum_mg")

    with pytest.raises(ValidationError) as caught:
        create_plan(
            patient=patient_a,
            protocol="esketamine_mdsi_label",
            start=monday_ahead(),
            order={"dose_mg": lowest},
            by=alice,
        )
    plan = create_plan(
        patient=patient_a,
        protocol="esketamine_mdsi_label",
        start=monday_ahead(weeks=8),
        order={"dose_mg": reduced},
        by=alice,
    )

    assert "DOSE-ESK-FIRST-MDSI" in caught.value.message_dict["order.dose_mg"][0]
    rules = {alert["rule"] for alert in plan.orders.get().alerts}
    assert "DOSE-ESK-FIRST-MDSI" in rules


def test_a_session_cannot_be_moved_into_an_earlier_session_of_another_esketamine_plan(
    alice, patient_a, eligible_esketamine, make_plan
):
    first = make_plan(patient_a, "esketamine_mdsi_label", {"dose_mg": 84})
    # The first course was given, then ended: its doses still count for the limit.
    TreatmentSession.objects.filter(plan=first).update(status="discharged")
    end_plan(plan=first, reason="Course completed", version=first.version, by=alice)
    window = DEFAULT_SETTINGS.value("DOSE-ESK-MAX-FREQUENCY", "window_days")
    second = make_plan(
        patient_a, "esketamine_trd_label", ESK_ORDER, start=monday_ahead(weeks=window)
    )
    last_of_first = sessions(first)[-1]
    opening = sessions(second)[0]

    with pytest.raises(TreatmentConflict) as caught:
        reschedule_session(
            session=opening, date=last_of_first.date, reason="sooner", version=1, by=alice
        )

    assert caught.value.reasons[0].startswith("DOSE-ESK-MAX-FREQUENCY: ")


@pytest.mark.django_db(transaction=True)
def test_two_prescribers_at_once_cannot_double_book_esketamine(alice, patient_a, review_for):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite admits one writer)")
    review_for(patient_a, "esketamine_nasal")
    start = monday_ahead()
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def sign(offset: int) -> None:
        barrier.wait()
        try:
            create_plan(
                patient=patient_a,
                protocol="esketamine_trd_label",
                start=start + dt.timedelta(days=offset),
                order=ESK_ORDER,
                by=alice,
            )
            outcomes.append("created")
        except TreatmentConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "refused"]
    assert TreatmentPlan.objects.count() == 1
