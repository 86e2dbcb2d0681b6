"""Input plausibility limits of reference 3.7 (MON-PLAUSIBILITY): refuse, do not store.

Run on every `SessionState` before a rule looks at it, whether it came from JSON (`parse`) or was
built in Python, so the web app, FHIR import and the CLI refuse the same values with the same
dotted field paths (`readings.0.systolic`). A state built in Python is first held to the types
the JSON reader would give (an int that is not a bool, an aware datetime, a bool for a flag), so
`Reading(moaas=True)` or `Reading(systolic="120")` is an input error, never a wrong alert or a
TypeError from deep inside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import check_datetime, describe, read_bool, read_int
from ketacare.clinical.monitoring.readings import (
    CHECKLIST_TIMES,
    IV_KETAMINE,
    ROUTES,
    SYMPTOMS,
    VITAL_FIELDS,
    Attestations,
    Checklist,
    Reading,
    SessionState,
    Vitals,
)
from ketacare.clinical.rules import ClinicalSettings

PLAUSIBILITY = "MON-PLAUSIBILITY"
# DOSE-IV-DURATION (reference 1.2) bounds the infusion duration; the dosing catalog defines it.
IV_DURATION = "DOSE-IV-DURATION"

_UNITS = {
    "systolic": "_mmhg",
    "diastolic": "_mmhg",
    "heart_rate": "_bpm",
    "spo2": "_percent",
    "respiratory_rate": "_per_min",
    "moaas": "",
    "cadss": "",
}


def check_plausible(state: SessionState, *, now: dt.datetime, settings: ClinicalSettings) -> None:
    """Refuse a session state that breaks MON-PLAUSIBILITY (reference 3.7) or DOSE-IV-DURATION.

    Checks every vital against its plausibility range and DBP below SBP, every time for an
    offset and for lying between the dose and `now`, the route, the infusion duration (IV only)
    and the symptom codes, after the types of every field. Raises `ClinicalInputError` naming the
    first offending field.
    """
    check_datetime(now, "now")
    _check_types(state)
    if state.route not in ROUTES:
        raise ClinicalInputError(
            "route", f"route must be one of {', '.join(sorted(ROUTES))}; got {state.route!r}."
        )
    if state.dose_at is not None:
        _check_not_after_now(state.dose_at, "dose_at", now)
    _check_infusion(state, settings)
    _check_vitals(state.pre_dose, "pre_dose", settings)
    for index, reading in enumerate(state.readings):
        path = f"readings.{index}"
        if state.dose_at is None:
            raise ClinicalInputError(
                f"{path}.at",
                f"{path}.at: a post-dose reading needs dose_at; record vitals taken before "
                "dosing in pre_dose.",
            )
        _check_not_after_now(reading.at, f"{path}.at", now)
        if reading.at < state.dose_at:
            raise ClinicalInputError(
                f"{path}.at",
                f"{path}.at must not be before dose_at ({state.dose_at.isoformat()}); record "
                "vitals taken before dosing in pre_dose.",
            )
        _check_vitals(reading, path, settings)
        _check_symptoms(reading.symptoms, f"{path}.symptoms")
    for name in CHECKLIST_TIMES:
        value = getattr(state.checklist, name)
        if value is not None:
            _check_not_after_now(value, f"checklist.{name}", now)


def _check_types(state: object) -> None:
    if not isinstance(state, SessionState):
        raise ClinicalInputError("input", f"input must be a SessionState; got {describe(state)}.")
    if not isinstance(state.route, str):
        raise ClinicalInputError("route", f"route must be a string; got {describe(state.route)}.")
    if state.dose_at is not None:
        check_datetime(state.dose_at, "dose_at")
    if state.infusion_duration_min is not None:
        read_int(state.infusion_duration_min, "infusion_duration_min")
    _check_vital_types(state.pre_dose, "pre_dose", Vitals)
    if not isinstance(state.readings, tuple | list):
        raise ClinicalInputError(
            "readings", f"readings must be a list of readings; got {describe(state.readings)}."
        )
    for index, reading in enumerate(state.readings):
        path = f"readings.{index}"
        _check_vital_types(reading, path, Reading)
        check_datetime(reading.at, f"{path}.at")
        if not isinstance(reading.symptoms, tuple | list):
            raise ClinicalInputError(
                f"{path}.symptoms",
                f"{path}.symptoms must be a list of codes; got {describe(reading.symptoms)}.",
            )
    _check_record(state.checklist, "checklist", Checklist)
    _check_record(state.attestations, "attestations", Attestations)


def _check_vital_types(vitals: object, path: str, kind: type[Vitals]) -> None:
    if not isinstance(vitals, kind):
        raise ClinicalInputError(path, f"{path} must be a {kind.__name__}; got {describe(vitals)}.")
    for name in VITAL_FIELDS:
        value = getattr(vitals, name)
        if value is not None:
            read_int(value, f"{path}.{name}")


def _check_record(record: object, path: str, kind: type[Checklist] | type[Attestations]) -> None:
    # Every field is a yes/no flag but the checklist's times (CHECKLIST_TIMES).
    if not isinstance(record, kind):
        raise ClinicalInputError(path, f"{path} must be a {kind.__name__}; got {describe(record)}.")
    for name in kind.__dataclass_fields__:
        value = getattr(record, name)
        if value is None:
            continue
        if name in CHECKLIST_TIMES:
            check_datetime(value, f"{path}.{name}")
        else:
            read_bool(value, f"{path}.{name}")


def _check_not_after_now(value: dt.datetime, path: str, now: dt.datetime) -> None:
    if value > now:
        raise ClinicalInputError(path, f"{path} must not be after now ({now.isoformat()}).")


def _check_infusion(state: SessionState, settings: ClinicalSettings) -> None:
    duration = state.infusion_duration_min
    if duration is None:
        return
    if state.route != IV_KETAMINE:
        raise ClinicalInputError(
            "infusion_duration_min",
            f"infusion_duration_min applies to iv_ketamine only, not to {state.route}.",
        )
    low = settings.value(IV_DURATION, "minimum_min")
    high = settings.value(IV_DURATION, "maximum_min")
    if not low <= duration <= high:
        raise ClinicalInputError(
            "infusion_duration_min",
            f"infusion_duration_min must be from {low:g} to {high:g} minutes ({IV_DURATION}); "
            f"got {duration}.",
        )


def _check_vitals(vitals: Vitals, path: str, settings: ClinicalSettings) -> None:
    for name in VITAL_FIELDS:
        value = getattr(vitals, name)
        if value is None:
            continue
        low = settings.value(PLAUSIBILITY, f"{name}_at_least{_UNITS[name]}")
        high = settings.value(PLAUSIBILITY, f"{name}_at_most{_UNITS[name]}")
        if not low <= value <= high:
            raise ClinicalInputError(
                f"{path}.{name}",
                f"{path}.{name} must be from {low:g} to {high:g} ({PLAUSIBILITY}); got {value}.",
            )
    if (
        vitals.systolic is not None
        and vitals.diastolic is not None
        and vitals.diastolic >= vitals.systolic
    ):
        raise ClinicalInputError(
            f"{path}.diastolic",
            f"{path}.diastolic ({vitals.diastolic}) must be lower than {path}.systolic "
            f"({vitals.systolic}) ({PLAUSIBILITY}).",
        )


def _check_symptoms(symptoms: Collection[str], path: str) -> None:
    for index, code in enumerate(symptoms):
        if not isinstance(code, str) or code not in SYMPTOMS:
            raise ClinicalInputError(
                f"{path}.{index}",
                f"{path}.{index} must be one of {', '.join(SYMPTOMS)}; got {describe(code)}.",
            )
