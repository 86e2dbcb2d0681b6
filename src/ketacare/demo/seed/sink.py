"""Where generated rows go: a chunk of rows per table, with chunk-local ids (see `tables`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db import models

from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SessionAlert,
    SideEffect,
)
from ketacare.demo.seed.tables import Ids, Table
from ketacare.outcomes.models import Timepoint
from ketacare.patients.models import (
    Allergy,
    AntidepressantTrial,
    Assessment,
    CareNote,
    Condition,
    Consent,
    Medication,
    OfficeVitals,
    Patient,
    WeightMeasurement,
)
from ketacare.screening.models import EligibilityReview
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession

# In the order they are written.
MODELS: tuple[type[models.Model], ...] = (
    Patient,
    WeightMeasurement,
    OfficeVitals,
    Allergy,
    Medication,
    Condition,
    AntidepressantTrial,
    Consent,
    Assessment,
    CareNote,
    EligibilityReview,
    TreatmentPlan,
    DoseOrder,
    TreatmentSession,
    PreDose,
    DoseGiven,
    Reading,
    SessionAlert,
    SideEffect,
    Discharge,
    RemsForm,
    Timepoint,
)
# Columns holding the row's own (chunk-local) id besides the primary key: a note's thread.
SELF_REFS: Mapping[type[models.Model], tuple[str, ...]] = {CareNote: ("thread_id",)}


@cache
def tables() -> dict[str, Table]:
    """Every seeded table by model label (`patients.Patient`), in writing order."""
    return {m._meta.label: Table.of(m, MODELS, SELF_REFS.get(m, ())) for m in MODELS}


class Sink:
    """One chunk's rows: `sink.add(Patient, id=sink.new_id(Patient), ...)`."""

    def __init__(self) -> None:
        self.tables = tables()
        self.rows: dict[str, list[dict[str, Any]]] = {label: [] for label in self.tables}
        # Ids handed out per table: the real ids to allocate for the chunk.
        self.ids: dict[str, int] = dict.fromkeys(self.tables, 0)

    def new_id(self, model: type[models.Model]) -> int:
        """The next chunk-local id of `model` (0, 1, 2 ...)."""
        label = model._meta.label
        value = self.ids[label]
        self.ids[label] = value + 1
        return value

    def add(self, model: type[models.Model], **values: Any) -> None:
        label = model._meta.label
        self.rows[label].append(self.tables[label].row(values))

    @property
    def counts(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.rows.items()}

    def copy_texts(self, ids: Mapping[str, Ids]) -> dict[str, bytes]:
        return {label: self.tables[label].copy_text(rows, ids) for label, rows in self.rows.items()}
