"""Outcome of a series (`ketacare outcomes`): baseline, latest, nadir, milestones and status.

Readings of the contract (contracts.md `ketacare outcomes`; reference 6.1) that it leaves open,
each the conservative one:

- Only the baseline and later assessments count; assessments before a chosen `baseline_date` are
  ignored for every value, and no milestone is ever met by the baseline itself (a total already
  at or below the remission threshold at baseline is not a treatment outcome).
- A baseline of 0 cannot fall by any percent: `percent_change` is null and OUT-RESPONSE and
  OUT-PARTIAL are never met.
- `latest` is the last assessment by date; `nadir` the lowest total from the baseline on.
- `relapse.date` is the most recent relapse (the one `status` speaks of); "recovered" means a
  later assessment meets response or remission again below the relapse total (see `course`).
- With the baseline alone there is nothing to compare: `status` is `no_response`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ketacare.clinical.outcomes.course import Course, follow_course
from ketacare.clinical.outcomes.definitions import reduction_reaches, remission_at_most
from ketacare.clinical.outcomes.series import (
    Assessment,
    OutcomeSeries,
    RelapseEvent,
    checked_assessments,
    checked_events,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


class OutcomeStatus(StrEnum):
    RELAPSE = "relapse"
    REMISSION = "remission"
    RESPONSE = "response"
    PARTIAL_RESPONSE = "partial_response"
    NO_RESPONSE = "no_response"
    NO_BASELINE = "no_baseline"


@dataclass(frozen=True, slots=True)
class Milestone:
    met: bool
    date: dt.date | None


_NOT_MET = Milestone(met=False, date=None)


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """The output document of `ketacare outcomes`, as a value."""

    instrument: str
    baseline: int | None
    latest: int | None
    nadir: int | None
    percent_change: float | None
    response: Milestone
    remission: Milestone
    relapse: Milestone
    status: OutcomeStatus

    def as_document(self) -> dict[str, object]:
        def milestone(m: Milestone) -> dict[str, object]:
            return {"met": m.met, "date": m.date.isoformat() if m.date else None}

        return {
            "instrument": self.instrument,
            "baseline": self.baseline,
            "latest": self.latest,
            "nadir": self.nadir,
            "percent_change": self.percent_change,
            "response": milestone(self.response),
            "remission": milestone(self.remission),
            "relapse": milestone(self.relapse),
            "status": self.status.value,
        }


@dataclass(frozen=True, slots=True)
class BaselineView:
    """The series from its baseline on, after checking: what outcome rules look at."""

    baseline: Assessment
    after: tuple[Assessment, ...]

    @property
    def latest(self) -> Assessment:
        return self.after[-1] if self.after else self.baseline

    @property
    def nadir(self) -> int:
        return min(a.total for a in (self.baseline, *self.after))


def baseline_view(
    series: OutcomeSeries, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> BaselineView | None:
    """The checked series from its baseline on, or None without a baseline (OUT-NO-BASELINE)."""
    ordered = checked_assessments(series, settings=settings)
    if not ordered:
        return None
    if series.baseline_date is None:
        return BaselineView(ordered[0], ordered[1:])
    for index, assessment in enumerate(ordered):
        if assessment.date == series.baseline_date:
            return BaselineView(assessment, ordered[index + 1 :])
    return None


def evaluate_outcomes(
    series: OutcomeSeries,
    *,
    events: Iterable[RelapseEvent] = (),
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> OutcomeSummary:
    """Response, remission, relapse and status of one instrument's series.

    Rules: OUT-RESPONSE, OUT-PARTIAL, OUT-REMISSION-PHQ9 / -MADRS / -QIDS / -GAD7,
    OUT-RELAPSE-MADRS / -PHQ9 / -QIDS / -GAD7, OUT-RELAPSE-EVENT (charted `events`, not part of
    the command-line input) and OUT-NO-BASELINE, read as the module docstring says.
    """
    view = baseline_view(series, settings=settings)
    events = checked_events(events)
    if view is None:
        return OutcomeSummary(
            instrument=series.instrument,
            baseline=None,
            latest=None,
            nadir=None,
            percent_change=None,
            response=_NOT_MET,
            remission=_NOT_MET,
            relapse=_NOT_MET,
            status=OutcomeStatus.NO_BASELINE,
        )
    course = follow_course(series.instrument, view.baseline, view.after, events, settings)
    return OutcomeSummary(
        instrument=series.instrument,
        baseline=view.baseline.total,
        latest=view.latest.total,
        nadir=view.nadir,
        percent_change=_percent_change(view.baseline.total, view.latest.total),
        response=_milestone(course.response_date),
        remission=_milestone(course.remission_date),
        relapse=_milestone(course.relapse_date),
        status=_status(series.instrument, view, course, settings),
    )


def _milestone(date: dt.date | None) -> Milestone:
    return Milestone(met=True, date=date) if date is not None else _NOT_MET


def _percent_change(baseline: int, latest: int) -> float | None:
    # Rounded half away from zero to 0.1, on exact fractions (contract: "rounded to 0.1").
    if baseline == 0:
        return None
    tenths = Fraction(latest - baseline, baseline) * 1000
    magnitude = int(abs(tenths) + Fraction(1, 2))
    return (magnitude if tenths >= 0 else -magnitude) / 10


def _status(
    instrument: str, view: BaselineView, course: Course, settings: ClinicalSettings
) -> OutcomeStatus:
    if course.in_relapse:
        return OutcomeStatus.RELAPSE
    if not view.after:
        return OutcomeStatus.NO_RESPONSE
    baseline, latest = view.baseline.total, view.latest.total
    if latest <= remission_at_most(instrument, settings):
        return OutcomeStatus.REMISSION
    if reduction_reaches(baseline, latest, "OUT-RESPONSE", settings):
        return OutcomeStatus.RESPONSE
    if reduction_reaches(baseline, latest, "OUT-PARTIAL", settings):
        return OutcomeStatus.PARTIAL_RESPONSE
    return OutcomeStatus.NO_RESPONSE
