"""The benchmarks' sessions of today stay on today's date at any hour (`bench.support.data`)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from bench.support import data
from bench.support.data import MINUTE, today_minute
from django.utils import timezone


def _today_at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    day = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


@pytest.mark.parametrize(("hour", "minute", "lead"), [(12, 0, 30), (0, 38, 30), (3, 10, 150)])
def test_a_minute_is_a_minute_when_the_day_has_room(hour, minute, lead):
    now = _today_at(hour, minute)
    with time_machine.travel(now, tick=False):
        assert today_minute(now, lead_minutes=lead) == MINUTE


@pytest.mark.parametrize(
    ("hour", "minute", "second"), [(0, 0, 5), (0, 0, 40), (0, 3, 0), (0, 29, 0)]
)
def test_just_after_midnight_the_time_line_fits_into_today(hour, minute, second):
    now = _today_at(hour, minute, second)
    midnight = _today_at(0, 0)
    with time_machine.travel(now, tick=False):
        length = today_minute(now, lead_minutes=30)
    assert dt.timedelta(0) < length < MINUTE
    assert now - 30 * length > midnight


def test_in_the_first_seconds_of_a_day_it_waits_for_room(monkeypatch):
    now = _today_at(0, 0, 1)
    slept = []
    with time_machine.travel(now, tick=False) as clock:

        def sleep(seconds):
            slept.append(seconds)
            clock.shift(seconds)

        monkeypatch.setattr(data.time, "sleep", sleep)
        length = data.today_minute(now, lead_minutes=30)
    assert slept == [4.0]
    assert dt.timedelta(0) < length < MINUTE
    assert _today_at(0, 0, 5) - 30 * length > _today_at(0, 0)
