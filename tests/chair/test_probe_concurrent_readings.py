"""Found by 8 clients charting readings at once: a request takes the clock before it waits for
the session's lock; meanwhile another nurse's reading, timed a moment later, is saved. The first
request then judged the session at its earlier clock, the clinical core found the other
reading "after now", and the nurse got a 422 naming `readings.<n>.at`, a reading they never
sent. A reading saved first is never "in the future" of the one that waited for it."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ketacare.chair.models import Reading
from tests.chair.conftest import WEIGHT_KG, reading_values


@pytest.mark.django_db
def test_a_reading_that_waited_for_the_lock_is_judged_after_the_one_saved_first(
    iv_session, dosed, nora
):
    from ketacare.chair.services import record_reading

    dosed_at = timezone.now() - dt.timedelta(minutes=30)
    dosed(iv_session, at=dosed_at, weight_kg=WEIGHT_KG)
    first_clock = dosed_at + dt.timedelta(minutes=20)
    # The other nurse's reading, saved while this request waited, was timed a second later.
    record_reading(session=iv_session, values=reading_values(), by=nora, now=first_clock)

    outcome = record_reading(
        session=iv_session,
        values=reading_values(heart_rate=80),
        by=nora,
        now=first_clock - dt.timedelta(seconds=1),
    )

    assert outcome.reading.at == first_clock - dt.timedelta(seconds=1)
    assert Reading.objects.filter(session=iv_session).count() == 2


@pytest.mark.django_db(transaction=True)
def test_nurses_charting_readings_at_once_are_never_refused(session_today, dosed, nora):
    """Real threads on PostgreSQL: every reading is saved (none refused by another's)."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")
    from ketacare.chair.services import record_reading

    session = session_today("iv_ketamine")
    dosed(session, at=timezone.now() - dt.timedelta(minutes=30), weight_kg=WEIGHT_KG)
    errors: list[Any] = []
    start = threading.Barrier(4)

    def chart() -> None:
        try:
            start.wait()
            for _ in range(5):
                record_reading(session=session, values=reading_values(), by=nora)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=chart) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Reading.objects.filter(session=session).count() == 20
