"""Errors of the chart's use cases.

Bad input is Django's `ValidationError` with a dict naming the field (422 in the API, a form error
on the pages). A change the record's state forbids is a `Conflict` (409): `StaleVersion` when
someone else saved first, `ChartConflict` for the rest (an already active condition, a resolved
one, a note already amended).
"""

from __future__ import annotations

from ketacare.api.errors import Conflict

STALE_VERSION_MESSAGE = "Someone else saved this record first; reload to see their change."


class StaleVersion(Conflict):
    def __init__(self, detail: str = STALE_VERSION_MESSAGE) -> None:
        super().__init__(detail, code="stale_version")


class ChartConflict(Conflict):
    pass
