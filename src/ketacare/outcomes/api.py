"""JSON API of outcome alerts (contracts.md 2.0 and 2.4), mounted under /api/v1/.

The paths are `/outcome-alerts...`: `POST /alerts/{id}/acknowledge` is the chair's (contracts.md
2.3, a session's monitoring alert), and an outcome alert is a different record.

`GET /outcome-alerts` acts for the clinic named by `clinic_id` (optional when the caller works
for one clinic only); `POST /outcome-alerts/{id}/acknowledge` for the clinic of the alert in the
path, so another clinic's alert is a 404 whatever the role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ketacare.api.acting import membership_for_clinic, membership_for_object_or_404
from ketacare.api.lists import read_page
from ketacare.api.schemas import ConflictOut, Error, Invalid, Page, PageParams
from ketacare.audit.models import Action
from ketacare.outcomes.models import OutcomeAlert
from ketacare.outcomes.services_alerts import (
    ALERT,
    NOTE_MAX_CHARS,
    acknowledge_alert,
    alerts_for,
)

router = Router(tags=["Long-term results"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}


class AlertOut(Schema):
    id: int
    patient_id: int
    kind: str
    rule_id: str
    urgency: str = Field(description="`now`, `today`, `next_contact`; empty for early warnings.")
    message: str
    assessment_id: int
    raised_at: dt.datetime
    acknowledged: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    note: str


class AlertPage(Page[AlertOut]):
    pass


class AcknowledgeIn(Schema):
    note: str = Field(description=f"What was done; required, at most {NOTE_MAX_CHARS} characters.")


def _out(alert: OutcomeAlert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        patient_id=alert.patient_id,  # type: ignore[attr-defined]
        kind=alert.kind,
        rule_id=alert.rule_id,
        urgency=alert.urgency,
        message=alert.message,
        assessment_id=alert.assessment_id,  # type: ignore[attr-defined]
        raised_at=alert.raised_at,
        acknowledged=alert.acknowledged_at is not None,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by_id=alert.acknowledged_by_id,  # type: ignore[attr-defined]
        note=alert.note,
    )


@router.get(
    "/outcome-alerts",
    response={200: AlertPage, **ERRORS},
    summary="The clinic's outcome alerts (open ones with ?open=true), urgent first",
)
def list_alerts(
    request: HttpRequest,
    *,
    clinic_id: int | None = None,
    open: bool = True,  # the contract names it so
    page: Query[PageParams],
) -> Status[object]:
    by = membership_for_clinic(request, clinic_id, location="query", object_type=ALERT)
    rows, count = read_page(
        alerts_for(by, only_open=open),
        page,
        membership=by,
        object_type=ALERT,
        detail=f"open={str(open).lower()}",
    )
    return Status(200, AlertPage(items=[_out(row) for row in rows], count=count))


@router.post(
    "/outcome-alerts/{alert_id}/acknowledge",
    response={200: AlertOut, 409: ConflictOut, **ERRORS},
    summary="Acknowledge an alert with a note (once)",
)
def acknowledge(request: HttpRequest, alert_id: int, payload: AcknowledgeIn) -> AlertOut:
    by = membership_for_object_or_404(
        request, OutcomeAlert, alert_id, object_type=ALERT, action=Action.UPDATE
    )
    return _out(acknowledge_alert(by=by, alert_id=alert_id, note=payload.note))
