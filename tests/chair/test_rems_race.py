"""Two colleagues marking the same REMS form submitted at the same moment, for real, on
PostgreSQL: one wins, the other gets the stale-version conflict, one audit event."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - connection: skipif

from ketacare.audit.models import AuditEvent
from ketacare.chair.models import RemsForm
from ketacare.chair.rems import RemsConflict, mark_rems_submitted
from tests.chair.rems_data import discharged_session, form_of
from tests.factories import ClinicFactory, MembershipFactory, UserFactory


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_nurses_mark_one_form_at_the_same_moment_one_wins_one_gets_409():
    clinic = ClinicFactory(name="Clinic R")
    nurses = [
        MembershipFactory(user=UserFactory(username=f"n{n}"), clinic=clinic, role="nurse")
        for n in range(2)
    ]
    prescriber = MembershipFactory(user=UserFactory(username="p"), clinic=clinic, role="prescriber")
    form = form_of(discharged_session(clinic, nurses[0], prescriber))
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def mark(n: int) -> None:
        try:
            start.wait(timeout=10)
            mark_rems_submitted(form=RemsForm.objects.get(pk=form.pk), version=1, by=nurses[n])
            outcomes.append("saved")
        except RemsConflict as conflict:
            outcomes.append(conflict.code)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=mark, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["saved", "stale_version"]
    assert RemsForm.objects.get(pk=form.pk).version == 2
    assert AuditEvent.objects.filter(action="update", object_type="rems_form").count() == 1
