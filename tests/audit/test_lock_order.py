"""The chain's lock and the rows a write touches are always taken in one order (PostgreSQL).

A chart insert checks its foreign key to the patient only at COMMIT (Django's constraints are
deferred), which used to come after the chain's lock; a signature locks the patient row first and
then appends. Two such writes at the same moment deadlocked and one answered 500 (found by
fuzzing the API with two workers).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction  # noqa: F401 - connection: skipif
from django.utils import timezone

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.audit.verification import verify_chains
from ketacare.patients.models import Patient, WeightMeasurement


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_chart_insert_and_a_write_locking_the_patient_at_the_same_moment_both_succeed(
    patient_a,
):
    inserted_and_audited = threading.Event()
    locker_started = threading.Event()
    errors: list[BaseException] = []

    def insert_then_audit() -> None:
        try:
            with transaction.atomic(durable=True):
                weight = WeightMeasurement.objects.create(
                    clinic_id=patient_a.clinic_id,
                    patient_id=patient_a.pk,
                    weight_kg=70,
                    measured_on=timezone.localdate(),
                )
                record_event(
                    action=Action.CREATE,
                    clinic_id=patient_a.clinic_id,
                    object_type="weight",
                    object_id=weight.pk,
                    patient_id=patient_a.pk,
                )
                inserted_and_audited.set()
                locker_started.wait(timeout=10)
                time.sleep(0.5)  # the other writer now waits on the patient row or the chain
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    def lock_patient_then_audit() -> None:
        try:
            inserted_and_audited.wait(timeout=10)
            with transaction.atomic(durable=True):
                locker_started.set()
                Patient.objects.select_for_update().filter(pk=patient_a.pk).first()
                record_event(
                    action=Action.CREATE,
                    clinic_id=patient_a.clinic_id,
                    object_type="eligibility_review",
                    patient_id=patient_a.pk,
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=insert_then_audit),
        threading.Thread(target=lock_patient_then_audit),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert WeightMeasurement.objects.filter(patient=patient_a).count() == 1
    assert AuditEvent.objects.filter(patient_id=patient_a.pk).count() == 2
    assert verify_chains().intact
