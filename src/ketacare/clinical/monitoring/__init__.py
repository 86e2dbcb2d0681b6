"""Session monitoring (clinical-reference.md 3.5-3.7): dosing go/hold, alerts, next reading,
discharge. `evaluate` is the one entry point; `parse_monitor_input` reads the contract's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ketacare.clinical.monitoring.decisions import (
    PREDOSE_RULES,
    PRESCRIBER_DECIDABLE_HOLDS,
    hold_alerts,
    needs_acknowledgement,
    overridable_unmet,
    side_effect_alert_level,
    undecidable_holds,
    with_driving_instruction,
)
from ketacare.clinical.monitoring.discharge import (
    check_overrides,
    criteria_of,
    earliest_discharge,
    evaluate_discharge,
)
from ketacare.clinical.monitoring.parse import MonitorInput, parse_monitor_input
from ketacare.clinical.monitoring.plausibility import check_plausible
from ketacare.clinical.monitoring.postdose import postdose_alerts
from ketacare.clinical.monitoring.predose import HOLD_RULES, dosing_decision, predose_alerts
from ketacare.clinical.monitoring.readings import (
    CHECKLIST_TIMES,
    ESKETAMINE,
    IV_KETAMINE,
    ORAL_KETAMINE,
    ROUTES,
    SYMPTOMS,
    Attestations,
    Checklist,
    Reading,
    SessionState,
    Vitals,
)
from ketacare.clinical.monitoring.results import (
    Alert,
    Criterion,
    CriterionStatus,
    Discharge,
    Dosing,
    Level,
    MonitorResult,
)
from ketacare.clinical.monitoring.schedule import next_reading_due
from ketacare.clinical.monitoring.stability import judgement_changes
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

__all__ = [
    "CHECKLIST_TIMES",
    "ESKETAMINE",
    "HOLD_RULES",
    "IV_KETAMINE",
    "ORAL_KETAMINE",
    "PREDOSE_RULES",
    "PRESCRIBER_DECIDABLE_HOLDS",
    "ROUTES",
    "SYMPTOMS",
    "Alert",
    "Attestations",
    "Checklist",
    "Criterion",
    "CriterionStatus",
    "Discharge",
    "Dosing",
    "Level",
    "MonitorInput",
    "MonitorResult",
    "Reading",
    "SessionState",
    "Vitals",
    "criteria_of",
    "earliest_discharge",
    "evaluate",
    "hold_alerts",
    "judgement_changes",
    "needs_acknowledgement",
    "next_reading_due",
    "overridable_unmet",
    "parse_monitor_input",
    "side_effect_alert_level",
    "undecidable_holds",
    "with_driving_instruction",
]


def evaluate(
    state: SessionState,
    *,
    now: dt.datetime,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
    overrides: Collection[str] = frozenset(),
) -> MonitorResult:
    """The state of one session at `now`: dosing, alerts, next reading due and discharge.

    Checks MON-PLAUSIBILITY (reference 3.7) first, then the pre-dose rules (MON-REMS-ENROLLED,
    MON-BP-HOLD, MON-BP-PREDOSE-SEVERE, MON-SPO2-HOLD decide `dosing`; MON-HR-PREDOSE,
    MON-FASTING, MON-NASAL-MEDS, MON-PREG-TEST, MON-ESCORT warn), the post-dose rules per reading
    and MON-BP-40MIN, the reading schedule (MON-SCHEDULE-*) and the DISCH-* criteria. Alerts are
    sorted by time, then rule id. `overrides` are DISCH-* ids a prescriber overrode with a
    written reason (DISCH-OVERRIDE); DISCH-ESK-MIN-TIME, or an id that is not a criterion of the
    route, raises `ClinicalInputError` on field `overrides`. Before dosing (`dose_at` None),
    `next_reading_due` and `discharge` are None.
    """
    check_plausible(state, now=now, settings=settings)
    check_overrides(state.route, overrides)
    pre = predose_alerts(state, now=now, settings=settings)
    post = postdose_alerts(state, now=now, settings=settings)
    alerts = tuple(sorted([*pre, *post], key=lambda alert: (alert.at, alert.rule)))
    dosing = dosing_decision(pre)
    if state.dose_at is None:
        return MonitorResult(dosing=dosing, alerts=alerts, next_reading_due=None, discharge=None)
    discharge = evaluate_discharge(
        state, state.dose_at, now=now, alerts=alerts, overrides=overrides, settings=settings
    )
    return MonitorResult(
        dosing=dosing,
        alerts=alerts,
        next_reading_due=next_reading_due(state, settings),
        discharge=discharge,
    )
