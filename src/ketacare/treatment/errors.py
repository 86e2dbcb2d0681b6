"""Errors of the treatment use cases.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form error
on the pages; an order field is named `order.<field>`). A request the plan's or session's state
forbids is a `TreatmentConflict` (409) with a stable `code`; `reasons` are the clinical rules that
decided ("RULE-ID: sentence"), as contracts.md 2.0 asks.
"""

from __future__ import annotations

from enum import StrEnum

from ketacare.api.errors import Conflict

STALE_VERSION_MESSAGE = "Someone else changed this record first; reload to see their change."


class ConflictCode(StrEnum):
    # contracts.md 2.2: no plan unless the latest signed review for the route is `eligible`.
    NOT_ELIGIBLE = "not_eligible"
    # KetaCare policy (docs/treatment.md): one active plan per patient; end it before another.
    ACTIVE_PLAN = "active_plan"
    STALE_VERSION = "stale_version"
    # Moved or cancelled only while `scheduled`; orders and ending only on an active plan.
    NOT_SCHEDULED = "not_scheduled"
    PLAN_ENDED = "plan_ended"
    # A clinical rule refused the date or the order (PROT-*-SPACING, DOSE-ESK-MAX-FREQUENCY).
    RULE_REFUSED = "rule_refused"


class TreatmentConflict(Conflict):
    def __init__(
        self, code: ConflictCode, detail: str, *, reasons: list[str] | None = None
    ) -> None:
        super().__init__(detail, code=code.value, reasons=reasons)


def stale_version() -> TreatmentConflict:
    return TreatmentConflict(ConflictCode.STALE_VERSION, STALE_VERSION_MESSAGE)
