"""Discharge criteria of reference 3.6: `ready` only when every criterion of the route holds.

Discharge needs positive evidence (contracts.md): a criterion whose data is absent does not hold
and is named in the reasons. A prescriber may override any criterion but DISCH-ESK-MIN-TIME
(DISCH-OVERRIDE, SAFE-ESK-2H); the written reason is kept by the caller, which audits it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring.readings import (
    ESKETAMINE,
    IV_KETAMINE,
    Reading,
    SessionState,
    Vitals,
)
from ketacare.clinical.monitoring.results import (
    Alert,
    Criterion,
    CriterionStatus,
    Discharge,
    Level,
)
from ketacare.clinical.monitoring.units import blood_pressure_text, minutes, pair
from ketacare.clinical.rules import REGISTRY, ClinicalSettings

_MIN_TIME = {
    ESKETAMINE: "DISCH-ESK-MIN-TIME",
    IV_KETAMINE: "DISCH-IV-MIN-TIME",
    "oral_ketamine": "DISCH-ORAL-MIN-TIME",
}
# The table order of reference 3.6, which is also the order of `reasons`.
_SHARED = (
    "DISCH-BP",
    "DISCH-SEDATION",
    "DISCH-RESP",
    "DISCH-DISSOCIATION",
    "DISCH-ALERTS",
    "DISCH-ESCORT",
)


def criteria_of(route: str) -> tuple[str, ...]:
    """The DISCH-* rule ids that decide discharge on `route`, in the reference's table order."""
    return (_MIN_TIME[route], *_SHARED)


def check_overrides(route: str, overrides: Collection[str]) -> None:
    """Refuse overrides that DISCH-OVERRIDE does not allow: DISCH-ESK-MIN-TIME (SAFE-ESK-2H),
    or any id that is not a discharge criterion of the route."""
    allowed = criteria_of(route)
    if (
        isinstance(overrides, str)
        or not isinstance(overrides, Collection)
        or not all(isinstance(rule_id, str) for rule_id in overrides)
    ):
        raise ClinicalInputError("overrides", "overrides must be a collection of DISCH-* rule ids.")
    for rule_id in sorted(overrides):
        if rule_id in REGISTRY and not REGISTRY[rule_id].overridable:
            raise ClinicalInputError(
                "overrides",
                f"{rule_id} cannot be overridden: the minimum observation time is a REMS "
                "requirement (DISCH-OVERRIDE, SAFE-ESK-2H)."
                if rule_id == "DISCH-ESK-MIN-TIME"
                else f"{rule_id} cannot be overridden (DISCH-OVERRIDE).",
            )
        if rule_id not in allowed:
            raise ClinicalInputError(
                "overrides",
                f"overrides: {rule_id!r} is not a discharge criterion of {route}; "
                f"choose from {', '.join(allowed)}.",
            )


def infusion_duration(state: SessionState, settings: ClinicalSettings) -> float:
    """The IV infusion duration in minutes: as recorded, else DOSE-IV-DURATION's default (40,
    the contract's default)."""
    if state.infusion_duration_min is not None:
        return state.infusion_duration_min
    return settings.value("DOSE-IV-DURATION", "default_min")


def earliest_discharge(
    state: SessionState, dose_at: dt.datetime, settings: ClinicalSettings
) -> dt.datetime:
    """The minimum-time criterion's time: DISCH-ESK-MIN-TIME, DISCH-IV-MIN-TIME (infusion end +
    60 min) or DISCH-ORAL-MIN-TIME."""
    if state.route == IV_KETAMINE:
        after = settings.value("DISCH-IV-MIN-TIME", "after_infusion_min")
        return dose_at + minutes(infusion_duration(state, settings)) + minutes(after)
    return dose_at + minutes(settings.value(_MIN_TIME[state.route], "minimum_after_dose_min"))


def evaluate_discharge(
    state: SessionState,
    dose_at: dt.datetime,
    *,
    now: dt.datetime,
    alerts: tuple[Alert, ...],
    overrides: Collection[str],
    settings: ClinicalSettings,
) -> Discharge:
    """Judge every DISCH-* criterion of the route at `now` (reference 3.6).

    DISCH-ESK-MIN-TIME / DISCH-IV-MIN-TIME / DISCH-ORAL-MIN-TIME, DISCH-BP, DISCH-SEDATION,
    DISCH-RESP, DISCH-DISSOCIATION, DISCH-ALERTS and DISCH-ESCORT; an overridden criterion
    (DISCH-OVERRIDE) counts as met. `overrides` must have passed `check_overrides`.
    """
    earliest = earliest_discharge(state, dose_at, settings)
    readings = state.readings_in_time_order()
    judges: dict[str, Callable[[], tuple[bool, str]]] = {
        _MIN_TIME[state.route]: lambda: _min_time(state.route, earliest, now, settings),
        "DISCH-BP": lambda: _blood_pressure(readings, now, settings),
        "DISCH-SEDATION": lambda: _sedation(state, readings, settings),
        "DISCH-RESP": lambda: _respiration(readings, settings),
        "DISCH-DISSOCIATION": lambda: _dissociation(state),
        "DISCH-ALERTS": lambda: _alerts(state, alerts),
        "DISCH-ESCORT": lambda: _escort(state),
    }
    criteria = []
    for rule_id in criteria_of(state.route):
        holds, sentence = judges[rule_id]()
        if holds:
            status = CriterionStatus.HOLDS
        elif rule_id in overrides:
            status = CriterionStatus.OVERRIDDEN
            sentence = f"Overridden by a prescriber (DISCH-OVERRIDE); not met: {sentence}"
        else:
            status = CriterionStatus.DOES_NOT_HOLD
        criteria.append(Criterion(rule_id, status, REGISTRY[rule_id].overridable, sentence))
    reasons = tuple(
        (c.rule, c.sentence) for c in criteria if c.status is CriterionStatus.DOES_NOT_HOLD
    )
    return Discharge(
        ready=not reasons, earliest=earliest, reasons=reasons, criteria=tuple(criteria)
    )


def _min_time(
    route: str, earliest: dt.datetime, now: dt.datetime, settings: ClinicalSettings
) -> tuple[bool, str]:
    if now >= earliest:
        return True, f"The minimum observation time ended at {earliest.isoformat()}."
    if route == IV_KETAMINE:
        after = settings.value("DISCH-IV-MIN-TIME", "after_infusion_min")
        need = f"IV ketamine needs {after:g} min of observation after the infusion ends"
    elif route == ESKETAMINE:
        total = settings.value("DISCH-ESK-MIN-TIME", "minimum_after_dose_min")
        need = f"Esketamine needs at least {total:g} min of observation after the first device"
    else:
        total = settings.value("DISCH-ORAL-MIN-TIME", "minimum_after_dose_min")
        need = f"Oral ketamine needs at least {total:g} min of observation after the dose"
    return False, f"{need}; discharge is possible from {earliest.isoformat()}."


def latest_readings(
    readings: tuple[Reading, ...], has_value: Callable[[Reading], bool]
) -> tuple[Reading, ...]:
    """The readings (in time order) at the latest time one of them has the value asked for.

    Usually one reading; several when charted at the same minute, and then they are taken
    together, the worse value counting: a later reading is never passed over for an earlier one
    that looks better (DISCH-BP, DISCH-SEDATION, DISCH-RESP).
    """
    with_value = [r for r in readings if has_value(r)]
    if not with_value:
        return ()
    last = with_value[-1].at
    return tuple(r for r in with_value if r.at == last)


def _blood_pressure(
    readings: tuple[Reading, ...], now: dt.datetime, settings: ClinicalSettings
) -> tuple[bool, str]:
    # DISCH-BP judges the latest reading with any blood pressure value: a later single value
    # (say systolic 185 alone) must not leave an earlier complete pair in charge. Values charted
    # at that same minute are taken together, the higher of each kept.
    within = settings.value("DISCH-BP", "reading_within_min")
    latest = latest_readings(readings, lambda r: r.has_blood_pressure)
    if not latest or now - latest[-1].at > minutes(within):
        return False, (
            f"No complete blood pressure reading in the last {within:g} min; measure it before "
            "discharge."
        )
    pressure = Vitals(
        systolic=max((r.systolic for r in latest if r.systolic is not None), default=None),
        diastolic=max((r.diastolic for r in latest if r.diastolic is not None), default=None),
    )
    if pressure.systolic is None or pressure.diastolic is None:
        return False, _incomplete_sentence(latest[-1].at, pressure, settings)
    return _judge_pressure(pressure.systolic, pressure.diastolic, readings, settings)


def _incomplete_sentence(at: dt.datetime, pressure: Vitals, settings: ClinicalSettings) -> str:
    sentence = (
        f"The latest blood pressure reading ({at.isoformat()}) has only "
        f"{blood_pressure_text(pressure)}; a complete blood pressure, systolic and diastolic, "
        "is needed before discharge"
    )
    cap_s = settings.value("DISCH-BP", "systolic_below_mmhg")
    cap_d = settings.value("DISCH-BP", "diastolic_below_mmhg")
    if pressure.systolic is not None and pressure.systolic >= cap_s:
        sentence += f", and its systolic {pressure.systolic} mmHg is not below {cap_s:g}"
    if pressure.diastolic is not None and pressure.diastolic >= cap_d:
        sentence += f", and its diastolic {pressure.diastolic} mmHg is not below {cap_d:g}"
    return sentence + "."


def _judge_pressure(
    sbp: int, dbp: int, readings: tuple[Reading, ...], settings: ClinicalSettings
) -> tuple[bool, str]:
    value = settings.value
    bp = f"{sbp}/{dbp} mmHg"
    normal_s = value("DISCH-BP", "systolic_at_or_below_mmhg")
    normal_d = value("DISCH-BP", "diastolic_at_or_below_mmhg")
    if sbp <= normal_s and dbp <= normal_d:
        return True, f"Blood pressure {bp} is at or below {pair(normal_s, normal_d)}."
    peak_s = max(r.systolic for r in readings if r.systolic is not None)
    peak_d = max(r.diastolic for r in readings if r.diastolic is not None)
    cap_s = value("DISCH-BP", "systolic_below_mmhg")
    cap_d = value("DISCH-BP", "diastolic_below_mmhg")
    falling = sbp < peak_s and dbp < peak_d
    if falling and sbp < cap_s and dbp < cap_d:
        return True, (
            f"Blood pressure {bp} is below the post-dose peak {peak_s}/{peak_d} in both values "
            f"and below {pair(cap_s, cap_d)}."
        )
    if falling:
        return False, f"Blood pressure {bp} is not below {pair(cap_s, cap_d)}."
    return False, (
        f"Blood pressure {bp} is above {pair(normal_s, normal_d)} and not below the post-dose "
        f"peak {peak_s}/{peak_d} in both values."
    )


def _sedation(
    state: SessionState, readings: tuple[Reading, ...], settings: ClinicalSettings
) -> tuple[bool, str]:
    latest = latest_readings(readings, lambda r: r.moaas is not None)
    if not latest:
        return False, "No MOAA/S recorded after dosing; sedation must be shown to have resolved."
    score = min(r.moaas for r in latest if r.moaas is not None)
    wanted = settings.value("DISCH-SEDATION", "moaas_at_or_above")
    baseline = state.pre_dose.moaas
    if score >= wanted or (baseline is not None and score >= baseline):
        return True, f"Latest MOAA/S is {score}: sedation has resolved."
    before = f" or the pre-dose score {baseline}" if baseline is not None else ""
    return False, f"Latest MOAA/S is {score}; discharge needs {wanted:g}{before}."


def _respiration(readings: tuple[Reading, ...], settings: ClinicalSettings) -> tuple[bool, str]:
    value = settings.value
    latest = latest_readings(readings, lambda r: r.spo2 is not None)
    if not latest:
        return False, "No SpO2 recorded after dosing; respiration must be shown to be stable."
    spo2 = min(r.spo2 for r in latest if r.spo2 is not None)
    # "No open respiratory alert": the latest values must not still trigger MON-SPO2-LOW,
    # MON-SPO2-CRITICAL or MON-RR-LOW, whatever a clinic configured for them.
    wanted = max(
        value("DISCH-RESP", "spo2_at_or_above_percent"),
        value("MON-SPO2-LOW", "spo2_below_percent"),
        value("MON-SPO2-CRITICAL", "spo2_below_percent"),
    )
    if spo2 < wanted:
        return False, f"Latest SpO2 {spo2}% is below {wanted:g}%."
    with_rate = latest_readings(readings, lambda r: r.respiratory_rate is not None)
    rates = [r.respiratory_rate for r in with_rate if r.respiratory_rate is not None]
    rate_below = value("MON-RR-LOW", "respiratory_rate_below_per_min")
    if rates and min(rates) < rate_below:
        return False, (
            f"Latest respiratory rate {min(rates)}/min is below {rate_below:g}/min (MON-RR-LOW)."
        )
    return True, f"Latest SpO2 is {spo2}% and no respiratory alert is open."


def _dissociation(state: SessionState) -> tuple[bool, str]:
    if state.attestations.dissociation_resolved is True:
        return True, "A clinician attested that dissociation has resolved."
    return False, "No clinician has attested that dissociation has resolved."


def _alerts(state: SessionState, alerts: tuple[Alert, ...]) -> tuple[bool, str]:
    critical = sum(1 for alert in alerts if alert.level is Level.CRITICAL)
    if critical == 0:
        return True, "No critical alert was raised."
    if state.attestations.critical_alerts_acknowledged is True:
        return True, "Every critical alert is acknowledged with a note."
    return False, (
        f"Critical alerts raised this session ({critical}) are not acknowledged with a note."
    )


def _escort(state: SessionState) -> tuple[bool, str]:
    if state.checklist.escort_confirmed is True:
        return True, "An escort is confirmed and the no-driving instruction is recorded."
    return False, (
        "No escort is confirmed: someone else must take the patient home, and the patient must "
        "not drive until the next day after a restful sleep."
    )
