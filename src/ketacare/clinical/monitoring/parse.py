"""Reading the `ketacare monitor` input document (contracts.md) into a `SessionState`.

Shared by the CLI, the JSON API and FHIR import: types and unknown keys are refused here with a
dotted field path, then the plausibility limits of reference 3.7 are applied (`check_plausible`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ketacare.clinical.inputs import (
    Fields,
    read_bool,
    read_choice,
    read_datetime,
    read_int,
)
from ketacare.clinical.monitoring.plausibility import check_plausible
from ketacare.clinical.monitoring.readings import (
    CHECKLIST_TIMES,
    ROUTES,
    SYMPTOMS,
    VITAL_FIELDS,
    Attestations,
    Checklist,
    Reading,
    SessionState,
    Vitals,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

_CHECKLIST_FLAGS = (
    "rems_setting_certified",
    "rems_patient_enrolled",
    "pregnancy_status_documented",
    "escort_confirmed",
)
_ATTESTATIONS = ("dissociation_resolved", "critical_alerts_acknowledged")


@dataclass(frozen=True, slots=True)
class MonitorInput:
    """A parsed `ketacare monitor` document: the session and the moment it is judged at."""

    state: SessionState
    now: dt.datetime


def parse_monitor_input(
    document: object, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> MonitorInput:
    """Read a `ketacare monitor` document strictly and check it against MON-PLAUSIBILITY.

    `route`, `dose_at` (may be null), `now`, `pre_dose` and `readings` are required; the optional
    keys are `infusion_duration_min`, `checklist` and `attestations` (contracts.md). Raises
    `ClinicalInputError` naming the field for a missing, unknown, mistyped or implausible value
    (reference 3.7) and for an infusion duration outside DOSE-IV-DURATION.
    """
    doc = Fields(document)
    route = doc.take("route", read_choice, choices=ROUTES)
    dose_at = doc.take("dose_at", _read_optional_datetime)
    now = doc.take("now", read_datetime)
    pre_dose = doc.take("pre_dose", _read_vitals)
    readings = tuple(doc.items("readings", _read_reading))
    infusion = doc.optional("infusion_duration_min", read_int)
    checklist = doc.optional("checklist", _read_checklist, default=Checklist())
    attestations = doc.optional("attestations", _read_attestations, default=Attestations())
    doc.finish()
    state = SessionState(
        route=route,
        dose_at=dose_at,
        pre_dose=pre_dose,
        readings=readings,
        infusion_duration_min=infusion,
        checklist=checklist,
        attestations=attestations,
    )
    check_plausible(state, now=now, settings=settings)
    return MonitorInput(state=state, now=now)


def _read_optional_datetime(value: object, path: str) -> dt.datetime | None:
    return None if value is None else read_datetime(value, path)


def _vital_values(fields: Fields) -> dict[str, Any]:
    return {name: fields.optional(name, read_int) for name in VITAL_FIELDS}


def _read_vitals(value: object, path: str) -> Vitals:
    fields = Fields(value, path)
    vitals = Vitals(**_vital_values(fields))
    fields.finish()
    return vitals


def _read_reading(value: object, path: str) -> Reading:
    fields = Fields(value, path)
    at = fields.take("at", read_datetime)
    values = _vital_values(fields)
    symptoms = tuple(
        fields.items("symptoms", lambda v, p: read_choice(v, p, SYMPTOMS), required=False)
    )
    fields.finish()
    return Reading(at=at, symptoms=symptoms, **values)


def _read_checklist(value: object, path: str) -> Checklist:
    fields = Fields(value, path)
    flags = {name: fields.optional(name, read_bool) for name in _CHECKLIST_FLAGS}
    times = {name: fields.optional(name, read_datetime) for name in CHECKLIST_TIMES}
    fields.finish()
    return Checklist(**flags, **times)


def _read_attestations(value: object, path: str) -> Attestations:
    fields = Fields(value, path)
    flags = {name: fields.optional(name, read_bool) for name in _ATTESTATIONS}
    fields.finish()
    return Attestations(**flags)
