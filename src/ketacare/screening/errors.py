"""Errors of the eligibility review.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form error
on the pages). A request the chart's state forbids is a `ReviewConflict` (an API `Conflict`, 409)
with a stable code; `reasons` are the clinical rules that decided ("RULE-ID: sentence").
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from ketacare.api.errors import Conflict


class ConflictCode(StrEnum):
    # SAFE-ABS-EXCLUSION: `eligible` over a screen with an exclusion.
    EXCLUDED = "excluded"
    # The page's screen is no longer the chart's: the prescriber must look again.
    SCREEN_CHANGED = "screen_changed"
    # The chart holds a value the clinical core refuses (e.g. an implausible stored reading).
    CHART_NOT_SCREENABLE = "chart_not_screenable"


class ReviewConflict(Conflict):
    """A 409 (`ketacare.api.errors`); `field` names the form field the page shows it on."""

    def __init__(
        self, code: ConflictCode, message: str, *, reasons: Sequence[str] = (), field: str = ""
    ) -> None:
        super().__init__(message, code=code.value, reasons=list(reasons))
        self.conflict_code = code
        self.message = message
        self.field = field
