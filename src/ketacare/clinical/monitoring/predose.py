"""Pre-dose rules of reference 3.5: they decide `dosing` (go / hold).

Pre-dose alerts carry the pre-dose moment as their time: `dose_at` once the dose was given (the
pre-dose state is what the dose was given on), else `now`. They are still reported after dosing:
they stay facts of the session (a dose given despite a hold needs the prescriber's recorded
decision, SAFE-BP-HOLD) and MON-ESCORT still matters until discharge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ketacare.clinical.monitoring.readings import ESKETAMINE, SessionState
from ketacare.clinical.monitoring.results import Alert, Dosing, Level
from ketacare.clinical.monitoring.units import (
    blood_pressure_text,
    minutes,
    pair,
    sentence_start,
    whole_minutes,
)
from ketacare.clinical.rules import ClinicalSettings

# The rules whose firing means "do not dose now" (reference 3.5, SAFE-REMS-GATE, SAFE-BP-HOLD,
# SAFE-SPO2-HOLD).
HOLD_RULES = frozenset(
    {"MON-REMS-ENROLLED", "MON-BP-HOLD", "MON-BP-PREDOSE-SEVERE", "MON-SPO2-HOLD"}
)

_Fire = Callable[[str, Level, str], None]


def dosing_decision(alerts: tuple[Alert, ...] | list[Alert]) -> Dosing:
    """`hold` when any hold rule (MON-REMS-ENROLLED, MON-BP-HOLD, MON-BP-PREDOSE-SEVERE,
    MON-SPO2-HOLD) fired, else `go`."""
    return Dosing.HOLD if any(alert.rule in HOLD_RULES for alert in alerts) else Dosing.GO


def predose_alerts(
    state: SessionState, *, now: dt.datetime, settings: ClinicalSettings
) -> list[Alert]:
    """Alerts of the pre-dose rules of reference 3.5 that fire on the recorded data.

    MON-REMS-ENROLLED, MON-FASTING and MON-NASAL-MEDS apply to esketamine only; MON-BP-HOLD,
    MON-BP-PREDOSE-SEVERE, MON-SPO2-HOLD, MON-HR-PREDOSE, MON-PREG-TEST and MON-ESCORT to every
    route. A rule whose data is absent raises nothing (contracts.md).
    """
    at = state.dose_at or now
    alerts: list[Alert] = []

    def fire(rule: str, level: Level, message: str) -> None:
        alerts.append(Alert(rule, level, at, message))

    if state.route == ESKETAMINE:
        rems = _rems_message(state)
        if rems:
            fire("MON-REMS-ENROLLED", Level.CRITICAL, rems)
    _blood_pressure(state, settings, fire)
    spo2 = state.pre_dose.spo2
    spo2_below = settings.value("MON-SPO2-HOLD", "spo2_below_percent")
    if spo2 is not None and spo2 < spo2_below:
        fire(
            "MON-SPO2-HOLD",
            Level.WARNING,
            f"Pre-dose SpO2 {spo2}% is below {spo2_below:g}%: hold dosing.",
        )
    heart = state.pre_dose.heart_rate
    above = settings.value("MON-HR-PREDOSE", "heart_rate_above_bpm")
    below = settings.value("MON-HR-PREDOSE", "heart_rate_below_bpm")
    if heart is not None and (heart > above or heart < below):
        side = f"above {above:g}" if heart > above else f"below {below:g}"
        fire(
            "MON-HR-PREDOSE",
            Level.WARNING,
            f"Pre-dose heart rate {heart}/min is {side}/min; review before dosing.",
        )
    if state.route == ESKETAMINE:
        fasting = _fasting_message(state, at, settings)
        if fasting:
            fire("MON-FASTING", Level.WARNING, fasting)
        nasal = _nasal_message(state, at, settings)
        if nasal:
            fire("MON-NASAL-MEDS", Level.WARNING, nasal)
    if state.checklist.pregnancy_status_documented is False:
        fire(
            "MON-PREG-TEST",
            Level.WARNING,
            "Pregnancy status is not documented; document it before dosing a person of "
            "reproductive potential.",
        )
    if state.checklist.escort_confirmed is False:
        fire(
            "MON-ESCORT",
            Level.WARNING,
            "No ride home is confirmed; the patient must not drive until the next day after a "
            "restful sleep, and discharge waits for an escort (DISCH-ESCORT).",
        )
    return alerts


def _rems_message(state: SessionState) -> str:
    # SAFE-REMS-GATE: only an explicit "no" holds; an unrecorded item raises nothing (contract).
    missing = []
    if state.checklist.rems_setting_certified is False:
        missing.append("the healthcare setting is not REMS-certified")
    if state.checklist.rems_patient_enrolled is False:
        missing.append("the patient is not enrolled in the SPRAVATO REMS")
    if not missing:
        return ""
    return f"{sentence_start(' and '.join(missing))}: do not dose esketamine."


def _blood_pressure(state: SessionState, settings: ClinicalSettings, fire: _Fire) -> None:
    vitals = state.pre_dose
    if not vitals.has_blood_pressure:
        return
    sbp, dbp = vitals.systolic, vitals.diastolic
    hold_s = settings.value("MON-BP-HOLD", "systolic_above_mmhg")
    hold_d = settings.value("MON-BP-HOLD", "diastolic_above_mmhg")
    if (sbp is not None and sbp > hold_s) or (dbp is not None and dbp > hold_d):
        fire(
            "MON-BP-HOLD",
            Level.WARNING,
            f"Pre-dose blood pressure {blood_pressure_text(vitals)} is above "
            f"{pair(hold_s, hold_d)}: hold dosing until a prescriber records the benefit/risk "
            "decision.",
        )
    severe_s = settings.value("MON-BP-PREDOSE-SEVERE", "systolic_at_or_above_mmhg")
    severe_d = settings.value("MON-BP-PREDOSE-SEVERE", "diastolic_at_or_above_mmhg")
    if (sbp is not None and sbp >= severe_s) or (dbp is not None and dbp >= severe_d):
        fire(
            "MON-BP-PREDOSE-SEVERE",
            Level.CRITICAL,
            f"Pre-dose blood pressure {blood_pressure_text(vitals)} is at or above "
            f"{pair(severe_s, severe_d)}: hold dosing and notify the prescriber.",
        )


def _fasting_message(state: SessionState, at: dt.datetime, settings: ClinicalSettings) -> str:
    # MON-FASTING judges the time before the dose. A time recorded after the dose (possible once
    # dosed: plausibility only keeps it before `now`) says nothing about that fast, so it is a
    # warning of its own, never a negative "-10 min before dosing".
    food_min = settings.value("MON-FASTING", "food_fast_at_least_min")
    liquid_min = settings.value("MON-FASTING", "liquid_fast_at_least_min")
    short, after = [], []
    for name, last, fast in (
        ("food", state.checklist.last_food_at, food_min),
        ("liquids", state.checklist.last_liquid_at, liquid_min),
    ):
        if last is None:
            continue
        if last > at:
            after.append(name)
        elif at - last < minutes(fast):
            short.append(f"{name} {whole_minutes(at - last)} min")
    sentences = []
    if short:
        sentences.append(f"Last {' and '.join(short)} before dosing.")
    if after:
        verb = "was" if after == ["food"] else "were"
        sentences.append(
            f"{sentence_start(' and '.join(after))} {verb} recorded after the dose time; fasting "
            "before the dose cannot be confirmed."
        )
    if not sentences:
        return ""
    return (
        f"{' '.join(sentences)} Esketamine needs no food for {food_min:g} min and no liquids "
        f"for {liquid_min:g} min before dosing (nausea and vomiting)."
    )


def _nasal_message(state: SessionState, at: dt.datetime, settings: ClinicalSettings) -> str:
    # MON-NASAL-MEDS: as MON-FASTING, a time after the dose cannot confirm the gap before it.
    nasal = state.checklist.nasal_medication_at
    gap = settings.value("MON-NASAL-MEDS", "gap_at_least_min")
    if nasal is None:
        return ""
    if nasal > at:
        return (
            "A nasal corticosteroid or decongestant was recorded after the dose time; the gap "
            f"of at least {gap:g} min before esketamine cannot be confirmed."
        )
    if at - nasal < minutes(gap):
        return (
            f"Nasal corticosteroid or decongestant {whole_minutes(at - nasal)} min before "
            f"dosing; esketamine needs at least {gap:g} min after it."
        )
    return ""
