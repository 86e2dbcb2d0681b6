"""JSON API of the REMS Patient Monitoring Forms (contracts.md 2.3, SAFE-REMS-FORM), under /api/v1/.

    GET  /sessions/{id}/rems-form.pdf      the form of a discharged esketamine session (PDF)
    GET  /rems-forms?status=due|submitted  the clinic's forms (?clinic_id=&limit=&offset=)
    POST /rems-forms/{id}/submitted        mark a form submitted (`version` as read)

The PDF of a session of another route is a 404 (contracts 2.3); of an esketamine session not yet
discharged a 409 (the form is made at discharge: the session's state forbids it, contracts 2.0).
Another clinic's session or form is a 404, a role without the permission a 403, all audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from ketacare.api.acting import membership_for_clinic, membership_for_object
from ketacare.api.schemas import ConflictOut, Error, Invalid, Page, PageParams
from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_list_read
from ketacare.chair.models import RemsForm
from ketacare.chair.rems import (
    REMS_FORM,
    FormStatus,
    days_left,
    get_form_chair_for,
    get_rems_form_for,
    mark_rems_submitted,
    release_form_pdf,
    rems_forms_for,
)
from ketacare.chair.views_rems import pdf_response
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.treatment.models import TreatmentSession

router = Router(tags=["rems forms"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ConflictOut}

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The REMS Patient Monitoring Form (reference 3.2) as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class RemsFormOut(Schema):
    id: int
    session_id: int
    patient_id: int
    patient_name: str
    session_number: int
    session_date: dt.date
    due_on: dt.date = Field(description="The last day to submit it (SAFE-REMS-FORM).")
    days_left: int = Field(description="Days until `due_on`: 0 on the day, negative when late.")
    overdue: bool
    submitted_at: dt.datetime | None
    submitted_by: str | None
    pdf_url: str
    version: int


class RemsFormPage(Page[RemsFormOut]):
    pass


class RemsFormParams(PageParams):
    status: Literal["due", "submitted"] = Field(
        "due",
        description="`due`: not yet submitted, earliest deadline first; `submitted`: latest first.",
    )
    clinic_id: int | None = Field(None, description="Optional when you act for one clinic.")


class SubmittedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: StrictInt = Field(description="The form's version as read.")


def _form_out(form: RemsForm, today: dt.date) -> RemsFormOut:
    patient, session = form.patient, form.session
    left = days_left(form, today)
    return RemsFormOut(
        id=form.pk,
        session_id=form.session_id,
        patient_id=form.patient_id,
        patient_name=f"{patient.given_name} {patient.family_name}",
        session_number=session.number,
        session_date=session.date,
        due_on=form.due_on,
        days_left=left,
        overdue=form.submitted_at is None and left < 0,
        submitted_at=form.submitted_at,
        submitted_by=form.submitted_by.get_username() if form.submitted_by is not None else None,
        pdf_url=reverse("api:rems_form_pdf", kwargs={"session_id": form.session_id}),
        version=form.version,
    )


@router.get(
    "/sessions/{session_id}/rems-form.pdf",
    response={**ERRORS, 409: ConflictOut},
    url_name="rems_form_pdf",
    summary="The REMS Patient Monitoring Form of a discharged esketamine session, as a PDF",
    openapi_extra=PDF_RESPONSE,
)
def rems_form_pdf(request: HttpRequest, session_id: int) -> Any:
    membership = membership_for_object(request, TreatmentSession, session_id)
    chair = get_form_chair_for(membership, session_id, action=Action.EXPORT)
    return pdf_response(release_form_pdf(chair=chair, by=membership), chair.session.pk)  # type: ignore[arg-type]


@router.get(
    "/rems-forms",
    response={200: RemsFormPage, **ERRORS},
    summary="The clinic's REMS forms: due (earliest deadline first) or submitted (latest first)",
)
def list_rems_forms(request: HttpRequest, params: Query[RemsFormParams]) -> Any:
    membership = membership_for_clinic(
        request, params.clinic_id, location="query", object_type=REMS_FORM
    )
    require_role(membership, Permission.VIEW_SESSION, action=Action.READ, object_type=REMS_FORM)
    status = FormStatus(params.status)
    forms = rems_forms_for(membership, status)
    count = forms.count()
    rows = list(forms[params.offset : params.offset + params.limit])
    # Names are shown: the ids of the patients let the audit report find this read under each.
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"rems_forms status={status} offset={params.offset} shown={len(rows)} total={count}",
    )
    today = timezone.localdate()
    return Status(200, RemsFormPage(items=[_form_out(f, today) for f in rows], count=count))


@router.post(
    "/rems-forms/{form_id}/submitted",
    response={200: RemsFormOut, **WRITE_ERRORS},
    summary="Mark a REMS form submitted to the REMS (`version` as read)",
)
def mark_rems_form_submitted(request: HttpRequest, form_id: int, payload: SubmittedIn) -> Any:
    membership = membership_for_object(request, RemsForm, form_id)
    form = get_rems_form_for(
        membership,
        form_id,
        permission=Permission.SUBMIT_REMS_FORM,
        action=Action.UPDATE,
        audit_read=False,
    )
    marked = mark_rems_submitted(form=form, version=payload.version, by=membership)  # type: ignore[arg-type]
    return Status(200, _form_out(marked, timezone.localdate()))
