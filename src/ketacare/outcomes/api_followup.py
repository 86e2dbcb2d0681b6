"""JSON API of the follow-up list and "send now", mounted under /api/v1/ (the page
/outcomes/follow-up/ calls the same query and service).

- `GET /follow-up?status=due|overdue|answered|failed&instrument=&clinic_id=&limit=&offset=`:
  the list contract `{items, count}`; status only, never a score.
- `POST /timepoints/{id}/send`: e-mail the patient a new link for the timepoint. 201 with the
  delivery when the job already ran (it says whether the e-mail was sent or failed, and why);
  202 with the job's id when it waits in the queue for `ketacare worker`.

Another clinic's timepoint is a 404, a role without the permission a 403, an answered or a
clinician's timepoint a 409, a bad filter a 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ketacare.api.acting import membership_for_clinic, membership_for_object_or_404
from ketacare.api.lists import read_page
from ketacare.api.schemas import Error, Invalid, Page, PageParams
from ketacare.audit.models import Action
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.followup import (
    FOLLOWUP_LIST_OBJECT_TYPE,
    TIMEPOINT_OBJECT_TYPE,
    FollowUpStatus,
    failed_deliveries_for,
    timepoints_for,
)
from ketacare.outcomes.links import LINK_INSTRUMENTS
from ketacare.outcomes.models import Delivery, Timepoint
from ketacare.outcomes.services_delivery import send_link_now

router = Router(tags=["Long-term results"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}


class FollowUpDeliveryOut(Schema):
    id: int
    kind: Literal["invitation", "reminder"]
    status: Literal["queued", "sent", "failed"]
    error: str = Field(description="Why it failed (the kind of failure; never the address).")
    created_at: dt.datetime


class FollowUpItemOut(Schema):
    timepoint_id: int | None
    patient_id: int
    instrument: str
    kind: str | None = Field(description="The timepoint's kind (baseline, weekly, ...).")
    due_on: dt.date | None
    status: FollowUpStatus
    answered_at: dt.datetime | None
    link_expires_at: dt.datetime | None = Field(description="The open link's expiry, if any.")
    last_delivery: FollowUpDeliveryOut | None


class FollowUpPage(Page[FollowUpItemOut]):
    pass


class SendOut(Schema):
    job_id: str
    timepoint_id: int
    status: Literal["queued", "sent", "failed", "skipped"]
    delivery_id: int | None
    error: str


@router.get(
    "/follow-up",
    response={200: FollowUpPage, **ERRORS},
    summary="Patient scales due, overdue, answered lately, or failed e-mails (status only)",
)
def list_follow_up(
    request: HttpRequest,
    *,
    status: FollowUpStatus = FollowUpStatus.DUE,
    instrument: Literal[LINK_INSTRUMENTS] | None = None,  # type: ignore[valid-type]
    clinic_id: int | None = None,
    page: Query[PageParams],
) -> Status[object]:
    by = membership_for_clinic(
        request, clinic_id, location="query", object_type=FOLLOWUP_LIST_OBJECT_TYPE
    )
    require_role(
        by, Permission.VIEW_FOLLOWUP, action=Action.READ, object_type=FOLLOWUP_LIST_OBJECT_TYPE
    )
    detail = f"status={status} instrument={instrument or 'all'}"
    if status == FollowUpStatus.FAILED:
        failed, count = read_page(
            failed_deliveries_for(by, instrument=instrument or ""),
            page,
            membership=by,
            object_type=FOLLOWUP_LIST_OBJECT_TYPE,
            detail=detail,
        )
        items = [_failed_item(delivery) for delivery in failed]
    else:
        rows, count = read_page(
            timepoints_for(by, status, instrument=instrument or ""),
            page,
            membership=by,
            object_type=FOLLOWUP_LIST_OBJECT_TYPE,
            detail=detail,
        )
        items = [_timepoint_item(row, status) for row in rows]
    return Status(200, FollowUpPage(items=items, count=count))


def _timepoint_item(row: Timepoint, status: FollowUpStatus) -> FollowUpItemOut:
    annotated: Any = row
    last = None
    if annotated.delivery_id is not None:
        # The latest e-mail, from the list's subqueries (no query per row).
        last = FollowUpDeliveryOut(
            id=annotated.delivery_id,
            kind=annotated.delivery_kind,
            status=annotated.delivery_status,
            error=annotated.delivery_error,
            created_at=annotated.delivery_at,
        )
    return FollowUpItemOut(
        timepoint_id=row.pk,
        patient_id=row.patient_id,
        instrument=row.instrument,
        kind=row.kind,
        due_on=row.due_on,
        status=status,
        answered_at=row.assessment.completed_at if row.assessment_id else None,
        link_expires_at=annotated.link_expires_at,
        last_delivery=last,
    )


def _failed_item(delivery: Delivery) -> FollowUpItemOut:
    timepoint = delivery.link.timepoint
    return FollowUpItemOut(
        timepoint_id=timepoint.pk if timepoint else None,
        patient_id=delivery.patient_id,
        instrument=delivery.link.instrument,
        kind=timepoint.kind if timepoint else None,
        due_on=timepoint.due_on if timepoint else None,
        status=FollowUpStatus.FAILED,
        answered_at=None,
        link_expires_at=None,
        last_delivery=FollowUpDeliveryOut.model_validate(delivery, from_attributes=True),
    )


@router.post(
    "/timepoints/{timepoint_id}/send",
    response={201: SendOut, 202: SendOut, 409: Error, **ERRORS},
    summary="E-mail the patient a new link for this timepoint now",
)
def send_timepoint(request: HttpRequest, timepoint_id: int) -> Status[object]:
    by = membership_for_object_or_404(
        request, Timepoint, timepoint_id, object_type=TIMEPOINT_OBJECT_TYPE, action=Action.CREATE
    )
    sent = send_link_now(by=by, timepoint_id=timepoint_id, site_url=request.build_absolute_uri("/"))
    out = SendOut(
        job_id=sent.job_id,
        timepoint_id=sent.timepoint_id,
        status=sent.status,  # type: ignore[arg-type]
        delivery_id=sent.delivery_id,
        error=sent.error,
    )
    return Status(202 if sent.status == "queued" else 201, out)
