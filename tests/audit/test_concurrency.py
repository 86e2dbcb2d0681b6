"""Concurrent appends from real threads (PostgreSQL): the chain never forks.

On SQLite writers are serialised by the database itself (BEGIN IMMEDIATE), and its in-memory
test database is one connection, so real threads only say something on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction  # noqa: F401 - connection: skipif

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.audit.verification import verify_chain

THREADS = 4
EVENTS_PER_THREAD = 25


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_four_threads_appending_at_once_leave_one_intact_chain():
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait(timeout=10)
            for n in range(EVENTS_PER_THREAD):
                # Each event in its own transaction, with a read before it, like a service.
                with transaction.atomic():
                    AuditEvent.objects.count()
                    record_event(
                        action=Action.READ, clinic_id=worker, object_type="patient", object_id=n
                    )
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(1, THREADS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEvent.objects.count() == THREADS * EVENTS_PER_THREAD
    report = verify_chain()
    assert (report.intact, report.events_checked) == (True, THREADS * EVENTS_PER_THREAD)
    per_worker = {w: AuditEvent.objects.filter(clinic_id=w).count() for w in range(1, THREADS + 1)}
    assert per_worker == dict.fromkeys(range(1, THREADS + 1), EVENTS_PER_THREAD)
