"""The input of outcome evaluation: one instrument's dated totals, and charted relapse events.

`parse_outcome_series` reads the `ketacare outcomes` document (contracts.md section 1: keys
`instrument`, `assessments` [{`date`, `total`}], `baseline_date`); the web API and the FHIR import
share it. `checked_assessments` is the one place that sorts the series and refuses duplicate
dates and totals outside the instrument's range (SCALE-*), so a series built in Python is held
to the same rules as a parsed one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ketacare.clinical import inputs
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.outcomes.definitions import OUTCOME_INSTRUMENTS, total_range
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings


@dataclass(frozen=True, slots=True)
class Assessment:
    """One total score of the series' instrument on one day."""

    date: dt.date
    total: int


class RelapseEventKind(StrEnum):
    """Charted events that count as relapse on their date (OUT-RELAPSE-EVENT, reference 6.1)."""

    HOSPITALIZATION_FOR_DEPRESSION = "hospitalization_for_depression"
    HOSPITALIZATION_TO_PREVENT_SUICIDE = "hospitalization_to_prevent_suicide"
    SUICIDE_ATTEMPT = "suicide_attempt"
    SUICIDE = "suicide"


@dataclass(frozen=True, slots=True)
class RelapseEvent:
    """A charted event of OUT-RELAPSE-EVENT (not part of the command-line input)."""

    date: dt.date
    kind: RelapseEventKind


@dataclass(frozen=True, slots=True)
class OutcomeSeries:
    """The assessments of one instrument, in any order, and an optional chosen baseline date."""

    instrument: str
    assessments: tuple[Assessment, ...]
    baseline_date: dt.date | None = None


def parse_outcome_series(
    document: object, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> OutcomeSeries:
    """Read a `ketacare outcomes` input document into a checked `OutcomeSeries`.

    Refuses (ClinicalInputError with a dotted path) an instrument without outcome definitions
    (OUT-REMISSION-*), a total outside the instrument's range (SCALE-*), a repeated date and any
    unknown key. Unsorted assessments are accepted; the result keeps the input order.
    """
    doc = inputs.Fields(document)
    instrument = doc.take("instrument", inputs.read_choice, choices=OUTCOME_INSTRUMENTS)
    assessments = tuple(doc.items("assessments", _read_assessment))
    baseline_date = doc.optional("baseline_date", inputs.read_date)
    doc.finish()
    series = OutcomeSeries(instrument, assessments, baseline_date)
    checked_assessments(series, settings=settings)
    return series


def _read_assessment(value: Any, path: str) -> Assessment:
    item = inputs.Fields(value, path)
    date = item.take("date", inputs.read_date)
    total = item.take("total", inputs.read_int)
    item.finish()
    return Assessment(date, total)


def checked_assessments(
    series: OutcomeSeries, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> tuple[Assessment, ...]:
    """The series' assessments sorted by date, after checking instrument, totals and dates.

    Types are held to what `parse_outcome_series` gives (a `date` that is not a `datetime`, an
    int that is not a bool), so a series built in Python cannot slip a string date or `True`
    past the rules. Errors name the input position (`assessments.3.total`), so the caller can
    find the entry.
    """
    if not isinstance(series, OutcomeSeries):
        raise ClinicalInputError(
            "input", f"input must be an OutcomeSeries; got {inputs.describe(series)}."
        )
    inputs.read_choice(series.instrument, "instrument", OUTCOME_INSTRUMENTS)
    if series.baseline_date is not None:
        inputs.check_date(series.baseline_date, "baseline_date")
    if not isinstance(series.assessments, tuple | list):
        raise ClinicalInputError(
            "assessments",
            f"assessments must be a list; got {inputs.describe(series.assessments)}.",
        )
    lowest, highest = total_range(series.instrument, settings)
    seen: dict[dt.date, int] = {}
    for index, assessment in enumerate(series.assessments):
        path = f"assessments.{index}"
        if not isinstance(assessment, Assessment):
            raise ClinicalInputError(
                path, f"{path} must be an Assessment; got {inputs.describe(assessment)}."
            )
        inputs.check_date(assessment.date, f"{path}.date")
        inputs.read_int(assessment.total, f"{path}.total", minimum=lowest, maximum=highest)
        if assessment.date in seen:
            raise ClinicalInputError(
                f"{path}.date",
                f"{path}.date repeats the date {assessment.date.isoformat()} of "
                f"assessments.{seen[assessment.date]}; each assessment needs its own date.",
            )
        seen[assessment.date] = index
    return tuple(sorted(series.assessments, key=lambda a: a.date))


def checked_events(events: Iterable[object]) -> tuple[RelapseEvent, ...]:
    """Charted events of OUT-RELAPSE-EVENT, each checked for its type, date and kind."""
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):
        raise ClinicalInputError(
            "events", f"events must be a list of relapse events; got {inputs.describe(events)}."
        )
    checked: list[RelapseEvent] = []
    for index, event in enumerate(events):
        path = f"events.{index}"
        if not isinstance(event, RelapseEvent):
            raise ClinicalInputError(
                path, f"{path} must be a RelapseEvent; got {inputs.describe(event)}."
            )
        inputs.check_date(event.date, f"{path}.date")
        if not isinstance(event.kind, RelapseEventKind):
            kinds = ", ".join(kind.value for kind in RelapseEventKind)
            raise ClinicalInputError(
                f"{path}.kind",
                f"{path}.kind must be one of {kinds}; got {inputs.describe(event.kind)}.",
            )
        checked.append(event)
    return tuple(checked)
