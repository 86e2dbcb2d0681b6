"""What the SPRAVATO REMS Patient Monitoring Form records, from a monitored esketamine session
(clinical-reference.md 3.2; SAFE-REMS-FORM).

The form asks questions the monitoring rules already answer; each answer here is the clinical
core's, never a threshold of its own:

- `dose_choice`: the form's dose boxes (56 mg, 84 mg, other).
- `concomitant_medications`: the medication classes the form asks about (benzodiazepines,
  non-benzodiazepine sedative-hypnotics, psychostimulants, MAOIs, opioids).
- `treatment_duration_min`: first device to end of monitoring, in whole minutes.
- `vitals_acceptable_before_dose` / `vitals_acceptable_at_end`: no vital-sign rule of reference
  3.5 fired on the pre-dose vitals / on the last vitals before the end of monitoring.
- `forty_minute_blood_pressure`, `blood_pressure_at_end`: the blood pressures the form records
  (MON-BP-40MIN's window; the last complete one before the end).
- `sedation_occurred`, `dissociation_occurred`, `respiratory_depression_occurred`: from the
  readings (MOAA/S, CADSS, the respiratory rules), and for the first two the side effects charted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ketacare.clinical.monitoring.postdose import forty_minute_window
from ketacare.clinical.monitoring.readings import Reading, SessionState
from ketacare.clinical.monitoring.results import Alert
from ketacare.clinical.monitoring.units import minutes, whole_minutes
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

# Reference 3.2: "dose given (56 mg / 84 mg / other)".
FORM_DOSES_MG = (56, 84)
OTHER_DOSE = "other"

# Reference 3.2: the concomitant medicines that can cause sedation or blood-pressure change, as
# the form names them, keyed by the chart's medication class (newer guidance adds opioids).
CONCOMITANT_CLASSES: dict[str, str] = {
    "benzodiazepine": "Benzodiazepines",
    "other_sedative": "Non-benzodiazepine sedative-hypnotics",
    "stimulant": "Psychostimulants",
    "maoi": "Monoamine oxidase inhibitors (MAOIs)",
    "opioid": "Opioids",
}

# The rules of reference 3.5 that judge vital signs (blood pressure, heart rate, SpO2,
# respiratory rate): before the dose, and on a reading after it.
PREDOSE_VITAL_RULES = frozenset(
    {"MON-BP-HOLD", "MON-BP-PREDOSE-SEVERE", "MON-SPO2-HOLD", "MON-HR-PREDOSE"}
)
POSTDOSE_VITAL_RULES = frozenset(
    {
        "MON-BP-ELEVATED",
        "MON-BP-RISE",
        "MON-BP-SEVERE",
        "MON-SPO2-LOW",
        "MON-SPO2-CRITICAL",
        "MON-RR-LOW",
        "MON-HR",
    }
)
# Respiratory depression as the monitoring rules see it (the alerts DISCH-RESP waits on).
RESPIRATORY_RULES = frozenset({"MON-SPO2-LOW", "MON-SPO2-CRITICAL", "MON-RR-LOW"})

# Side-effect terms (`ketacare.clinical.adverse.TERMS`) that are the event the form asks about.
SEDATION_TERMS = frozenset({"sedation"})
DISSOCIATION_TERMS = frozenset({"dissociation"})


def dose_choice(dose_mg: float) -> str:
    """The form's dose box: "56", "84", or "other" for any other dose (reference 3.2)."""
    for choice in FORM_DOSES_MG:
        if dose_mg == choice:
            return str(choice)
    return OTHER_DOSE


def concomitant_medications(classes: Iterable[str]) -> tuple[tuple[str, str, bool], ...]:
    """Each class the form asks about, in the form's order: (class code, the form's words,
    whether the medication list has one)."""
    present = set(classes)
    return tuple((code, words, code in present) for code, words in CONCOMITANT_CLASSES.items())


def treatment_duration_min(dose_at: dt.datetime, end_at: dt.datetime) -> int:
    """Total treatment duration as the form counts it: from the first device to the end of
    monitoring, in whole minutes (rounded down, so it never claims a minute not yet passed)."""
    return whole_minutes(end_at - dose_at)


def minimum_monitoring_min(settings: ClinicalSettings = DEFAULT_SETTINGS) -> int:
    """The observation the form's duration must reach (DISCH-ESK-MIN-TIME, SAFE-ESK-2H)."""
    return int(settings.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min"))


def vitals_acceptable_before_dose(state: SessionState, alerts: Iterable[Alert]) -> bool | None:
    """Were the vital signs in an acceptable range before administration? No vital-sign rule
    of the pre-dose rules (MON-BP-HOLD, MON-BP-PREDOSE-SEVERE, MON-SPO2-HOLD, MON-HR-PREDOSE)
    fired; None when no pre-dose vital sign was recorded. `alerts` are `evaluate`'s."""
    vitals = state.pre_dose
    recorded = (vitals.systolic, vitals.diastolic, vitals.heart_rate, vitals.spo2)
    if all(value is None for value in recorded):
        return None
    return not any(alert.rule in PREDOSE_VITAL_RULES for alert in alerts)


def _has_vital_sign(reading: Reading) -> bool:
    return any(
        value is not None
        for value in (
            reading.systolic,
            reading.diastolic,
            reading.heart_rate,
            reading.spo2,
            reading.respiratory_rate,
        )
    )


def last_vitals_at(state: SessionState, end_at: dt.datetime) -> dt.datetime | None:
    """The time of the last reading with a vital sign at or before `end_at`, or None."""
    times = [r.at for r in state.readings if r.at <= end_at and _has_vital_sign(r)]
    return max(times) if times else None


def vitals_acceptable_at_end(
    state: SessionState, alerts: Iterable[Alert], end_at: dt.datetime
) -> bool | None:
    """Were the vital signs in an acceptable range before the session was completed? The last
    vital signs charted at or before `end_at` raised no post-dose vital-sign rule
    (MON-BP-ELEVATED, MON-BP-RISE, MON-BP-SEVERE, MON-SPO2-LOW, MON-SPO2-CRITICAL, MON-RR-LOW,
    MON-HR); None when no vital sign was charted after the dose."""
    last = last_vitals_at(state, end_at)
    if last is None:
        return None
    return not any(alert.rule in POSTDOSE_VITAL_RULES and alert.at == last for alert in alerts)


def forty_minute_blood_pressure(
    dose_at: dt.datetime,
    readings: Iterable[Reading],
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> Reading | None:
    """The blood pressure the form records "40 min after administration": of the complete
    ones inside MON-BP-40MIN's window, the one nearest the scheduled check (MON-SCHEDULE-ESK),
    the earlier on a tie; None when the check was missed."""
    opens, closes = forty_minute_window(dose_at, settings)
    due = dose_at + minutes(settings.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min"))
    inside = [r for r in readings if r.has_full_blood_pressure and opens <= r.at <= closes]
    if not inside:
        return None
    return min(inside, key=lambda r: (abs(r.at - due), r.at))


def blood_pressure_at_end(readings: Iterable[Reading], end_at: dt.datetime) -> Reading | None:
    """The blood pressure "before session completion": the last complete one charted at or
    before `end_at` (the first of several at that minute), or None."""
    complete = [r for r in readings if r.has_full_blood_pressure and r.at <= end_at]
    if not complete:
        return None
    last = max(r.at for r in complete)
    return next(r for r in complete if r.at == last)


def sedation_occurred(
    state: SessionState,
    side_effect_terms: Iterable[str] = (),
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> bool | None:
    """Did sedation occur? Sedation is any drop of MOAA/S from the pre-dose score (reference
    3.3, ESK-PI-CUR 5.1): a post-dose MOAA/S below the pre-dose score, or, when none was
    recorded before the dose, below the score at which DISCH-SEDATION calls sedation resolved;
    or at or below MON-SEDATION's threshold; or a side effect charted as sedation. None when
    no MOAA/S was charted after the dose and no such side effect."""
    if SEDATION_TERMS & set(side_effect_terms):
        return True
    scores = [r.moaas for r in state.readings if r.moaas is not None]
    if not scores:
        return None
    baseline = state.pre_dose.moaas
    if baseline is None:
        baseline = int(settings.value("DISCH-SEDATION", "moaas_at_or_above"))
    threshold = settings.value("MON-SEDATION", "moaas_at_or_below")
    return any(score < baseline or score <= threshold for score in scores)


def dissociation_occurred(
    state: SessionState, side_effect_terms: Iterable[str] = ()
) -> bool | None:
    """Did dissociation occur? A CADSS above 0 after the dose (MON-DISSOCIATION records it), or
    a side effect charted as dissociation. None when no CADSS was charted and no such side
    effect."""
    if DISSOCIATION_TERMS & set(side_effect_terms):
        return True
    scores = [r.cadss for r in state.readings if r.cadss is not None]
    if not scores:
        return None
    return any(score > 0 for score in scores)


def respiratory_depression_occurred(state: SessionState, alerts: Iterable[Alert]) -> bool | None:
    """Did respiratory depression occur? A respiratory rule (MON-SPO2-LOW, MON-SPO2-CRITICAL,
    MON-RR-LOW) fired after the dose. None when neither SpO2 nor respiratory rate was charted
    after the dose."""
    charted = any(r.spo2 is not None or r.respiratory_rate is not None for r in state.readings)
    fired = any(alert.rule in RESPIRATORY_RULES for alert in alerts)
    if fired:
        return True
    return False if charted else None
