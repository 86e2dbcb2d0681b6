"""Discharge criteria of reference 3.6: `ready` only when every criterion of the route holds.

Discharge needs positive evidence (contracts.md): a criterion whose data is absent does not hold
and is named in the reasons. A prescriber may override any criterion but DISCH-ESK-MIN-TIME
(DISCH-OVERRIDE, SAFE-ESK-2H); the written reason is kept by the caller, which audits it.

The vital-sign criteria (DISCH-BP, DISCH-SEDATION, DISCH-RESP) live in `discharge_vitals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring.discharge_vitals import (
    blood_pressure_criterion,
    respiration_criterion,
    sedation_criterion,
)
from ketacare.clinical.monitoring.readings import (
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    SessionState,
)
from ketacare.clinical.monitoring.results import (
    Alert,
    Criterion,
    CriterionStatus,
    Discharge,
    Level,
)
from ketacare.clinical.monitoring.units import minutes
from ketacare.clinical.rules import REGISTRY, ClinicalSettings

_MIN_TIME = {
    ESKETAMINE: "DISCH-ESK-MIN-TIME",
    IV_KETAMINE: "DISCH-IV-MIN-TIME",
    ORAL_KETAMINE: "DISCH-ORAL-MIN-TIME",
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
        "DISCH-BP": lambda: blood_pressure_criterion(readings, now, settings),
        "DISCH-SEDATION": lambda: sedation_criterion(state, readings, now, settings),
        "DISCH-RESP": lambda: respiration_criterion(readings, now, settings),
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
