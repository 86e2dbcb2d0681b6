"""JSON API of treatment plans and the clinic's schedule (contracts.md 2.2), under /api/v1/.

    POST /patients/{id}/plans           create a plan with its signed order (prescribers) -> 201
    GET  /patients/{id}/plans           the patient's plans, newest first
    GET  /plans/{id}                    one plan: orders (every signed version) and sessions
    POST /plans/{id}/orders             a changed order: a new signed version (prescribers) -> 201
    POST /plans/{id}/end                end the plan; its scheduled sessions are cancelled
    GET  /patients/{id}/sessions        the patient's sessions by date (?from=&to=)
    GET  /schedule?from=&to=            the clinic's sessions by date and time
    POST /sessions/{id}/reschedule      move a scheduled session (date, time?, reason, version)
    POST /sessions/{id}/cancel          cancel a scheduled session (reason, version)

Moving is a POST to its own address rather than a PATCH of the session: the session's address
also carries the chair's record (contracts 2.3), and a move is a decision with its own rules and
reason, answered with the warnings of the new date.

The acting clinic is the clinic of the object in the path (contracts 2.0): the caller's
membership there, if any; otherwise the caller's acting membership, under which the lookup is a
404 with a denied audit event. Errors: `ketacare.api.errors` (422 naming the field, 403, 409
with `reasons` where clinical rules decided).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict

from ketacare.api.acting import membership_for_clinic, membership_for_object
from ketacare.api.errors import validation_detail
from ketacare.api.schemas import ConflictOut, Error, Invalid, Page, PageParams
from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession
from ketacare.treatment.queries import (
    PLAN,
    SESSION,
    clinic_sessions,
    current_order,
    get_patient_with,
    get_plan_for,
    get_session_to_schedule_for,
    plans_of,
    require,
    sessions_of,
    sessions_of_plan,
)
from ketacare.treatment.schedule import ScheduleRange, schedule_range
from ketacare.treatment.services import (
    cancel_session,
    create_plan,
    end_plan,
    reschedule_session,
    sign_order,
)

router = Router(tags=["treatment"])

RouteId = Literal["iv_ketamine", "esketamine_nasal", "oral_ketamine"]
SessionStatusId = Literal["scheduled", "in_chair", "dosed", "discharged", "cancelled"]


# --- schemas ------------------------------------------------------------------------------


class OrderIn(Schema):
    """IV: `dose_mg_per_kg`, `duration_min`, `concentration_mg_per_ml?`; esketamine and oral:
    `dose_mg`. Limits are the clinical reference's (422 naming `order.<field>`)."""

    model_config = ConfigDict(extra="forbid")

    dose_mg_per_kg: float | None = None
    duration_min: int | None = None
    concentration_mg_per_ml: float | None = None
    dose_mg: int | None = None


class PlanCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    protocol: str = Field(max_length=60, description="A protocol id of `ketacare protocols`.")
    start: dt.date
    clinic_days: list[int] | None = Field(
        None, description="Days the clinic treats, 0 = Monday; default Monday-Friday."
    )
    every_days: dict[str, int] | None = Field(
        None,
        description="The interval in days of a phase that offers a choice, by phase name "
        '(`{"maintenance": 7}`: esketamine_trd_label maintenance weekly instead of every 2 '
        "weeks); only the intervals the protocol lists (`every_days_options` in `ketacare "
        "protocols`), else 422 naming `every_days.<phase>`. A phase not named keeps the "
        "protocol's default.",
    )
    order: OrderIn


class OrderCreate(OrderIn):
    reason: str = Field(max_length=300, description="Why the order changes.")
    version: int = Field(description="The plan's version as read.")


class PlanEnd(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=300, description="Why the plan ends.")
    version: int = Field(description="The plan's version as read.")


class AlertOut(Schema):
    rule: str
    level: Literal["info", "warning", "critical"]
    message: str


class OrderOut(Schema):
    id: int
    number: int
    dose_mg_per_kg: float | None
    duration_min: int | None
    concentration_mg_per_ml: float | None
    dose_mg: int | None
    signed_by: str
    signed_at: dt.datetime
    reason: str
    supersedes_id: int | None
    alerts: list[AlertOut]


class PlanSessionOut(Schema):
    id: int
    number: int
    date: dt.date
    phase: str
    status: SessionStatusId
    time: dt.time | None
    planned_date: dt.date
    protocol_dose: str = Field(description="The protocol's dose text for this session.")
    change_reason: str
    version: int


class PlanOut(Schema):
    id: int
    patient_id: int
    protocol: str
    route: RouteId
    start: dt.date
    clinic_days: list[int]
    every_days: dict[str, int] = Field(
        description="The interval in days of each phase of the protocol that offers a choice, "
        "as the plan was signed (`{}` when none does)."
    )
    status: Literal["active", "ended"]
    review_id: int
    created_by: str
    created_at: dt.datetime
    version: int
    order: OrderOut | None
    orders: list[OrderOut]
    sessions: list[PlanSessionOut]


class PlanPage(Page[PlanOut]):
    pass


class SessionOut(Schema):
    """A session of the schedule. `dose` (the plan's current signed order) and `protocol_dose`
    (the protocol's text for the session) only for roles that read plans (null otherwise)."""

    id: int
    patient_id: int
    patient_name: str
    plan_id: int
    number: int
    date: dt.date
    time: dt.time | None
    planned_date: dt.date
    phase: str
    route: RouteId
    status: SessionStatusId
    dose: str | None
    protocol_dose: str | None
    change_reason: str
    version: int


class SessionPage(Page[SessionOut]):
    pass


class MovedOut(SessionOut):
    warnings: list[str]


class RescheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    time: dt.time | None = None
    reason: str = Field(max_length=300)
    version: int


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=300)
    version: int


class RangeParams(PageParams):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ConflictOut}


# --- answers -----------------------------------------------------------------------------


def _order_out(order: DoseOrder) -> OrderOut:
    return OrderOut(
        id=order.pk,
        number=order.number,
        dose_mg_per_kg=None if order.dose_mg_per_kg is None else float(order.dose_mg_per_kg),
        duration_min=order.duration_min,
        concentration_mg_per_ml=None
        if order.concentration_mg_per_ml is None
        else float(order.concentration_mg_per_ml),
        dose_mg=order.dose_mg,
        signed_by=order.signed_by.get_username(),
        signed_at=order.signed_at,
        reason=order.reason,
        supersedes_id=order.supersedes_id,
        alerts=[AlertOut(**alert) for alert in order.alerts],
    )


def _order_text(plan: TreatmentPlan) -> str | None:
    order = plan.current_order
    return order.summary if order is not None else None


def _plan_out(plan: TreatmentPlan, sessions: list[TreatmentSession]) -> PlanOut:
    orders = sorted(plan.orders.all(), key=lambda order: order.number)
    latest = current_order(plan)
    return PlanOut(
        id=plan.pk,
        patient_id=plan.patient_id,
        protocol=plan.protocol,
        route=plan.route,
        start=plan.start,
        clinic_days=plan.clinic_days,
        every_days=plan.intervals,
        status=plan.status,
        review_id=plan.review_id,
        created_by=plan.created_by.get_username(),
        created_at=plan.created_at,
        version=plan.version,
        order=_order_out(latest) if latest is not None else None,
        orders=[_order_out(order) for order in orders],
        sessions=[
            PlanSessionOut(
                id=s.pk,
                number=s.number,
                date=s.date,
                phase=s.phase,
                status=s.status,
                time=s.time,
                planned_date=s.planned_date,
                protocol_dose=s.dose_text,
                change_reason=s.change_reason,
                version=s.version,
            )
            for s in sessions
        ],
    )


def _session_out(session: TreatmentSession, *, clinical: bool) -> dict[str, Any]:
    patient = session.patient
    return {
        "id": session.pk,
        "patient_id": session.patient_id,
        "patient_name": f"{patient.given_name} {patient.family_name}",
        "plan_id": session.plan_id,
        "number": session.number,
        "date": session.date,
        "time": session.time,
        "planned_date": session.planned_date,
        "phase": session.phase,
        "route": session.plan.route,
        "status": session.status,
        "dose": _order_text(session.plan) if clinical else None,
        "protocol_dose": session.dose_text if clinical else None,
        "change_reason": session.change_reason,
        "version": session.version,
    }


def _range(params: RangeParams, *, default_days: int | None) -> ScheduleRange:
    """The dates asked for; a bad range is a 422 naming the query parameter."""
    try:
        return schedule_range(params.date_from, params.date_to, default_days=default_days)
    except ValidationError as error:
        raise NinjaValidationError(validation_detail(error, location="query")) from None


def _sessions_page(rows: list[TreatmentSession], count: int, *, clinical: bool) -> dict[str, Any]:
    return {"items": [_session_out(s, clinical=clinical) for s in rows], "count": count}


# --- plans --------------------------------------------------------------------------------


@router.post(
    "/patients/{patient_id}/plans",
    response={201: PlanOut, **WRITE_ERRORS},
    summary="Create a treatment plan and sign its dose order (prescribers)",
)
def create_treatment_plan(request: HttpRequest, patient_id: int, payload: PlanCreate) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    # Another clinic's patient is a 404 before any role check; the service checks SIGN_PLAN.
    patient = get_patient_for(membership, patient_id, audit_read=False)
    plan = create_plan(
        patient=patient,
        protocol=payload.protocol,
        start=payload.start,
        clinic_days=payload.clinic_days,
        every_days=payload.every_days,
        order=payload.order.model_dump(),
        by=membership,  # type: ignore[arg-type]
    )
    return Status(201, _plan_out(plan, list(sessions_of_plan(plan))))


@router.get(
    "/patients/{patient_id}/plans",
    response={200: PlanPage, **ERRORS},
    summary="A patient's treatment plans, newest first",
)
def list_treatment_plans(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    patient = get_patient_with(
        membership, patient_id, permission=Permission.VIEW_PLAN, object_type=PLAN
    )
    qs = plans_of(patient).select_related("created_by")
    count = qs.count()
    plans = list(qs[page.offset : page.offset + page.limit])
    sessions: dict[int, list[TreatmentSession]] = {plan.pk: [] for plan in plans}
    for session in TreatmentSession.objects.filter(
        clinic_id=patient.clinic_id, plan_id__in=list(sessions)
    ).order_by("number"):
        sessions[session.plan_id].append(session)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=PLAN,
        patient_id=patient.pk,
        detail=f"list shown={len(plans)} total={count} ids={','.join(str(p.pk) for p in plans)}",
    )
    return Status(200, PlanPage(items=[_plan_out(p, sessions[p.pk]) for p in plans], count=count))


@router.get(
    "/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="One plan with its sessions"
)
def get_treatment_plan(request: HttpRequest, plan_id: int) -> Any:
    membership = membership_for_object(request, TreatmentPlan, plan_id)
    plan = get_plan_for(membership, plan_id)
    return Status(200, _plan_out(plan, list(sessions_of_plan(plan))))


@router.post(
    "/plans/{plan_id}/orders",
    response={201: OrderOut, **WRITE_ERRORS},
    summary="Sign a changed dose order: a new version that supersedes the current one",
)
def sign_dose_order(request: HttpRequest, plan_id: int, payload: OrderCreate) -> Any:
    membership = membership_for_object(request, TreatmentPlan, plan_id)
    plan = get_plan_for(
        membership, plan_id, permission=Permission.SIGN_PLAN, action=Action.CREATE, audit_read=False
    )
    order = sign_order(
        plan=plan,
        order=payload.model_dump(exclude={"reason", "version"}),
        reason=payload.reason,
        version=payload.version,
        by=membership,  # type: ignore[arg-type]
    )
    return Status(201, _order_out(order))


@router.post(
    "/plans/{plan_id}/end",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="End a plan: its scheduled sessions are cancelled with the reason (prescribers)",
)
def end_treatment_plan(request: HttpRequest, plan_id: int, payload: PlanEnd) -> Any:
    membership = membership_for_object(request, TreatmentPlan, plan_id)
    plan = get_plan_for(
        membership, plan_id, permission=Permission.SIGN_PLAN, action=Action.UPDATE, audit_read=False
    )
    ended = end_plan(
        plan=plan,
        reason=payload.reason,
        version=payload.version,
        by=membership,  # type: ignore[arg-type]
    )
    # The plan as read (patient, author and orders joined) with the ended plan's state.
    plan.status, plan.version = ended.status, ended.version
    return Status(200, _plan_out(plan, list(sessions_of_plan(plan))))


# --- sessions -----------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/sessions",
    response={200: SessionPage, **ERRORS},
    summary="A patient's sessions by date (?from=&to=, both optional)",
)
def list_patient_sessions(request: HttpRequest, patient_id: int, params: Query[RangeParams]) -> Any:
    membership = membership_for_object(request, Patient, patient_id)
    patient = get_patient_with(
        membership, patient_id, permission=Permission.VIEW_SCHEDULE, object_type=SESSION
    )
    window = _range(params, default_days=None)
    clinical = has_permission(membership, Permission.VIEW_PLAN)
    qs = sessions_of(patient, first=window.first, last=window.last, with_orders=clinical)
    count = qs.count()
    rows = list(qs[params.offset : params.offset + params.limit])
    for row in rows:
        row.patient = patient
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=SESSION,
        patient_id=patient.pk,
        detail=f"list shown={len(rows)} total={count}",
    )
    return Status(200, _sessions_page(rows, count, clinical=clinical))


@router.get(
    "/schedule",
    response={200: SessionPage, **ERRORS},
    summary="The clinic's sessions from `from` to `to` (default: the 7 days from today)",
)
def list_schedule(
    request: HttpRequest, params: Query[RangeParams], clinic_id: int | None = None
) -> Any:
    membership = membership_for_clinic(request, clinic_id, location="query")
    require(membership, Permission.VIEW_SCHEDULE, action=Action.READ, object_type=SESSION)
    window = _range(params, default_days=7)
    clinical = has_permission(membership, Permission.VIEW_PLAN)
    qs = clinic_sessions(membership, first=window.first, last=window.last, with_orders=clinical)
    count = qs.count()
    rows = list(qs[params.offset : params.offset + params.limit])
    # Names are shown: the ids of the patients let the audit report find this read under each.
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"schedule from={window.first} to={window.last} shown={len(rows)} total={count}",
    )
    return Status(200, _sessions_page(rows, count, clinical=clinical))


@router.post(
    "/sessions/{session_id}/reschedule",
    response={200: MovedOut, **WRITE_ERRORS},
    summary="Move a scheduled session; answered with the warnings of the new date",
)
def reschedule_treatment_session(
    request: HttpRequest, session_id: int, payload: RescheduleIn
) -> Any:
    membership = membership_for_object(request, TreatmentSession, session_id)
    session = get_session_to_schedule_for(membership, session_id, audit_read=False)
    moved = reschedule_session(
        session=session,
        date=payload.date,
        time=payload.time,
        reason=payload.reason,
        version=payload.version,
        by=membership,  # type: ignore[arg-type]
    )
    clinical = has_permission(membership, Permission.VIEW_PLAN)
    return Status(
        200, {**_session_out(moved.session, clinical=clinical), "warnings": moved.warnings}
    )


@router.post(
    "/sessions/{session_id}/cancel",
    response={200: SessionOut, **WRITE_ERRORS},
    summary="Cancel a scheduled session with a reason",
)
def cancel_treatment_session(request: HttpRequest, session_id: int, payload: CancelIn) -> Any:
    membership = membership_for_object(request, TreatmentSession, session_id)
    session = get_session_to_schedule_for(membership, session_id, audit_read=False)
    cancelled = cancel_session(
        session=session,
        reason=payload.reason,
        version=payload.version,
        by=membership,  # type: ignore[arg-type]
    )
    return Status(
        200, _session_out(cancelled, clinical=has_permission(membership, Permission.VIEW_PLAN))
    )
