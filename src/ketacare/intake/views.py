"""Intake pages: the queue, one request (status moves, closing, registering), a new request.

Views parse, call a query or service, and render; every read of the queue is audited with the
ids shown, every request page with the request's id.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from ketacare.audit.models import Action
from ketacare.audit.services import record_list_read
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required
from ketacare.intake.display import self_check_rows
from ketacare.intake.errors import IntakeConflict
from ketacare.intake.forms import (
    ALL_TAB,
    OPEN_TAB,
    TABS,
    IntakeRequestForm,
    QueueFilterForm,
    RegisterPatientForm,
    StatusForm,
    add_service_errors,
)
from ketacare.intake.models import OPEN_STATUSES, IntakeRequest, IntakeSource, IntakeStatus
from ketacare.intake.queries import (
    INTAKE_LIST_OBJECT_TYPE,
    INTAKE_OBJECT_TYPE,
    get_intake_request_for,
    intake_requests_for,
    require_intake_permission,
    status_counts_for,
)
from ketacare.intake.services import (
    change_intake_status,
    create_intake_request,
    register_patient_from_intake,
)
from ketacare.intake.workflow import is_open, next_statuses

REQUESTS_PER_PAGE = 25

# The request a page's URL names: another clinic's is a 404 before the role is asked.
_request_in_path = InPath(IntakeRequest, "request_id", object_type=INTAKE_OBJECT_TYPE)

# The button of each forward move on the request's page.
MOVE_LABELS = {
    IntakeStatus.CONTACTED: "Mark as contacted",
    IntakeStatus.EVALUATION_SCHEDULED: "Mark evaluation as scheduled",
}


def patient_chart_url(patient_id: int) -> str:
    """The chart of a registered patient (the patients app's page)."""
    return reverse("patients:chart", args=[patient_id])


# --- the queue -------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.VIEW_INTAKE, object_type=INTAKE_LIST_OBJECT_TYPE)
def queue(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The clinic's requests, newest first, one tab per status (open ones by default)."""
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        # Nothing was read, so nothing is audited; the page says what is wrong.
        context = {"membership": membership, "form": form, "tab": OPEN_TAB, "rows": []}
        return _render_queue(request, context, status=400)
    tab = form.tab()
    requests = intake_requests_for(membership)
    if tab == OPEN_TAB:
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif tab != ALL_TAB:
        requests = requests.filter(status=tab)
    paginator = Paginator(requests, REQUESTS_PER_PAGE)
    page = paginator.get_page(form.cleaned_data.get("page"))
    rows = list(page.object_list)
    record_list_read(
        membership=membership,
        object_type=INTAKE_LIST_OBJECT_TYPE,
        ids=[row.pk for row in rows],
        detail=f"page={page.number} shown={len(rows)} total={paginator.count} status={tab}",
    )
    counts = status_counts_for(membership)
    counts[OPEN_TAB] = sum(counts[s] for s in OPEN_STATUSES)
    counts[ALL_TAB] = sum(counts[s] for s in IntakeStatus.values)
    context = {
        "membership": membership,
        "form": form,
        "tab": tab,
        "tabs": [(value, label, counts[value]) for value, label in TABS],
        "page": page,
        "rows": rows,
        "can_manage": has_permission(membership, Permission.MANAGE_INTAKE),
    }
    return _render_queue(request, context)


def _render_queue(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    # A history-restore request re-draws the whole page, so it gets the whole page.
    template = (
        "intake/_queue.html" if htmx and not htmx.history_restore_request else "intake/queue.html"
    )
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- one request -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@membership_required(
    Permission.VIEW_INTAKE, object_type=INTAKE_OBJECT_TYPE, in_path=_request_in_path
)
def detail(request: HttpRequest, request_id: int, *, membership: Membership) -> HttpResponse:
    intake_request = get_intake_request_for(membership, request_id)
    return _render_detail(request, membership, intake_request)


def _render_detail(
    request: HttpRequest,
    membership: Membership,
    intake_request: IntakeRequest,
    *,
    close_form: StatusForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    can_manage = has_permission(membership, Permission.MANAGE_INTAKE)
    moves = [(s, MOVE_LABELS[s]) for s in next_statuses(intake_request.status) if s in MOVE_LABELS]
    if close_form is None:
        close_form = StatusForm(
            initial={"version": intake_request.version, "status": IntakeStatus.CLOSED}
        )
    context = {
        "membership": membership,
        "item": intake_request,
        "self_check": self_check_rows(intake_request.self_check),
        "can_manage": can_manage,
        "can_register": can_manage
        and has_permission(membership, Permission.ADD_PATIENT)
        and is_open(intake_request.status)
        and intake_request.patient_id is None,
        "is_open": is_open(intake_request.status),
        "moves": moves,
        "close_form": close_form,
        "problem": problem,
        "patient_url": patient_chart_url(intake_request.patient_id)
        if intake_request.patient_id
        else "",
        "is_public": intake_request.source == IntakeSource.PUBLIC,
    }
    return render(request, "intake/detail.html", context, status=status)


@require_POST
@membership_required(
    Permission.MANAGE_INTAKE,
    object_type=INTAKE_OBJECT_TYPE,
    action=Action.UPDATE,
    in_path=_request_in_path,
)
def change_status(request: HttpRequest, request_id: int, *, membership: Membership) -> HttpResponse:
    """One move of the request's page; the result or the refusal is shown on that page."""
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            changed = change_intake_status(
                by=membership,
                intake_request_id=request_id,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                closed_reason=form.cleaned_data["closed_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except IntakeConflict as conflict:
            current = get_intake_request_for(membership, request_id)
            return _render_detail(request, membership, current, problem=conflict.detail, status=409)
        else:
            messages.success(request, f"The request is now: {changed.get_status_display()}.")
            return HttpResponseRedirect(reverse("intake:detail", args=[changed.pk]))
    current = get_intake_request_for(membership, request_id)
    # Only the close form has a field people type in; other errors are a tampered form.
    close_form = form if form.data.get("status") == IntakeStatus.CLOSED else None
    problem = "" if close_form is not None else "The change was not saved: reload the page."
    return _render_detail(
        request, membership, current, close_form=close_form, problem=problem, status=400
    )


# --- registering the patient -----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(
    Permission.MANAGE_INTAKE,
    object_type=INTAKE_OBJECT_TYPE,
    action=Action.CREATE,
    in_path=_request_in_path,
)
def register(request: HttpRequest, request_id: int, *, membership: Membership) -> HttpResponse:
    """Register the request's person as a patient, then open their chart."""
    require_intake_permission(
        membership, Permission.ADD_PATIENT, action=Action.CREATE, object_id=request_id
    )
    intake_request = get_intake_request_for(membership, request_id)
    if intake_request.patient_id is not None:
        messages.info(request, "This request is registered already: here is the patient.")
        return HttpResponseRedirect(patient_chart_url(intake_request.patient_id))
    problem = ""
    status = 200
    if request.method == "POST":
        form = RegisterPatientForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registered = register_patient_from_intake(
                    by=membership,
                    intake_request_id=intake_request.pk,
                    version=data["version"],
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    sex_at_birth=data["sex_at_birth"],
                    email=data["email"],
                    phone=data["phone"],
                    mrn=data["mrn"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except IntakeConflict as conflict:
                problem, status = conflict.detail, 409
            else:
                messages.success(request, "Patient registered from the intake request.")
                return HttpResponseRedirect(patient_chart_url(registered.patient.pk))
        if status == 200:
            status = 400
    else:
        form = RegisterPatientForm(initial=RegisterPatientForm.initial_for(intake_request))
    context = {
        "membership": membership,
        "item": intake_request,
        "form": form,
        "problem": problem,
        "is_open": is_open(intake_request.status),
    }
    return render(request, "intake/register.html", context, status=status)


# --- a new request ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.MANAGE_INTAKE, object_type=INTAKE_OBJECT_TYPE, action=Action.CREATE)
def new(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """Enter a request taken by phone, at the desk or from a referral."""
    if request.method == "POST":
        form = IntakeRequestForm(request.POST)
        if form.is_valid():
            try:
                created = create_intake_request(
                    clinic=membership.clinic,
                    source=IntakeSource.STAFF,
                    by=membership,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Intake request entered.")
                return HttpResponseRedirect(reverse("intake:detail", args=[created.pk]))
        return render(request, "intake/new.html", {"form": form}, status=400)
    return render(request, "intake/new.html", {"form": IntakeRequestForm()})
