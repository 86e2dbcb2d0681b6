"""JSON API of the intake queue (contracts.md 2.0 and 2.5, staff side), mounted under /api/v1/.

`GET /intake-requests` and `POST /intake-requests` act for the clinic named by `clinic_id`,
which may be left out when the caller works for one clinic only (as `POST /patients`). The
other endpoints act for the clinic of the request in the path. The same service functions as
the pages: a role without the permission is a 403, another clinic's request a 404, a stale
`version` or a move the workflow refuses a 409, bad input a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ketacare.api.acting import membership_for_clinic, membership_for_object_or_404
from ketacare.api.lists import read_page
from ketacare.api.schemas import Error, Invalid, Page, PageParams
from ketacare.audit.models import Action
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.intake.models import IntakeRequest, IntakeSource, IntakeStatus
from ketacare.intake.queries import (
    INTAKE_LIST_OBJECT_TYPE,
    INTAKE_OBJECT_TYPE,
    get_intake_request_for,
    intake_requests_for,
    require_intake_permission,
)
from ketacare.intake.services import (
    MESSAGE_MAX_CHARS,
    change_intake_status,
    create_intake_request,
    register_patient_from_intake,
)
from ketacare.patients.models import Diagnosis, PreferredContact, SexAtBirth

router = Router(tags=["intake"])

VERSION_MAX = 2**31 - 1


class IntakeRequestOut(Schema):
    id: int
    clinic_id: int
    source: IntakeSource = Field(description="`staff` (entered at the clinic) or `public`.")
    name: str
    email: str
    phone: str
    preferred_contact: PreferredContact
    best_time: str
    message: str
    self_check: dict[str, Any] | None = Field(
        description="The public self-check the person attached, as submitted (or null)."
    )
    status: IntakeStatus
    closed_reason: str
    patient_id: int | None = Field(description="The patient registered from this request.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class IntakeRequestPage(Page[IntakeRequestOut]):
    pass


class IntakeRequestCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    clinic_id: int | None = Field(None, description="Optional when you work for one clinic.")
    name: str = Field(max_length=200)
    email: str | None = Field(None, max_length=254, description="E-mail or phone, or both.")
    phone: str | None = Field(None, max_length=30)
    preferred_contact: PreferredContact
    best_time: str | None = Field(None, max_length=100)
    message: str | None = Field(None, max_length=MESSAGE_MAX_CHARS)


class IntakeRequestPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=VERSION_MAX, description="The version you read.")
    status: IntakeStatus
    closed_reason: str | None = Field(
        None, max_length=300, description="Required when `status` is `closed`, refused otherwise."
    )


class RegisterPatientIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=VERSION_MAX, description="The request's version you read.")
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: dt.date
    sex_at_birth: SexAtBirth
    email: str | None = Field(None, max_length=254, description="Left out: the request's.")
    phone: str | None = Field(None, max_length=30, description="Left out: the request's.")
    mrn: str = Field("", max_length=32, description="Empty: the clinic assigns one.")
    diagnosis: Diagnosis | None = None


class RegisteredOut(Schema):
    patient_id: int
    intake_request: IntakeRequestOut


def _out(intake_request: IntakeRequest) -> IntakeRequestOut:
    return IntakeRequestOut.model_validate(intake_request, from_attributes=True)


def _acting_for_request(request: HttpRequest, intake_request_id: int, action: Action) -> Membership:
    """The caller's membership in the clinic of the request in the path; 404 when none."""
    return membership_for_object_or_404(
        request, IntakeRequest, intake_request_id, object_type=INTAKE_OBJECT_TYPE, action=action
    )


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}


@router.get(
    "/intake-requests",
    response={200: IntakeRequestPage, **ERRORS},
    summary="The clinic's intake queue, newest first",
)
def list_intake_requests(
    request: HttpRequest,
    *,
    clinic_id: int | None = None,
    status: IntakeStatus | None = None,
    page: Query[PageParams],
) -> Status[object]:
    by = membership_for_clinic(request, clinic_id, location="query", object_type=INTAKE_OBJECT_TYPE)
    require_intake_permission(by, Permission.VIEW_INTAKE, action=Action.READ)
    rows, count = read_page(
        intake_requests_for(by, status=status.value if status is not None else ""),
        page,
        membership=by,
        object_type=INTAKE_LIST_OBJECT_TYPE,
        detail=f"status={status.value if status is not None else 'all'}",
    )
    return Status(200, IntakeRequestPage(items=[_out(row) for row in rows], count=count))


@router.post(
    "/intake-requests",
    response={201: IntakeRequestOut, **ERRORS},
    summary="Enter an intake request at the clinic (a call, a walk-in, a referral)",
)
def create_request(request: HttpRequest, payload: IntakeRequestCreate) -> Status[IntakeRequestOut]:
    by = membership_for_clinic(
        request,
        payload.clinic_id,
        location="body",
        action=Action.CREATE,
        object_type=INTAKE_OBJECT_TYPE,
    )
    created = create_intake_request(
        clinic=by.clinic,
        source=IntakeSource.STAFF,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        preferred_contact=payload.preferred_contact.value,
        best_time=payload.best_time,
        message=payload.message,
        by=by,
    )
    return Status(201, _out(created))


@router.get(
    "/intake-requests/{intake_request_id}",
    response={200: IntakeRequestOut, **ERRORS},
    summary="One intake request",
)
def get_request(request: HttpRequest, intake_request_id: int) -> IntakeRequestOut:
    by = _acting_for_request(request, intake_request_id, Action.READ)
    return _out(get_intake_request_for(by, intake_request_id))


@router.patch(
    "/intake-requests/{intake_request_id}",
    response={200: IntakeRequestOut, 409: Error, **ERRORS},
    summary="Move a request on in the queue, or close it with a reason",
)
def update_request(
    request: HttpRequest, intake_request_id: int, payload: IntakeRequestPatch
) -> IntakeRequestOut:
    by = _acting_for_request(request, intake_request_id, Action.UPDATE)
    changed = change_intake_status(
        by=by,
        intake_request_id=intake_request_id,
        version=payload.version,
        status=payload.status.value,
        closed_reason=payload.closed_reason,
    )
    return _out(changed)


@router.post(
    "/intake-requests/{intake_request_id}/register",
    response={201: RegisteredOut, 409: Error, **ERRORS},
    summary="Register the patient from a request (the link is kept both ways)",
)
def register_request(
    request: HttpRequest, intake_request_id: int, payload: RegisterPatientIn
) -> Status[RegisteredOut]:
    by = _acting_for_request(request, intake_request_id, Action.CREATE)
    registered = register_patient_from_intake(
        by=by,
        intake_request_id=intake_request_id,
        version=payload.version,
        given_name=payload.given_name,
        family_name=payload.family_name,
        date_of_birth=payload.date_of_birth,
        sex_at_birth=payload.sex_at_birth.value,
        email=payload.email,
        phone=payload.phone,
        mrn=payload.mrn,
        diagnosis=payload.diagnosis.value if payload.diagnosis is not None else "",
    )
    return Status(
        201,
        RegisteredOut(
            patient_id=registered.patient.pk, intake_request=_out(registered.intake_request)
        ),
    )
