"""Pages of treatment plans and the clinic's schedule (phone first, no JavaScript needed).

    /patients/<id>/plans/       the patient's plans; prescribers preview and sign a new plan
    /patients/<id>/sessions/    the patient's upcoming (or all) sessions
    /plans/<id>/                one plan: order versions, sessions, warnings; a new order; end it
    /sessions/<id>/move/        move a scheduled session (reason required)
    /sessions/<id>/cancel/      cancel a scheduled session (reason required)
    /today/?date=               the clinic's sessions of one day
    /calendar/?week=            the clinic's sessions of one week, Monday first

Views parse, call the services (the same as the API's) and render. Another clinic's patient,
plan or session is a 404 before any role check; a role without the permission, the 403 page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.clinical.dosing import Route as ClinicalRoute
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import get_protocol
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import membership_required
from ketacare.patients.models import Patient
from ketacare.treatment.errors import TreatmentConflict
from ketacare.treatment.forms import (
    CancelForm,
    DayForm,
    EndPlanForm,
    MoveForm,
    OrderForm,
    PlanForm,
    WeekForm,
)
from ketacare.treatment.models import (
    DoseOrder,
    PlanStatus,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.treatment.orders import FIELDS, CheckedOrder, check_order
from ketacare.treatment.presentation import (
    WEEKDAYS,
    interval_choices,
    interval_lines,
    preview_schedule,
    protocol_summaries,
    route_eligibility,
)
from ketacare.treatment.queries import (
    PLAN,
    SESSION,
    clinic_sessions,
    count_sessions_of,
    current_order,
    get_patient_with,
    get_plan_for,
    get_session_to_schedule_for,
    plans_of,
    require,
    session_rows_of,
    sessions_of_plan,
)
from ketacare.treatment.schedule import week_of
from ketacare.treatment.services import (
    cancel_session,
    create_plan,
    end_plan,
    reschedule_session,
    sign_order,
)
from ketacare.treatment.session_lines import session_rows

View = Callable[..., HttpResponse]
# A patient's sessions a page: the API's default page (`limit` 50).
SESSIONS_PER_PAGE = 50


def _forbidden_page(view: View) -> View:
    """The 403 page (naming role and clinic) for a PermissionDenied the queries or services
    raised and recorded; every other error is left to Django."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, membership: Membership, **kwargs: Any) -> Any:
        try:
            return view(request, *args, membership=membership, **kwargs)
        except PermissionDenied:
            context = {"membership": membership}
            return render(request, "clinics/forbidden.html", context, status=403)

    return wrapper


def _safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _can(membership: Membership) -> dict[str, bool]:
    return {
        "can_sign": has_permission(membership, Permission.SIGN_PLAN),
        "can_schedule": has_permission(membership, Permission.SCHEDULE_SESSION),
        "can_read_plans": has_permission(membership, Permission.VIEW_PLAN),
    }


# --- the patient's plans and a new plan -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type=PLAN)
@_forbidden_page
def patient_plans(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """The patient's plans; for prescribers the new-plan form (preview, then "Sign plan")."""
    patient = get_patient_with(
        membership, patient_id, permission=Permission.VIEW_PLAN, object_type=PLAN
    )
    routes = membership.clinic.routes
    eligibility = route_eligibility(patient, routes)
    eligible_routes = [e.route for e in eligibility if e.eligible]
    protocols = [p for p in protocol_summaries(routes) if p["route"] in eligible_routes]
    can_sign = has_permission(membership, Permission.SIGN_PLAN)
    form = None
    preview = None
    order_alerts: list[Any] = []
    status = 200
    if can_sign and protocols:
        choices = [(str(p["id"]), str(p["title"])) for p in protocols]
        intervals = interval_choices([protocol_id for protocol_id, _ in choices])
        if request.method == "POST":
            form = PlanForm(request.POST, protocols=choices, intervals=intervals)
            outcome = _plan_post(request, membership, patient, form)
            if isinstance(outcome, HttpResponse):
                return outcome
            preview, order_alerts, status = outcome
        else:
            start = timezone.localdate() + dt.timedelta(days=1)
            form = PlanForm(protocols=choices, intervals=intervals, initial={"start": start})
        for protocol in protocols:
            protocol["interval_fields"] = form.interval_fields(str(protocol["id"]))
    elif request.method == "POST":
        require(
            membership,
            Permission.SIGN_PLAN,
            action=Action.CREATE,
            object_type=PLAN,
            patient_id=patient.pk,
        )
        return HttpResponseRedirect(request.path)
    plans = list(plans_of(patient))
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=PLAN,
        patient_id=patient.pk,
        detail=f"list shown={len(plans)} ids={','.join(str(p.pk) for p in plans)}",
    )
    context = {
        "membership": membership,
        "patient": patient,
        "chart_url": reverse("patients:chart", args=[patient.pk]),
        "plans": [(plan, current_order(plan), get_protocol(plan.protocol).title) for plan in plans],
        # One active plan per patient (KetaCare policy): a new plan is refused while it lasts.
        "active_plan": next((p for p in plans if p.status == PlanStatus.ACTIVE), None),
        "eligibility": eligibility,
        "protocols": protocols,
        "order_fields": sorted(
            {name for route in eligible_routes for name in FIELDS[ClinicalRoute(route)]}
        ),
        "form": form,
        "preview": preview,
        "order_alerts": order_alerts,
        **_can(membership),
    }
    return render(request, "treatment/patient_plans.html", context, status=status)


def _plan_post(
    request: HttpRequest, membership: Membership, patient: Patient, form: PlanForm
) -> HttpResponse | tuple[Any, list[Any], int]:
    """Preview (nothing saved) or sign. A redirect to the new plan, else what to show again."""
    if not form.is_valid():
        return None, [], 400
    data = form.cleaned_data
    if "preview" in request.POST:
        try:
            protocol = get_protocol(data["protocol"])
            checked = check_order(
                protocol,
                form.order(),
                first_session=True,
                patient=patient,
                today=timezone.localdate(),
            )
            sessions = preview_schedule(
                protocol.id, data["start"], data["clinic_days"], form.every_days()
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return None, [], 400
        except ClinicalInputError as error:
            form.add_service_errors(ValidationError({error.field: error.message}))
            return None, [], 400
        return (sessions, checked_summary(checked)), list(checked.alerts), 200
    try:
        plan = create_plan(
            patient=patient,
            protocol=data["protocol"],
            start=data["start"],
            clinic_days=data["clinic_days"],
            every_days=form.every_days(),
            order=form.order(),
            by=membership,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None, [], 400
    except TreatmentConflict as conflict:
        form.add_error(None, [conflict.detail, *conflict.reasons])
        return None, [], 409
    messages.success(request, "Plan signed.")
    return HttpResponseRedirect(reverse("treatment:plan", args=[plan.pk]))


def checked_summary(checked: CheckedOrder) -> str:
    """The one-line text of an order not yet signed (as `DoseOrder.summary` writes it)."""
    return DoseOrder(
        dose_mg_per_kg=checked.dose_mg_per_kg,
        duration_min=checked.duration_min,
        concentration_mg_per_ml=checked.concentration_mg_per_ml,
        dose_mg=checked.dose_mg,
    ).summary


# --- one plan and a new order -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type=PLAN)
@_forbidden_page
def plan_detail(request: HttpRequest, plan_id: int, *, membership: Membership) -> HttpResponse:
    """A plan: protocol, order versions with their alerts, sessions; POST signs a new order, or
    (with `end_plan`) ends the plan."""
    form: OrderForm | None = None
    end_form: EndPlanForm | None = None
    status = 200
    if request.method == "POST":
        ending = "end_plan" in request.POST
        plan = get_plan_for(
            membership,
            plan_id,
            permission=Permission.SIGN_PLAN,
            action=Action.UPDATE if ending else Action.CREATE,
            audit_read=False,
        )
        outcome: HttpResponse | int
        if ending:
            end_form = EndPlanForm(request.POST)
            outcome = _end_post(request, membership, plan, end_form)
        else:
            form = OrderForm(request.POST)
            outcome = _order_post(request, membership, plan, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
        plan = get_plan_for(membership, plan_id)
    else:
        plan = get_plan_for(membership, plan_id)
    latest = current_order(plan)
    can_sign = has_permission(membership, Permission.SIGN_PLAN)
    active = plan.status == PlanStatus.ACTIVE
    if can_sign and active:
        end_form = _end_form_for(plan, end_form)
    if can_sign and form is None and active:
        initial: dict[str, Any] = {"version": plan.version}
        if latest is not None:
            initial.update(
                {
                    "dose_mg_per_kg": latest.dose_mg_per_kg,
                    "duration_min": latest.duration_min,
                    "concentration_mg_per_ml": latest.concentration_mg_per_ml,
                    "dose_mg": latest.dose_mg,
                }
            )
        form = OrderForm(initial=initial)
    protocol = get_protocol(plan.protocol)
    context = {
        "membership": membership,
        "plan": plan,
        "patient": plan.patient,
        "chart_url": reverse("patients:chart", args=[plan.patient_id]),
        "protocol": protocol,
        "clinic_days": [WEEKDAYS[day][:3] for day in plan.clinic_days],
        "summary": next(
            (
                p
                for p in protocol_summaries([plan.route], plan.intervals)
                if p["id"] == plan.protocol
            ),
            None,
        ),
        "interval_lines": interval_lines(plan.protocol, plan.intervals),
        "order": latest,
        "orders": sorted(plan.orders.all(), key=lambda o: -o.number),
        "sessions": list(sessions_of_plan(plan)),
        "route_fields": _route_fields(plan.route),
        "form": form if can_sign else None,
        "end_form": end_form if can_sign and active else None,
        "today": timezone.localdate(),
        **_can(membership),
    }
    return render(request, "treatment/plan_detail.html", context, status=status)


def _route_fields(route: str) -> list[str]:
    return list(FIELDS[ClinicalRoute(route)])


def _order_post(
    request: HttpRequest, membership: Membership, plan: TreatmentPlan, form: OrderForm
) -> HttpResponse | int:
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        sign_order(
            plan=plan,
            order=form.order_for(get_protocol(plan.protocol).route),
            reason=data["reason"],
            version=data["version"],
            by=membership,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return 400
    except TreatmentConflict as conflict:
        form.add_error(None, [conflict.detail, *conflict.reasons])
        return 409
    messages.success(request, "New order signed; the previous version is kept as superseded.")
    return HttpResponseRedirect(reverse("treatment:plan", args=[plan.pk]) + "#orders")


def _end_form_for(plan: TreatmentPlan, posted: EndPlanForm | None) -> EndPlanForm:
    """The end form at the plan's version; a refused one keeps its reason and errors but takes
    the version of the plan now shown, so the next try acts on what the person sees."""
    if posted is None:
        return EndPlanForm(initial={"version": plan.version})
    posted.data = posted.data.copy()
    posted.data["version"] = str(plan.version)
    return posted


def _end_post(
    request: HttpRequest, membership: Membership, plan: TreatmentPlan, form: EndPlanForm
) -> HttpResponse | int:
    if not form.is_valid():
        return 400
    try:
        end_plan(
            plan=plan,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            by=membership,
        )
    except ValidationError as error:
        _show_errors(form, error)
        return 400
    except TreatmentConflict as conflict:
        form.add_error(None, conflict.detail)
        return 409
    messages.success(request, "Plan ended; every session still scheduled is cancelled.")
    return HttpResponseRedirect(reverse("treatment:plan", args=[plan.pk]))


# --- moving and cancelling a session -------------------------------------------------------------


def _show_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors under the fields they name, the others above the form."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _session_back(request: HttpRequest, session: TreatmentSession, membership: Membership) -> str:
    if has_permission(membership, Permission.VIEW_PLAN):
        fallback = reverse("treatment:plan", args=[session.plan_id])
    else:
        fallback = reverse("treatment:patient-sessions", args=[session.patient_id])
    return _safe_next(request, request.POST.get("next") or request.GET.get("next"), fallback)


@require_http_methods(["GET", "POST"])
@membership_required(Permission.VIEW_SCHEDULE, object_type=SESSION, action=Action.UPDATE)
@_forbidden_page
def session_move(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    session = get_session_to_schedule_for(
        membership, session_id, audit_read=request.method == "GET"
    )
    back = _session_back(request, session, membership)
    status = 200
    refusals: list[str] = []
    if request.method == "POST":
        form = MoveForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                moved = reschedule_session(
                    session=session,
                    date=data["date"],
                    time=data["time"],
                    reason=data["reason"],
                    version=data["version"],
                    by=membership,
                )
            except ValidationError as error:
                _show_errors(form, error)
            except TreatmentConflict as conflict:
                form.add_error(None, conflict.detail)
                refusals = conflict.reasons
                status = 409
            else:
                messages.success(
                    request,
                    f"Session {moved.session.number} moved to {moved.session.date.isoformat()}.",
                )
                for warning in moved.warnings:
                    messages.warning(request, warning)
                return HttpResponseRedirect(back)
    else:
        form = MoveForm(
            initial={
                "date": session.date,
                "time": session.time,
                "version": session.version,
                "next": back,
            }
        )
    context = {
        "membership": membership,
        "session": session,
        "patient": session.patient,
        "form": form,
        "refusals": refusals,
        "back": back,
        "is_scheduled": session.status == SessionStatus.SCHEDULED,
        **_can(membership),
    }
    return render(request, "treatment/session_move.html", context, status=status)


@require_http_methods(["GET", "POST"])
@membership_required(Permission.VIEW_SCHEDULE, object_type=SESSION, action=Action.UPDATE)
@_forbidden_page
def session_cancel(
    request: HttpRequest, session_id: int, *, membership: Membership
) -> HttpResponse:
    session = get_session_to_schedule_for(
        membership, session_id, audit_read=request.method == "GET"
    )
    back = _session_back(request, session, membership)
    status = 200
    if request.method == "POST":
        form = CancelForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                cancel_session(
                    session=session,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                    by=membership,
                )
            except ValidationError as error:
                _show_errors(form, error)
            except TreatmentConflict as conflict:
                form.add_error(None, conflict.detail)
                status = 409
            else:
                messages.success(request, f"Session {session.number} cancelled.")
                return HttpResponseRedirect(back)
    else:
        form = CancelForm(initial={"version": session.version, "next": back})
    context = {
        "membership": membership,
        "session": session,
        "patient": session.patient,
        "form": form,
        "back": back,
        "is_scheduled": session.status == SessionStatus.SCHEDULED,
    }
    return render(request, "treatment/session_cancel.html", context, status=status)


# --- the patient's sessions, the day and the week ----------------------------------------------


@membership_required(Permission.VIEW_PATIENT, object_type=SESSION)
@_forbidden_page
def patient_sessions(
    request: HttpRequest, patient_id: int, *, membership: Membership
) -> HttpResponse:
    """The patient's upcoming sessions (every plan), or all of them with `?all=1`; 50 a page
    (`?page=`, as the API's default page), the oldest first."""
    patient = get_patient_with(
        membership, patient_id, permission=Permission.VIEW_SCHEDULE, object_type=SESSION
    )
    today = timezone.localdate()
    show_all = request.GET.get("all") == "1"
    can = _can(membership)
    # Each row carries its plan's route and, for who reads plans, its current order: one
    # statement for the page, its total, the plans and their orders.
    page = _sessions_page(
        patient,
        None if show_all else today,
        request.GET.get("page"),
        with_orders=can["can_read_plans"],
    )
    here = request.get_full_path()
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=SESSION,
        patient_id=patient.pk,
        detail=f"list shown={len(page.object_list)} all={int(show_all)} page={page.number} "
        f"total={page.paginator.count}",
    )
    rows = session_rows(
        page.object_list,
        with_orders=can["can_read_plans"],
        link_sessions=has_permission(membership, Permission.VIEW_SESSION),
        can_schedule=can["can_schedule"],
        back=here,
    )
    base = reverse("treatment:patient-sessions", args=[patient.pk])
    context = {
        "membership": membership,
        "patient": patient,
        "chart_url": reverse("patients:chart", args=[patient.pk]),
        "sessions_url": base,
        # Written by `session_rows`, every text from the record escaped there.
        "rows": mark_safe(rows),  # noqa: S308
        "page": page,
        "page_url": f"{base}?all=1&page=" if show_all else f"{base}?page=",
        "show_all": show_all,
        "today": today,
        "here": here,
        **can,
    }
    return render(request, "treatment/patient_sessions.html", context)


# Beyond this a page number is not tried (an OFFSET the database may refuse): the last page.
_LAST_OFFSET_TRIED = 2**31


def _sessions_page(
    patient: Patient, first: dt.date | None, asked: str | None, *, with_orders: bool
) -> Page[tuple[Any, ...]]:
    """The page `asked` of the patient's sessions, as `Paginator.get_page` reads it (not a whole
    number: the first; below 1 or past the end: the last). The page and its total are one
    statement; a page asked past the end costs the count and the last page, two more."""
    try:
        number = int(asked) if asked is not None else 1
    except ValueError:
        number = 1

    def rows_of(number: int) -> list[tuple[Any, ...]]:
        offset = (number - 1) * SESSIONS_PER_PAGE
        return session_rows_of(
            patient, first=first, offset=offset, limit=SESSIONS_PER_PAGE, with_orders=with_orders
        )

    rows: list[tuple[Any, ...]] = []
    if number >= 1 and (number - 1) * SESSIONS_PER_PAGE < _LAST_OFFSET_TRIED:
        rows = rows_of(number)
    # The row's total (`COUNT(*) OVER ()`, the 11th column).
    total = rows[0][10] if rows else 0
    if not rows and number != 1:
        total = count_sessions_of(patient, first=first)
        number = max(1, -(-total // SESSIONS_PER_PAGE))
        rows = rows_of(number) if total else []
    paginator = Paginator(rows, SESSIONS_PER_PAGE)
    # The total of every page, not of this page's rows (what Paginator would count).
    paginator.count = total
    return Page(rows, number, paginator)


def _audit_schedule(
    membership: Membership, rows: list[TreatmentSession], first: dt.date, last: dt.date
) -> None:
    # Names are shown: the ids of the patients let the audit report find this view under each.
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"schedule from={first} to={last} shown={len(rows)}",
    )


@membership_required(Permission.VIEW_SCHEDULE, object_type=PATIENT_LIST_OBJECT_TYPE)
def today(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The clinic's sessions of one day (`?date=`, default today), by time."""
    form = DayForm(request.GET)
    day = (form.cleaned_data.get("date") if form.is_valid() else None) or timezone.localdate()
    with_orders = has_permission(membership, Permission.VIEW_PLAN)
    rows = list(clinic_sessions(membership, first=day, last=day, with_orders=with_orders))
    _audit_schedule(membership, rows, day, day)
    context = {
        "membership": membership,
        "form": form,
        "day": day,
        "is_today": day == timezone.localdate(),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "sessions": rows,
        "here": request.get_full_path(),
        **_can(membership),
    }
    return render(request, "treatment/today.html", context, status=200 if form.is_valid() else 400)


@membership_required(Permission.VIEW_SCHEDULE, object_type=PATIENT_LIST_OBJECT_TYPE)
def calendar(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The clinic's sessions of one week, Monday first (`?week=` any day of it)."""
    form = WeekForm(request.GET)
    chosen = (form.cleaned_data.get("week") if form.is_valid() else None) or timezone.localdate()
    days = week_of(chosen)
    with_orders = has_permission(membership, Permission.VIEW_PLAN)
    rows = list(clinic_sessions(membership, first=days[0], last=days[-1], with_orders=with_orders))
    _audit_schedule(membership, rows, days[0], days[-1])
    by_day: dict[dt.date, list[TreatmentSession]] = {day: [] for day in days}
    for row in rows:
        by_day[row.date].append(row)
    today_date = timezone.localdate()
    context = {
        "membership": membership,
        "form": form,
        "days": [
            {"date": day, "weekday": WEEKDAYS[day.weekday()], "sessions": by_day[day]}
            for day in days
        ],
        "first": days[0],
        "last": days[-1],
        "today": today_date,
        "previous": days[0] - dt.timedelta(weeks=1),
        "next": days[0] + dt.timedelta(weeks=1),
        "count": len(rows),
        "here": request.get_full_path(),
        **_can(membership),
    }
    return render(
        request, "treatment/calendar.html", context, status=200 if form.is_valid() else 400
    )
