""" "Send now": a person asks for a timepoint's link to be e-mailed to the patient at once.

The request is checked and audited here; the e-mail itself is the background job of
`ketacare.outcomes.delivery` (with the database queue it runs when `ketacare worker` picks it
up; with the immediate backend of the tests, before this returns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped_get
from ketacare.outcomes.delivery import send_invitation
from ketacare.outcomes.followup import TIMEPOINT_OBJECT_TYPE
from ketacare.outcomes.models import Audience, Timepoint

SEND_REQUEST_OBJECT_TYPE = "assessment_send_request"

ANSWERED = "This scale has been answered; there is nothing to send."
CLINICIAN_SCALE = "This scale is for the clinician to rate; it is never sent to the patient."
INACTIVE_PATIENT = "The patient's record is inactive; nothing is sent."


@dataclass(frozen=True)
class SendRequest:
    """What became of a "send now": queued (the worker sends it) or already done."""

    job_id: str
    timepoint_id: int
    status: str  # "queued", "sent", "failed" or "skipped"
    delivery_id: int | None
    error: str


def send_link_now(*, by: Membership, timepoint_id: object, site_url: str) -> SendRequest:
    """Queue the e-mail of a new link for the timepoint (replacing any open one).

    Another clinic's timepoint is a 404, a role without send_assessment_link a 403, an answered
    or clinician timepoint or an inactive patient a 409 (`Conflict`)."""
    with transaction.atomic(durable=True):
        timepoint = scoped_get(
            Timepoint.objects.select_related("patient"),
            by,
            timepoint_id,
            object_type=TIMEPOINT_OBJECT_TYPE,
            action=Action.CREATE,
        )
        require_role(
            by,
            Permission.SEND_ASSESSMENT_LINK,
            action=Action.CREATE,
            object_type=TIMEPOINT_OBJECT_TYPE,
            object_id=timepoint.pk,
            patient_id=timepoint.patient_id,
        )
        if timepoint.audience != Audience.PATIENT:
            raise Conflict(CLINICIAN_SCALE, code="clinician_scale")
        if timepoint.assessment_id is not None:
            raise Conflict(ANSWERED, code="answered")
        if not timepoint.patient.is_active:
            raise Conflict(INACTIVE_PATIENT, code="inactive_patient")
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=SEND_REQUEST_OBJECT_TYPE,
            object_id=timepoint.pk,
            patient_id=timepoint.patient_id,
            detail=f"instrument={timepoint.instrument}",
        )
    # Queued after the commit: the immediate backend runs the job here and now, and the job
    # opens its own transactions.
    result = send_invitation.enqueue(
        timepoint_id=timepoint.pk, site_url=site_url, requested_by_id=by.pk
    )
    return _outcome(result, timepoint.pk)


def _outcome(result: Any, timepoint_id: int) -> SendRequest:
    if result.status == TaskResultStatus.SUCCESSFUL:
        done = result.return_value
        return SendRequest(
            job_id=str(result.id),
            timepoint_id=timepoint_id,
            status=str(done["status"]),
            delivery_id=done["delivery_id"],
            error=str(done.get("reason", "")),
        )
    if result.status == TaskResultStatus.FAILED:
        return SendRequest(
            job_id=str(result.id),
            timepoint_id=timepoint_id,
            status="failed",
            delivery_id=None,
            error="The e-mail job failed; see the worker's log.",
        )
    return SendRequest(
        job_id=str(result.id),
        timepoint_id=timepoint_id,
        status="queued",
        delivery_id=None,
        error="",
    )
