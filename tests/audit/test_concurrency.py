"""Concurrent appends from real threads (PostgreSQL): no chain ever forks, and writers of
different clinics do not wait for each other.

On SQLite writers are serialised by the database itself (BEGIN IMMEDIATE), and its in-memory
test database is one connection, so real threads only say something on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.audit.verification import verify_chains

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

CLINICS = (1, 2)
THREADS_PER_CLINIC = 2
EVENTS_PER_THREAD = 25


def _run(workers: list[Callable[[], None]], errors: list[BaseException]) -> None:
    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_two_clinics_with_two_writers_each_appending_at_once_leave_two_intact_chains():
    start = threading.Barrier(len(CLINICS) * THREADS_PER_CLINIC)
    errors: list[BaseException] = []

    def appender(clinic_id: int) -> Callable[[], None]:
        def append() -> None:
            start.wait(timeout=10)
            for n in range(EVENTS_PER_THREAD):
                # Each event in its own transaction, with a read before it, like a service.
                with transaction.atomic():
                    AuditEvent.objects.count()
                    record_event(
                        action=Action.READ, clinic_id=clinic_id, object_type="patient", object_id=n
                    )

        return append

    _run([appender(c) for c in CLINICS for _ in range(THREADS_PER_CLINIC)], errors)

    assert errors == []
    per_chain = THREADS_PER_CLINIC * EVENTS_PER_THREAD
    report = verify_chains()
    assert report.intact
    assert [(c.chain, c.events_checked) for c in report.chains] == [(c, per_chain) for c in CLINICS]


def test_appends_outside_any_transaction_from_several_threads_leave_intact_chains():
    """A page that only reads sends its read event with no transaction of its own: the lock, the
    read of the chain's head and the INSERT run as one implicit transaction, one query."""
    start = threading.Barrier(len(CLINICS) * THREADS_PER_CLINIC)
    errors: list[BaseException] = []

    def appender(clinic_id: int) -> Callable[[], None]:
        def append() -> None:
            start.wait(timeout=10)
            for n in range(EVENTS_PER_THREAD):
                assert not connection.in_atomic_block
                record_event(
                    action=Action.READ, clinic_id=clinic_id, object_type="patient", object_id=n
                )

        return append

    _run([appender(c) for c in CLINICS for _ in range(THREADS_PER_CLINIC)], errors)

    assert errors == []
    per_chain = THREADS_PER_CLINIC * EVENTS_PER_THREAD
    report = verify_chains()
    assert report.intact
    assert [(c.chain, c.events_checked) for c in report.chains] == [(c, per_chain) for c in CLINICS]


def test_an_append_outside_a_transaction_is_committed_and_leaves_no_lock_behind():
    event = record_event(action=Action.READ, clinic_id=1)

    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert cursor.fetchone()[0] == 0
    seen: list[bool] = []

    def other_connection() -> None:
        seen.append(AuditEvent.objects.filter(pk=event.pk, hash=event.hash).exists())

    _run([other_connection], [])
    assert seen == [True]


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.01)


@pytest.mark.parametrize(("other_clinic", "waits"), [(2, False), (1, True)])
def test_a_writer_waits_for_an_open_append_of_its_own_clinic_only(other_clinic, waits):
    """Clinic 1's append stays uncommitted; a second writer of clinic 2 commits meanwhile, a
    second writer of clinic 1 waits on the chain's lock until the first commits."""
    appended, release = threading.Event(), threading.Event()
    second_pid: list[int] = []
    second_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with transaction.atomic():
            record_event(action=Action.CREATE, clinic_id=1, object_type="weight")
            appended.set()
            release.wait(timeout=20)

    def second() -> None:
        appended.wait(timeout=10)
        connection.ensure_connection()
        second_pid.append(connection.connection.info.backend_pid)
        with transaction.atomic():
            record_event(action=Action.CREATE, clinic_id=other_clinic, object_type="weight")
        second_done.set()

    runner = threading.Thread(target=_run, args=([first, second], errors))
    runner.start()
    try:
        if waits:
            _wait_until(lambda: bool(second_pid) and _waiting_on_a_lock(second_pid[0]), "a wait")
            assert not second_done.is_set()
        else:
            _wait_until(second_done.is_set, "the other clinic's commit")
    finally:
        release.set()
        runner.join(timeout=30)

    assert errors == []
    assert second_done.is_set()
    report = verify_chains()
    assert report.intact
    assert report.events_checked == 2
