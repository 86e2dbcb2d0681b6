"""POST /sessions/{id}/readings, the busiest write at the chair (issue 9, point 7): what it
costs in statements, that its one scoped look-up still scopes and role-checks by the session's
own clinic, and that its locks (the patient's, then the session's) neither lose an update nor
deadlock with a writer that locks the patient first."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.models import Reading
from ketacare.chair.services import record_reading
from tests.chair.conftest import fresh, reading_values, stored

S = "/api/v1/sessions/{}/readings"
BODY = {"systolic": 126, "diastolic": 78, "heart_rate": 74, "spo2": 98, "moaas": 5}


@pytest.fixture
def dosed_1h(esk_session: Any, dosed: Any) -> Any:
    """The esketamine session dosed an hour ago."""
    dosed(esk_session, at=timezone.now().replace(microsecond=0) - dt.timedelta(hours=1))
    return esk_session


@pytest.mark.django_db
@pytest.mark.parametrize("earlier", [1, 8])
def test_a_reading_costs_the_same_statements_whatever_the_readings_before_it(
    api: Any, dosed_1h: Any, nora: Any, django_assert_num_queries: Any, earlier: int
) -> None:
    for n in range(earlier):
        at = timezone.now() - dt.timedelta(minutes=50 - n)
        record_reading(session=dosed_1h, values=reading_values(at=at), by=nora)
    api(nora, "post", S.format(dosed_1h.pk), BODY)  # the token's first use records its last use

    # The token with its user; the session locked with its patient, read with the caller's
    # membership, plan, pre-dose and dose; its readings; its alerts; the reading; the version;
    # the audit event (SQLite: the chain's head, then the INSERT; PostgreSQL: one statement);
    # and the savepoint and its release that the test's own transaction turns BEGIN and
    # COMMIT into.
    with django_assert_num_queries(10 - (connection.vendor == "postgresql")):
        response = api(nora, "post", S.format(dosed_1h.pk), BODY)

    assert response.status_code == 201, response.content
    assert Reading.objects.filter(session=dosed_1h).count() == earlier + 2


@pytest.mark.django_db
def test_a_reading_bumps_the_version_without_a_history_row_of_the_session(
    api: Any, dosed_1h: Any, nora: Any
) -> None:
    version = fresh(dosed_1h).version
    history = dosed_1h.history.count()

    response = api(nora, "post", S.format(dosed_1h.pk), {**BODY, "version": version})

    assert response.status_code == 201, response.content
    assert response.json()["version"] == fresh(dosed_1h).version == version + 1
    assert dosed_1h.history.count() == history
    event = AuditEvent.objects.filter(object_type="session_reading").get()
    assert (event.actor_role, event.clinic_id) == ("nurse", dosed_1h.clinic_id)


@pytest.mark.django_db
def test_the_role_checked_is_the_one_held_in_the_sessions_clinic(
    api: Any, dosed_1h: Any, clinic_b: Any
) -> None:
    from tests.factories import MembershipFactory, UserFactory

    # A nurse in clinic B, a coordinator in the session's clinic A: a coordinator here.
    user = UserFactory(username="cody")
    MembershipFactory(user=user, clinic=clinic_b, role="nurse")
    MembershipFactory(user=user, clinic=dosed_1h.clinic, role="coordinator")
    before = stored(dosed_1h)

    response = api(user, "post", S.format(dosed_1h.pk), BODY)

    assert response.status_code == 403
    assert stored(dosed_1h) == before
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.detail, denied.clinic_id, denied.actor_role) == (
        "role_lacks:chart_session",
        dosed_1h.clinic_id,
        "coordinator",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("membership", ["other_clinic", "inactive_here"])
def test_a_session_outside_the_callers_active_clinics_is_404_filed_under_their_own(
    api: Any, dosed_1h: Any, nell: Any, membership: str
) -> None:
    from tests.factories import MembershipFactory

    if membership == "inactive_here":
        MembershipFactory(user=nell.user, clinic=dosed_1h.clinic, role="nurse", is_active=False)
    before = stored(dosed_1h)

    response = api(nell, "post", S.format(dosed_1h.pk), BODY)

    assert response.status_code == 404
    assert stored(dosed_1h) == before
    denied = AuditEvent.objects.get(allowed=False)
    assert denied.detail == "not_found_in_clinic"
    assert (denied.clinic_id, denied.object_id, denied.action) == (
        nell.clinic_id,
        str(dosed_1h.pk),
        "create",
    )


@pytest.mark.django_db
def test_a_stale_version_is_409_and_stores_nothing(api: Any, dosed_1h: Any, nora: Any) -> None:
    version = fresh(dosed_1h).version
    assert api(nora, "post", S.format(dosed_1h.pk), {**BODY, "version": version}).status_code == 201
    before = stored(dosed_1h)

    response = api(nora, "post", S.format(dosed_1h.pk), {**BODY, "version": version})

    assert response.status_code == 409
    assert stored(dosed_1h) == before


@pytest.mark.django_db
def test_the_lock_takes_the_patient_before_the_session(dosed_1h: Any, nora: Any) -> None:
    with CaptureQueriesContext(connection) as statements:
        record_reading(session=dosed_1h, values=reading_values(), by=nora)

    locking = [q["sql"] for q in statements.captured_queries if "FOR " in q["sql"]]
    if connection.vendor != "postgresql":
        assert locking == []  # SQLite: BEGIN IMMEDIATE admits one writer at a time
        return
    assert len(locking) == 1
    assert locking[0].endswith(
        'FOR NO KEY UPDATE OF "patients_patient", "treatment_treatmentsession"'
    )


@pytest.mark.django_db(transaction=True)
def test_a_reading_waits_for_a_writer_holding_the_patient_and_never_deadlocks(
    session_today: Any, dosed: Any, nora: Any
) -> None:
    """Real threads on PostgreSQL. A writer that locks the patient and then the session (the
    order of every chair-side and treatment service) while a reading arrives in between: the
    reading waits for it holding nothing, so the writer gets the session's lock and both
    commit. Were the session locked first, the writer would wait for the reading while the
    reading's foreign key check waited for the writer's patient lock: a deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")
    from ketacare.patients.models import Patient
    from ketacare.treatment.models import TreatmentSession

    session = session_today("iv_ketamine")
    dosed(session, at=timezone.now() - dt.timedelta(minutes=30))
    version = fresh(session).version
    patient_locked = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                Patient.objects.select_for_update().filter(pk=session.patient_id).first()
                patient_locked.set()
                time.sleep(0.5)  # the reading arrives meanwhile
                locked = TreatmentSession.objects.select_for_update().filter(pk=session.pk)
                locked.update(version=F("version") + 1)
        except BaseException as error:  # judged in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    def reading() -> None:
        try:
            patient_locked.wait(timeout=10)
            record_reading(session=session, values=reading_values(), by=nora)
        except BaseException as error:  # judged in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer), threading.Thread(target=reading)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert fresh(session).version == version + 2
    assert Reading.objects.filter(session=session).count() == 1
