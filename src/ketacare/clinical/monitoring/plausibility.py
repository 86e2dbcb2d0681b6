"""Input plausibility limits of reference 3.7 (MON-PLAUSIBILITY): refuse, do not store.

Run on every `SessionState` before a rule looks at it, whether it came from JSON (`parse`) or was
built in Python, so the web app, FHIR import and the CLI refuse the same values with the same
dotted field paths (`readings.0.systolic`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring.readings import (
    IV_KETAMINE,
    ROUTES,
    SYMPTOMS,
    VITAL_FIELDS,
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
    and the symptom codes. Raises `ClinicalInputError` naming the first offending field.
    """
    _check_aware(now, "now")
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
    for name in ("last_food_at", "last_liquid_at", "nasal_medication_at"):
        value = getattr(state.checklist, name)
        if value is not None:
            _check_not_after_now(value, f"checklist.{name}", now)


def _check_aware(value: dt.datetime, path: str) -> None:
    if value.utcoffset() is None:
        raise ClinicalInputError(path, f"{path} must be a time with a UTC offset.")


def _check_not_after_now(value: dt.datetime, path: str, now: dt.datetime) -> None:
    _check_aware(value, path)
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
        if code not in SYMPTOMS:
            raise ClinicalInputError(
                f"{path}.{index}",
                f"{path}.{index} must be one of {', '.join(SYMPTOMS)}; got {code!r}.",
            )
