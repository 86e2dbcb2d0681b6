"""Answers tied to timepoints, and the questions asked of them.

    assign_to_timepoint(assessment)                 # inside the transaction that saved it
    timepoint_answer(patient, "phq9", "end_of_induction")   # "PHQ-9 at the end of induction"

An answer belongs to the open timepoint of its patient and instrument whose window holds the day
it was given (`schedule.choose_timepoint`: a late answer still belongs to its timepoint); an
answer that fits none stays unassigned. A patient link naming its timepoint goes to that one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ketacare.outcomes.models import AssessmentLink, Timepoint
from ketacare.outcomes.schedule import Slot, choose_timepoint
from ketacare.treatment.models import PlanStatus, SessionStatus

if TYPE_CHECKING:
    from ketacare.patients.models import Assessment, Patient

# A timepoint counts while its plan is active and its session (if any) was not cancelled.
LIVE = Q(plan__status=PlanStatus.ACTIVE) & ~Q(session__status=SessionStatus.CANCELLED)


def live(queryset: QuerySet[Timepoint]) -> QuerySet[Timepoint]:
    """Timepoints still expected: an ended plan or a cancelled session expects nothing more."""
    return queryset.filter(LIVE)


def _claim(timepoint_id: int, assessment: Assessment) -> Timepoint | None:
    """Attach the answer if the timepoint is still open (a conditional UPDATE, so two answers
    saved at once cannot both take it)."""
    taken = Timepoint.objects.filter(
        pk=timepoint_id,
        clinic_id=assessment.clinic_id,  # type: ignore[attr-defined]
        patient_id=assessment.patient_id,  # type: ignore[attr-defined]
        instrument=assessment.instrument,
        assessment__isnull=True,
    ).update(assessment=assessment)
    return Timepoint.objects.get(pk=timepoint_id) if taken else None


def _named_by_link(assessment: Assessment) -> int | None:
    """The timepoint of the patient link this answer came through, if it named one."""
    return (
        AssessmentLink.objects.filter(assessment=assessment, timepoint__isnull=False)
        .values_list("timepoint_id", flat=True)
        .first()
    )


def assign_to_timepoint(
    assessment: Assessment, *, timepoint: Timepoint | None = None
) -> Timepoint | None:
    """Tie `assessment` to its timepoint: `timepoint` when given (or the one its link names),
    if still open and of the same patient and instrument; else the open timepoint whose window
    holds the day it was completed. None when it fits none (it stays a plain chart record)."""
    named = timepoint.pk if timepoint is not None else _named_by_link(assessment)
    if named is not None:
        return _claim(named, assessment)
    rows = live(
        Timepoint.objects.filter(
            clinic_id=assessment.clinic_id,  # type: ignore[attr-defined]
            patient_id=assessment.patient_id,  # type: ignore[attr-defined]
            instrument=assessment.instrument,
        )
    ).values_list("pk", "due_on", "assessment_id")
    slots = [Slot(pk, due_on, answer is None) for pk, due_on, answer in rows]
    chosen = choose_timepoint(slots, timezone.localdate(assessment.completed_at))
    return _claim(chosen, assessment) if chosen is not None else None


def timepoint_answer(
    patient: Patient, instrument: str, kind: str, sequence: int = 0
) -> Assessment | None:
    """The answer to one timepoint of the patient's latest plan that has it, in one query:
    `timepoint_answer(patient, "phq9", "end_of_induction")`, or week 4 with
    `("phq9", "weekly", 4)`. None when it was not answered."""
    from ketacare.patients.models import Assessment

    return (
        Assessment.objects.filter(
            clinic_id=patient.clinic_id,
            patient_id=patient.pk,
            timepoint__instrument=instrument,
            timepoint__kind=kind,
            timepoint__sequence=sequence,
        )
        .order_by("-timepoint__due_on", "-pk")
        .first()
    )


def open_timepoints(
    clinic_id: int, *, audience: str, today: dt.date | None = None
) -> QuerySet[Timepoint]:
    """Unanswered live timepoints of the clinic for `audience` that are due today or overdue
    and still answerable: the next timepoint of the same plan and instrument is not yet due
    (after that the answer would belong to the next one, and this one is missed)."""
    today = today or timezone.localdate()
    later_due = Timepoint.objects.filter(
        plan_id=OuterRef("plan_id"),
        instrument=OuterRef("instrument"),
        due_on__gt=OuterRef("due_on"),
        due_on__lte=today,
    )
    return (
        live(Timepoint.objects.filter(clinic_id=clinic_id, audience=audience))
        .filter(assessment__isnull=True, due_on__lte=today)
        .exclude(Exists(later_due))
        .select_related("patient", "plan")
        .order_by("due_on", "pk")
    )
