"""Two nurses saving the same session at the same moment, from real threads (PostgreSQL): the
row locks serialise them, and the second sees the first's change — never two doses, never a lost
pre-dose record.

On SQLite writers are serialised by the database itself (BEGIN IMMEDIATE) and the in-memory test
database is one connection, so real threads only say something on PostgreSQL; the deterministic
version of each race is in the service tests (`stale_version`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections  # noqa: F401 - the skipif condition reads it

from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import DoseGiven, PreDose
from ketacare.chair.services import record_dose, record_pre_dose
from tests.chair.conftest import fresh, pre_dose_values

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(*works: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(works))
    done: list[Any] = []
    errors: list[BaseException] = []

    def run(work: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            done.append(work())
        except BaseException as error:  # judged in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, errors


def test_two_nurses_dosing_at_once_give_one_dose(esk_session, nora, alice):
    record_pre_dose(session=esk_session, values=pre_dose_values(), by=nora)
    version = fresh(esk_session).version

    done, errors = _race(
        lambda: record_dose(session=esk_session, lot_number="A", version=version, by=nora),
        lambda: record_dose(session=esk_session, lot_number="B", version=version, by=alice),
    )

    assert len(done) == 1
    assert [type(e) for e in errors] == [ChairConflict]
    assert errors[0].code in {"stale_version", "already_dosed"}  # type: ignore[attr-defined]
    assert DoseGiven.objects.filter(session=esk_session).count() == 1


def test_two_nurses_checking_in_at_once_the_second_is_told(esk_session, nora, alice):
    version = esk_session.version

    done, errors = _race(
        lambda: record_pre_dose(
            session=esk_session, values=pre_dose_values(systolic=130), version=version, by=nora
        ),
        lambda: record_pre_dose(
            session=esk_session, values=pre_dose_values(systolic=132), version=version, by=alice
        ),
    )

    assert len(done) == 1
    assert [getattr(e, "code", e) for e in errors] == ["stale_version"]
    assert PreDose.objects.get(session=esk_session).systolic == done[0].pre_dose.systolic
