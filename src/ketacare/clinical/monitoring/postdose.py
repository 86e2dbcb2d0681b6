"""Post-dose rules of reference 3.5: one check per reading, plus the esketamine 40-minute BP.

Each rule is judged on each reading on its own (a reading at SpO2 88% raises both MON-SPO2-LOW
and MON-SPO2-CRITICAL): the nurse board may group them, the record keeps every rule that fired.
Alerts of a reading carry the reading's time; MON-BP-40MIN, about a reading that is missing,
carries `now` (contracts.md), except once a late blood pressure was taken after its window: the
missed check is then a past fact with nothing left to do now, and carries the time the window
closed, the moment it became missed (a stable time, not one that moves with every refresh).
"""

from __future__ import annotations

import datetime as dt

from ketacare.clinical.monitoring.intervals import elevated_interval
from ketacare.clinical.monitoring.readings import (
    ESKETAMINE,
    IV_KETAMINE,
    SYMPTOMS,
    Reading,
    SessionState,
    Vitals,
)
from ketacare.clinical.monitoring.results import Alert, Level
from ketacare.clinical.monitoring.units import blood_pressure_text, minutes, pair, sentence_start
from ketacare.clinical.rules import ClinicalSettings


def postdose_alerts(
    state: SessionState, *, now: dt.datetime, settings: ClinicalSettings
) -> list[Alert]:
    """Alerts of the post-dose rules of reference 3.5 for every reading, in time order.

    MON-BP-ELEVATED, MON-BP-RISE, MON-BP-SEVERE, MON-HTN-SYMPTOMS, MON-SPO2-LOW,
    MON-SPO2-CRITICAL, MON-RR-LOW, MON-HR, MON-SEDATION, MON-SEDATION-DEEP and MON-DISSOCIATION
    per reading; MON-BP-40MIN (esketamine) once `now` is past the check's due time
    (MON-SCHEDULE-ESK) with no complete blood pressure in its window so far. Nothing before
    dosing.
    """
    if state.dose_at is None:
        return []
    alerts: list[Alert] = []
    for reading in state.readings_in_time_order():
        alerts.extend(
            Alert(rule, level, reading.at, message)
            for rule, level, message in _reading_findings(state, state.dose_at, reading, settings)
        )
    if state.route == ESKETAMINE:
        missed = _forty_minute_check(state.dose_at, state.readings, now, settings)
        if missed is not None:
            alerts.append(missed)
    return alerts


def is_elevated(vitals: Vitals, settings: ClinicalSettings) -> bool:
    """True when the blood pressure of `vitals` triggers MON-BP-ELEVATED (SBP >140 or DBP >90)."""
    above_s = settings.value("MON-BP-ELEVATED", "systolic_above_mmhg")
    above_d = settings.value("MON-BP-ELEVATED", "diastolic_above_mmhg")
    return (vitals.systolic is not None and vitals.systolic > above_s) or (
        vitals.diastolic is not None and vitals.diastolic > above_d
    )


def forty_minute_window(
    dose_at: dt.datetime, settings: ClinicalSettings
) -> tuple[dt.datetime, dt.datetime]:
    """When MON-BP-40MIN's blood pressure may be taken: (opens, closes), after the first device."""
    opens = dose_at + minutes(settings.value("MON-BP-40MIN", "window_opens_after_dose_min"))
    closes = dose_at + minutes(settings.value("MON-BP-40MIN", "window_closes_after_dose_min"))
    return opens, closes


def forty_minute_check_done(
    dose_at: dt.datetime, readings: tuple[Reading, ...], settings: ClinicalSettings
) -> bool:
    """Whether MON-BP-40MIN's check was made (SAFE-40MIN-BP): a complete blood pressure, both
    values as the REMS form records them, charted inside its window. The alert and the reading
    schedule both ask this."""
    opens, closes = forty_minute_window(dose_at, settings)
    return any(r.has_full_blood_pressure and opens <= r.at <= closes for r in readings)


def _reading_findings(
    state: SessionState, dose_at: dt.datetime, reading: Reading, settings: ClinicalSettings
) -> list[tuple[str, Level, str]]:
    value = settings.value
    found = _blood_pressure_findings(state, dose_at, reading, settings)
    if reading.symptoms:
        named = ", ".join(SYMPTOMS[code] for code in reading.symptoms)
        found.append(
            (
                "MON-HTN-SYMPTOMS",
                Level.CRITICAL,
                f"{sentence_start(named)}: possible hypertensive crisis or encephalopathy; get "
                "emergency care now.",
            )
        )
    spo2 = reading.spo2
    if spo2 is not None:
        low = value("MON-SPO2-LOW", "spo2_below_percent")
        if spo2 < low:
            found.append(("MON-SPO2-LOW", Level.WARNING, f"SpO2 {spo2}% is below {low:g}%."))
        critical = value("MON-SPO2-CRITICAL", "spo2_below_percent")
        if spo2 < critical:
            found.append(
                (
                    "MON-SPO2-CRITICAL",
                    Level.CRITICAL,
                    f"SpO2 {spo2}% is below {critical:g}%: support breathing and call the "
                    "prescriber now.",
                )
            )
    rate = reading.respiratory_rate
    rate_below = value("MON-RR-LOW", "respiratory_rate_below_per_min")
    if rate is not None and rate < rate_below:
        found.append(
            (
                "MON-RR-LOW",
                Level.CRITICAL,
                f"Respiratory rate {rate}/min is below {rate_below:g}/min: possible respiratory "
                "depression; call the prescriber now.",
            )
        )
    heart = reading.heart_rate
    above = value("MON-HR", "heart_rate_above_bpm")
    below = value("MON-HR", "heart_rate_below_bpm")
    if heart is not None and (heart > above or heart < below):
        side = f"above {above:g}" if heart > above else f"below {below:g}"
        found.append(("MON-HR", Level.WARNING, f"Heart rate {heart}/min is {side}/min."))
    moaas = reading.moaas
    if moaas is not None:
        sedated = value("MON-SEDATION", "moaas_at_or_below")
        if moaas <= sedated:
            found.append(
                (
                    "MON-SEDATION",
                    Level.WARNING,
                    f"MOAA/S {moaas} (at or below {sedated:g}): sedation; keep monitoring closely.",
                )
            )
        deep = value("MON-SEDATION-DEEP", "moaas_at_or_below")
        if moaas <= deep:
            found.append(
                (
                    "MON-SEDATION-DEEP",
                    Level.CRITICAL,
                    f"MOAA/S {moaas} (at or below {deep:g}): deep sedation or loss of "
                    "consciousness; protect the airway and call the prescriber now.",
                )
            )
    if reading.cadss is not None:
        found.append(
            (
                "MON-DISSOCIATION",
                Level.INFO,
                f"CADSS {reading.cadss} recorded; dissociation must resolve before discharge.",
            )
        )
    return found


def _blood_pressure_findings(
    state: SessionState, dose_at: dt.datetime, reading: Reading, settings: ClinicalSettings
) -> list[tuple[str, Level, str]]:
    found: list[tuple[str, Level, str]] = []
    if not reading.has_blood_pressure:
        return found
    value = settings.value
    bp = blood_pressure_text(reading)
    sbp, dbp = reading.systolic, reading.diastolic
    if is_elevated(reading, settings):
        limits = pair(
            value("MON-BP-ELEVATED", "systolic_above_mmhg"),
            value("MON-BP-ELEVATED", "diastolic_above_mmhg"),
        )
        # The interval the schedule books after this reading (10 min during an IV infusion).
        every = elevated_interval(state, reading.at - dose_at, settings)
        found.append(
            (
                "MON-BP-ELEVATED",
                Level.WARNING,
                f"Blood pressure {bp} is above {limits}; re-check every {every:g} min until "
                "it falls.",
            )
        )
    rise = _rise_text(state.pre_dose, reading, settings)
    if rise:
        found.append(("MON-BP-RISE", Level.WARNING, rise))
    severe_s = value("MON-BP-SEVERE", "systolic_at_or_above_mmhg")
    severe_d = value("MON-BP-SEVERE", "diastolic_at_or_above_mmhg")
    if (sbp is not None and sbp >= severe_s) or (dbp is not None and dbp >= severe_d):
        action = "notify the prescriber now"
        if state.route == IV_KETAMINE:
            # SAFE-BP-SEVERE: the infusion waits for the prescriber (nothing to pause once ended).
            action += "; pause the infusion pending prescriber review if it is still running"
        found.append(
            (
                "MON-BP-SEVERE",
                Level.CRITICAL,
                f"Blood pressure {bp} is at or above {pair(severe_s, severe_d)}: {action}.",
            )
        )
    return found


def _rise_text(pre_dose: Vitals, reading: Reading, settings: ClinicalSettings) -> str:
    rise_s = settings.value("MON-BP-RISE", "systolic_rise_at_or_above_mmhg")
    rise_d = settings.value("MON-BP-RISE", "diastolic_rise_at_or_above_mmhg")
    parts = []
    if reading.systolic is not None and pre_dose.systolic is not None:
        delta = reading.systolic - pre_dose.systolic
        if delta >= rise_s:
            parts.append(f"systolic +{delta} mmHg (flagged from +{rise_s:g})")
    if reading.diastolic is not None and pre_dose.diastolic is not None:
        delta = reading.diastolic - pre_dose.diastolic
        if delta >= rise_d:
            parts.append(f"diastolic +{delta} mmHg (flagged from +{rise_d:g})")
    if not parts:
        return ""
    return f"Blood pressure rose over pre-dose: {' and '.join(parts)}."


def _forty_minute_check(
    dose_at: dt.datetime,
    readings: tuple[Reading, ...],
    now: dt.datetime,
    settings: ClinicalSettings,
) -> Alert | None:
    # The reading is due at the schedule's first esketamine reading (MON-SCHEDULE-ESK, inside the
    # window by a consistency pair); the warning fires as soon as that time has passed, not only
    # when the window closes, and stops once a reading falls in the window. Readings are never
    # after `now` (MON-PLAUSIBILITY).
    opens_min = settings.value("MON-BP-40MIN", "window_opens_after_dose_min")
    closes_min = settings.value("MON-BP-40MIN", "window_closes_after_dose_min")
    check_min = settings.value("MON-SCHEDULE-ESK", "first_reading_after_dose_min")
    _, closes = forty_minute_window(dose_at, settings)
    due = dose_at + minutes(check_min)
    if now <= due or forty_minute_check_done(dose_at, readings, settings):
        return None
    check = f"the {check_min:g}-minute blood pressure check"
    if now <= closes:
        return Alert(
            "MON-BP-40MIN",
            Level.WARNING,
            now,
            f"{sentence_start(check)} is overdue (due at {due.isoformat()}, window {opens_min:g}-"
            f"{closes_min:g} min after the first device); measure blood pressure now.",
        )
    missed = (
        f"No complete blood pressure reading between {opens_min:g} and {closes_min:g} min after "
        f"the first device: the {check_min:g}-minute check was missed"
    )
    late = [r for r in readings if r.has_full_blood_pressure and closes < r.at <= now]
    if late:
        return Alert(
            "MON-BP-40MIN",
            Level.WARNING,
            closes,
            f"{missed}; the first complete blood pressure after it was taken at "
            f"{late[0].at.isoformat()}.",
        )
    return Alert("MON-BP-40MIN", Level.WARNING, now, f"{missed}; measure blood pressure now.")
