"""Helpers of the trajectory tests: dated outcome assessments stored directly (no receivers), and
PHQ-9 answers that add up to a chosen total without touching item 9."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketacare.clinical.instruments import INSTRUMENTS


def noon(day: dt.date, hour: int = 12) -> dt.datetime:
    """`day` at `hour` o'clock in the clinic's time zone (so its local date is `day`)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def phq9_answers(total: int) -> list[int]:
    """Items 1-8 filled up to 3 each, item 9 left at 0 (no suicidality flag); total <= 24."""
    assert 0 <= total <= 24
    answers = []
    left = total
    for _ in range(8):
        answers.append(min(3, left))
        left -= answers[-1]
    return [*answers, 0]


def stored(patient: Any, instrument: str, total: int, at: dt.datetime) -> Any:
    """An assessment row as the chart service stores it, without sending any signal."""
    from tests.factories import AssessmentFactory

    answers = phq9_answers(total) if instrument == "phq9" else []
    return AssessmentFactory(
        patient=patient,
        instrument=instrument,
        answers=answers,
        total=total,
        severity=INSTRUMENTS[instrument].band_for(total) or "",
        completed_at=at,
    )


def series(
    patient: Any, instrument: str, first: dt.date, totals: list[int], every: int = 7
) -> None:
    """`totals` on `first`, then every `every` days."""
    for index, total in enumerate(totals):
        stored(patient, instrument, total, noon(first + dt.timedelta(days=every * index)))
