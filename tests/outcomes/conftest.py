"""Shared pieces of the long-term results tests: a patient of clinic A with an IV plan made by
the treatment service (as alice) whose course began some days ago, so its baseline, induction
and first follow-up timepoints lie in the past, and a helper recording a scale as staff would.

    def test_x(course):            # an IV plan started COURSE_STARTED_DAYS_AGO days ago
        plan = course()            # or course(days_ago=3, patient=some_patient)
    def test_y(staff_scale):       # staff_scale(patient, "phq9", answers, days_ago=2)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.treatment.conftest import IV_ORDER, api, review_for  # noqa: F401

IV_PROTOCOL = "iv_induction_3x_weekly"
# Every day a clinic day, so the plan's dates follow the protocol's own spacing.
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
# Long enough ago that induction (6 sessions in about two weeks) has ended and the first
# weekly follow-ups are due.
COURSE_STARTED_DAYS_AGO = 35
# A PHQ-9 without and with an item-9 answer above zero (SAFE-ITEM9).
PHQ9_CALM = [1, 1, 1, 1, 1, 1, 1, 1, 0]
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1]


@pytest.fixture
def course(
    clinic_a: Any,
    alice: Any,
    review_for: Callable[..., Any],  # noqa: F811
) -> Callable[..., Any]:
    """`course(days_ago=COURSE_STARTED_DAYS_AGO, patient=None)`: an IV plan (the protocol's
    sessions on every day) signed by alice as if `days_ago` days ago, for a new patient of clinic
    A (or `patient`), with an eligible review and a weight on the chart."""
    from ketacare.treatment.services import create_plan
    from tests.factories import PatientFactory, WeightMeasurementFactory

    def make(days_ago: int = COURSE_STARTED_DAYS_AGO, patient: Any = None) -> Any:
        if patient is None:
            patient = PatientFactory(
                clinic=clinic_a, date_of_birth=dt.date(1980, 1, 1), diagnosis="mdd"
            )
        WeightMeasurementFactory(patient=patient, weight_kg=70)
        review_for(patient, "iv_ketamine")
        signed_at = timezone.now() - dt.timedelta(days=days_ago)
        return create_plan(
            patient=patient,
            protocol=IV_PROTOCOL,
            start=timezone.localdate(signed_at),
            clinic_days=EVERY_DAY,
            order=IV_ORDER,
            by=alice,
            now=signed_at,
        )

    return make


@pytest.fixture
def plan(course: Callable[..., Any]) -> Any:
    """An IV plan begun COURSE_STARTED_DAYS_AGO days ago for a new patient of clinic A."""
    return course()


@pytest.fixture
def staff_scale(alice: Any) -> Callable[..., Any]:
    """`staff_scale(patient, instrument, answers, days_ago=0, by=alice)`: a scale recorded
    through the chart service (so every receiver of `assessment_recorded` runs)."""
    from ketacare.patients.services.records import record_assessment

    def record(
        patient: Any,
        instrument: str,
        answers: list[Any],
        days_ago: float = 0,
        by: Any = None,
    ) -> Any:
        when = timezone.now() - dt.timedelta(days=days_ago, minutes=1)
        return record_assessment(
            by=by or alice,
            patient=patient,
            instrument=instrument,
            answers=answers,
            completed_at=when,
        )

    return record
