"""Errors of the chair-side use cases.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form error
on the pages). A request the session's state forbids is a `ChairConflict` (409) with a stable
`code` from `ChairConflictCode`; `reasons` are the clinical rules that decided ("RULE-ID:
sentence"), as contracts.md 2.0 asks.
"""

from __future__ import annotations

from enum import StrEnum

from ketacare.api.errors import Conflict

STALE_VERSION_MESSAGE = "Someone else changed this record first; reload to see their change."


class ChairConflictCode(StrEnum):
    # Optimistic locking: the version sent is not the record's any more.
    STALE_VERSION = "stale_version"
    # Pre-dose checks and the dose happen on the session's date only.
    NOT_TODAY = "not_today"
    CANCELLED = "cancelled"
    # The session is past the step asked for (pre-dose after the dose, a second dose).
    ALREADY_DOSED = "already_dosed"
    # A discharged session no longer changes: amend it instead.
    DISCHARGED = "discharged"
    # Readings, counts and discharge need a dose; the dose needs the pre-dose record.
    NOT_DOSED = "not_dosed"
    NO_PRE_DOSE = "no_pre_dose"
    NOT_IN_CHAIR = "not_in_chair"
    # A required checklist item is missing (identity, consent, REMS enrolment).
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    # Dosing is on hold (MON-* hold rules) without a prescriber's decision to proceed.
    DOSING_HOLD = "dosing_hold"
    # A prescriber's decision was asked for where there is no hold, or over one nobody may decide.
    NO_HOLD = "no_hold"
    HOLD_NOT_DECIDABLE = "hold_not_decidable"
    # A clinical rule refused it (DOSE-ESK-MAX-FREQUENCY).
    RULE_REFUSED = "rule_refused"
    NO_ORDER = "no_order"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    # The controlled-substance count: none recorded, or already witnessed.
    NO_COUNT = "no_count"
    WITNESSED = "witnessed"
    DISCHARGE_CRITERIA_UNMET = "discharge_criteria_unmet"
    NOT_DISCHARGED = "not_discharged"


class ChairConflict(Conflict):
    def __init__(
        self, code: ChairConflictCode, detail: str, *, reasons: list[str] | None = None
    ) -> None:
        super().__init__(detail, code=code.value, reasons=reasons)


def stale_version() -> ChairConflict:
    return ChairConflict(ChairConflictCode.STALE_VERSION, STALE_VERSION_MESSAGE)
