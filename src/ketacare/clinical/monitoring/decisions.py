"""Who may decide what at the chair, from the rules' own data (reference 3.5, 3.6, 4.4, 8).

- `PREDOSE_RULES`: the pre-dose rules of reference 3.5 (their alerts are facts of the pre-dose
  record, whatever moment `evaluate` gives them).
- `PRESCRIBER_DECIDABLE_HOLDS` / `undecidable_holds`: a hold that a prescriber may dose over with
  a recorded benefit/risk decision (SAFE-BP-HOLD, SAFE-SPO2-HOLD), and those nobody may
  (MON-REMS-ENROLLED: SAFE-REMS-GATE; MON-BP-PREDOSE-SEVERE: the critical hold of SAFE-BP-HOLD).
- `with_driving_instruction`: DISCH-ESCORT also needs the "no driving until the next day after a
  restful sleep" instruction (SAFE-NO-DRIVE).
- `side_effect_alert_level`: the level of SAFE-AE-GRADE's prescriber alert.
- `needs_acknowledgement`: which alerts ask for an acknowledgement (not the info ones).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ketacare.clinical.catalog.monitoring import _PRE_DOSE
from ketacare.clinical.monitoring.predose import HOLD_RULES
from ketacare.clinical.monitoring.results import (
    Alert,
    Criterion,
    CriterionStatus,
    Discharge,
    Level,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

PREDOSE_RULES: frozenset[str] = frozenset(rule.id for rule in _PRE_DOSE)

# SAFE-BP-HOLD: ">140/90 -> hold until a prescriber records a benefit/risk decision";
# SAFE-SPO2-HOLD is a warning-level hold of the same kind. The REMS gate (MON-REMS-ENROLLED) and
# the critical pre-dose hold (MON-BP-PREDOSE-SEVERE, >=180/110) are never dosed over: the vitals
# are taken again, or the session does not go ahead.
PRESCRIBER_DECIDABLE_HOLDS: frozenset[str] = frozenset({"MON-BP-HOLD", "MON-SPO2-HOLD"})

ESCORT = "DISCH-ESCORT"
SIDE_EFFECT_RULE = "SAFE-AE-GRADE"
# CTCAE v5.0 grade 4 is "life-threatening: urgent intervention indicated" (reference 4.4).
CTCAE_LIFE_THREATENING = 4

NO_DRIVING_SENTENCE = (
    "The patient has not been told that they must not drive or operate machinery until the next "
    "day after a restful sleep (SAFE-NO-DRIVE)."
)


def needs_acknowledgement(level: str) -> bool:
    """Whether an alert of `level` asks someone to acknowledge it with a note.

    Warning and critical alerts do (DISCH-ALERTS: every critical one before discharge); an info
    alert is information only (MON-DISSOCIATION "CADSS recorded: info only", DOSE-ESK-ALLOWED's
    28 mg note): shown and kept, never counted as open. `level` is a `Level` or its value (as
    the record keeps it); an unknown level asks for acknowledgement (the safe side).
    """
    return level != Level.INFO.value


def hold_alerts(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    """The alerts of the rules that hold dosing (MON-REMS-ENROLLED, MON-BP-HOLD,
    MON-BP-PREDOSE-SEVERE, MON-SPO2-HOLD)."""
    return tuple(alert for alert in alerts if alert.rule in HOLD_RULES)


def undecidable_holds(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    """The hold alerts no prescriber may dose over (MON-REMS-ENROLLED, MON-BP-PREDOSE-SEVERE):
    every hold rule but those of PRESCRIBER_DECIDABLE_HOLDS."""
    return tuple(
        alert for alert in hold_alerts(alerts) if alert.rule not in PRESCRIBER_DECIDABLE_HOLDS
    )


def overridable_unmet(discharge: Discharge) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The criteria that do not hold, split into those a prescriber may override
    (DISCH-OVERRIDE) and those nobody may (DISCH-ESK-MIN-TIME, SAFE-ESK-2H)."""
    unmet = [c for c in discharge.criteria if c.status is CriterionStatus.DOES_NOT_HOLD]
    return (
        tuple(c.rule for c in unmet if c.overridable),
        tuple(c.rule for c in unmet if not c.overridable),
    )


def with_driving_instruction(
    discharge: Discharge, *, instructed: bool, overrides: Collection[str] = frozenset()
) -> Discharge:
    """`discharge` where DISCH-ESCORT also needs the no-driving instruction (SAFE-NO-DRIVE).

    When the instruction was not given, a DISCH-ESCORT that held no longer does (or counts as
    overridden when DISCH-ESCORT is among `overrides`); `ready` and `reasons` follow.
    """
    if instructed:
        return discharge
    criteria: list[Criterion] = []
    for criterion in discharge.criteria:
        if criterion.rule == ESCORT:
            criterion = _escort_uninstructed(criterion, overridden=ESCORT in overrides)
        criteria.append(criterion)
    reasons = tuple(
        (c.rule, c.sentence) for c in criteria if c.status is CriterionStatus.DOES_NOT_HOLD
    )
    return Discharge(
        ready=not reasons, earliest=discharge.earliest, reasons=reasons, criteria=tuple(criteria)
    )


def _escort_uninstructed(criterion: Criterion, *, overridden: bool) -> Criterion:
    if criterion.status is not CriterionStatus.HOLDS:
        # Already not met, or overridden: the missing instruction is one more fact of it.
        sentence = f"{criterion.sentence} {NO_DRIVING_SENTENCE}"
        return Criterion(criterion.rule, criterion.status, criterion.overridable, sentence)
    if overridden:
        return Criterion(
            criterion.rule,
            CriterionStatus.OVERRIDDEN,
            criterion.overridable,
            f"Overridden by a prescriber (DISCH-OVERRIDE); not met: {NO_DRIVING_SENTENCE}",
        )
    return Criterion(
        criterion.rule, CriterionStatus.DOES_NOT_HOLD, criterion.overridable, NO_DRIVING_SENTENCE
    )


def side_effect_alert_level(
    grade: int, serious: bool, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> Level | None:
    """SAFE-AE-GRADE: the level of the prescriber's alert for a side effect, or None when the
    side effect does not notify the prescriber (below the notification grade and not serious).
    Critical when serious or life-threatening (CTCAE grade 4 or 5), else warning."""
    notify = int(settings.value(SIDE_EFFECT_RULE, "notify_prescriber_grade_at_least"))
    if not serious and grade < notify:
        return None
    if serious or grade >= CTCAE_LIFE_THREATENING:
        return Level.CRITICAL
    return Level.WARNING
