"""A patient's trajectory on each outcome scale: the last assessment of each day as a series, and
its status from the clinical core (`evaluate_outcomes`, reference 6.1).

One query reads every outcome assessment of the patient (with the timepoint it answers), however
many there are; the series, status and chart lines are the core's. The page, the API, the
progress report and the early warning all read a patient's series through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.outcomes import (
    OUTCOME_INSTRUMENTS,
    Assessment,
    OutcomeSeries,
    OutcomeSummary,
    evaluate_outcomes,
)
from ketacare.clinical.outcomes.chart_lines import ChartLines, chart_lines
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.models import Timepoint, TimepointKind
from ketacare.patients.models import Assessment as AssessmentRow
from ketacare.patients.models import Patient
from ketacare.patients.models.assessments import INSTRUMENT_CHOICES
from ketacare.treatment.models import SessionStatus, TreatmentSession

# Status words as people read them; the rule ids are in docs/outcomes.md.
STATUS_TITLES = {
    "relapse": "Relapse",
    "remission": "Remission",
    "response": "Response",
    "partial_response": "Partial response",
    "no_response": "No response",
    "no_baseline": "No baseline",
}


@dataclass(frozen=True, slots=True)
class DayScore:
    """The last assessment of one day: what the series, the chart and the table show."""

    date: dt.date
    total: int
    severity: str
    timepoint: str
    assessment_id: int

    @property
    def severity_words(self) -> str:
        return self.severity.replace("_", " ")


@dataclass(frozen=True, slots=True)
class ScaleTrajectory:
    instrument: str
    title: str
    full_title: str
    days: tuple[DayScore, ...]
    summary: OutcomeSummary
    lines: ChartLines
    # The baseline's day: the baseline timepoint's answer, else the first day; None without one.
    baseline_on: dt.date | None

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[self.summary.status.value]

    @property
    def series(self) -> OutcomeSeries:
        """The series the status was judged on (its baseline day included)."""
        return OutcomeSeries(
            self.instrument, tuple(Assessment(d.date, d.total) for d in self.days), self.baseline_on
        )


def timepoint_label(timepoint: Timepoint | None) -> str:
    """ "Baseline", "Before session 3", "Week 4", "Month 6", or "" when none is assigned."""
    if timepoint is None:
        return ""
    kind = timepoint.kind
    if kind == TimepointKind.BEFORE_SESSION:
        return f"Before session {timepoint.sequence}"
    if kind == TimepointKind.WEEKLY:
        return f"Week {timepoint.sequence}"
    if kind == TimepointKind.MONTHLY:
        return f"Month {timepoint.sequence}"
    return str(TimepointKind(kind).label)


def _timepoint_of(row: AssessmentRow) -> Timepoint | None:
    try:
        return row.timepoint  # type: ignore[attr-defined,no-any-return]
    except ObjectDoesNotExist:
        return None


def outcome_rows(
    patient_id: int, clinic_id: int, instruments: Sequence[str]
) -> list[AssessmentRow]:
    """The patient's scored assessments of `instruments`, oldest first, timepoints joined."""
    return list(
        AssessmentRow.objects.filter(
            clinic_id=clinic_id,
            patient_id=patient_id,
            instrument__in=list(instruments),
            total__isnull=False,
        )
        .select_related("timepoint")
        .order_by("completed_at", "pk")
    )


def last_of_each_day(rows: Iterable[AssessmentRow]) -> list[DayScore]:
    """One score per day (the clinic's local date): the last completed that day. `rows` come
    oldest first, so a later row of the same day replaces the earlier one."""
    by_day: dict[dt.date, DayScore] = {}
    for row in rows:
        day = timezone.localdate(row.completed_at)
        by_day[day] = DayScore(
            date=day,
            total=int(row.total),  # type: ignore[arg-type]  # filtered on total not null
            severity=row.severity,
            timepoint=timepoint_label(_timepoint_of(row)),
            assessment_id=row.pk,
        )
    return [by_day[day] for day in sorted(by_day)]


def baseline_date(rows: Iterable[AssessmentRow]) -> dt.date | None:
    """The day of the earliest assessment that answers a baseline timepoint, if any; else None,
    and the series' first day is its baseline (the contract's default)."""
    for row in rows:
        timepoint = _timepoint_of(row)
        if timepoint is not None and timepoint.kind == TimepointKind.BASELINE:
            return timezone.localdate(row.completed_at)
    return None


def trajectory_of(instrument: str, rows: Sequence[AssessmentRow]) -> ScaleTrajectory:
    """The trajectory of one instrument from its rows (oldest first)."""
    days = tuple(last_of_each_day(rows))
    chosen = baseline_date(rows)
    series = OutcomeSeries(instrument, tuple(Assessment(d.date, d.total) for d in days), chosen)
    summary = evaluate_outcomes(series)
    return ScaleTrajectory(
        instrument=instrument,
        title=dict(INSTRUMENT_CHOICES)[instrument],
        full_title=INSTRUMENTS[instrument].title,
        days=days,
        summary=summary,
        lines=chart_lines(series),
        baseline_on=None if summary.baseline is None else (chosen or days[0].date),
    )


def patient_trajectories(
    patient_id: int, clinic_id: int, *, instruments: Sequence[str] = OUTCOME_INSTRUMENTS
) -> list[ScaleTrajectory]:
    """Every outcome scale the patient has answered, in the order of `instruments` (one query)."""
    rows = outcome_rows(patient_id, clinic_id, instruments)
    grouped: dict[str, list[AssessmentRow]] = {}
    for row in rows:
        grouped.setdefault(row.instrument, []).append(row)
    return [trajectory_of(i, grouped[i]) for i in instruments if i in grouped]


# --- reads for the pages, the API and the report (scoped, permission-checked, audited) -------

OUTCOMES_OBJECT = "patient_outcomes"
# Sessions that took place: the chart marks the days a dose was given.
DOSED_STATUSES = (SessionStatus.DOSED, SessionStatus.DISCHARGED)


def session_dates(patient_id: int, clinic_id: int) -> list[dt.date]:
    """The dates of the patient's sessions that were dosed (any plan), oldest first."""
    return list(
        TreatmentSession.objects.filter(
            clinic_id=clinic_id, patient_id=patient_id, status__in=DOSED_STATUSES
        )
        .order_by("date")
        .values_list("date", flat=True)
        .distinct()
    )


def read_trajectories(
    membership: Membership,
    patient: Patient,
    *,
    instruments: Sequence[str] = OUTCOME_INSTRUMENTS,
    detail: str = "trajectory",
) -> list[ScaleTrajectory]:
    """The patient's trajectories for a reader with VIEW_CLINICAL (403 otherwise, audited); the
    read is audited with the instruments shown. `patient` was read through
    `ketacare.patients.queries.get_patient_for` (another clinic's is already a 404)."""
    require_role(
        membership,
        Permission.VIEW_CLINICAL,
        action=Action.READ,
        object_type=OUTCOMES_OBJECT,
        object_id=patient.pk,
        patient_id=patient.pk,
    )
    trajectories = patient_trajectories(patient.pk, patient.clinic_id, instruments=instruments)
    shown = ",".join(t.instrument for t in trajectories) or "none"
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=OUTCOMES_OBJECT,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"{detail} instruments={shown}",
    )
    return trajectories
