"""Pages of the REMS Patient Monitoring Forms (SAFE-REMS-FORM; phone first, no JavaScript needed).

    /rems-forms/                     the clinic's forms due (deadline, days left, overdue first)
    /rems-forms/?status=submitted    the forms marked submitted, latest first
    /rems-forms/<id>/submitted/      POST: mark a form submitted (with the version read)
    /sessions/<id>/rems-form/        one session's form as a page
    /sessions/<id>/rems-form.pdf     the same form as a PDF (its release is audited as an export)

Views parse, call `ketacare.chair.rems` (the same functions as the API) and render. Another
clinic's session or form is a 404 before any role check; a role without the permission, the 403
page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.chair.models import RemsForm
from ketacare.chair.rems import (
    REMS_FORM,
    FormStatus,
    RemsConflict,
    days_left,
    get_form_chair_for,
    get_rems_form_for,
    mark_rems_submitted,
    release_form_pdf,
    rems_forms_for,
)
from ketacare.chair.rems_form import rems_form_of
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required, parse_id
from ketacare.treatment.models import TreatmentSession
from ketacare.treatment.queries import SESSION

PAGE_SIZE = 50


def _forbidden(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "clinics/forbidden.html", {"membership": membership}, status=403)


def _offset(request: HttpRequest) -> int:
    value = request.GET.get("offset", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def pdf_filename(session_id: int) -> str:
    """The download's name: ids only, never the patient's name."""
    return f"rems-monitoring-form-session-{session_id}.pdf"


@require_GET
@membership_required(Permission.VIEW_SESSION, object_type=PATIENT_LIST_OBJECT_TYPE)
def rems_forms(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The clinic's forms due (earliest deadline first), or with `?status=submitted` the forms
    marked submitted (latest first); `?offset=` pages through them."""
    status = FormStatus.SUBMITTED if request.GET.get("status") == "submitted" else FormStatus.DUE
    offset = _offset(request)
    due = rems_forms_for(membership, FormStatus.DUE)
    counts = {
        FormStatus.DUE: due.count(),
        FormStatus.SUBMITTED: rems_forms_for(membership, FormStatus.SUBMITTED).count(),
    }
    rows = list(rems_forms_for(membership, status)[offset : offset + PAGE_SIZE])
    today = timezone.localdate()
    # Names are shown: the ids of the patients let the audit report find this read under each.
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=sorted({row.patient_id for row in rows}),
        detail=f"rems_forms status={status} offset={offset} shown={len(rows)} "
        f"total={counts[status]}",
    )
    items = []
    for row in rows:
        left = days_left(row, today)
        items.append({"form": row, "days_left": left, "overdue": left < 0, "days_overdue": -left})
    here = reverse("rems:forms") + ("?status=submitted" if status == FormStatus.SUBMITTED else "")
    context: dict[str, Any] = {
        "membership": membership,
        "status": status.value,
        "items": items,
        "counts": {key.value: value for key, value in counts.items()},
        "overdue_count": due.filter(due_on__lt=today).count() if status == FormStatus.DUE else 0,
        "deadline_days": int(DEFAULT_SETTINGS.value("SAFE-REMS-FORM", "submission_within_days")),
        "can_submit": has_permission(membership, Permission.SUBMIT_REMS_FORM),
        "offset": offset,
        "previous_offset": max(offset - PAGE_SIZE, 0) if offset else None,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < counts[status] else None,
        "here": here,
        "today": today,
    }
    return render(request, "chair/rems_forms.html", context)


@require_POST
@membership_required(
    Permission.SUBMIT_REMS_FORM,
    object_type=REMS_FORM,
    action=Action.UPDATE,
    in_path=InPath(RemsForm, "form_id", REMS_FORM),
)
def mark_submitted(request: HttpRequest, form_id: int, *, membership: Membership) -> HttpResponse:
    """Mark one form submitted; back to where the button was, with a message either way."""
    back = _safe_next(request, reverse("rems:forms"))
    try:
        form = get_rems_form_for(
            membership,
            form_id,
            permission=Permission.SUBMIT_REMS_FORM,
            action=Action.UPDATE,
            audit_read=False,
        )
    except PermissionDenied:
        return _forbidden(request, membership)
    version = parse_id(request.POST.get("version"))
    if version is None:
        messages.error(request, "The form's version is missing: reload the page and try again.")
        return HttpResponseRedirect(back)
    try:
        mark_rems_submitted(form=form, version=version, by=membership)
    except RemsConflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(
            request,
            f"REMS form of session {form.session.number} on {form.session.date:%Y-%m-%d} marked "
            "submitted.",
        )
    return HttpResponseRedirect(back)


@require_GET
@membership_required(
    Permission.VIEW_SESSION,
    object_type=REMS_FORM,
    in_path=InPath(TreatmentSession, "session_id", SESSION),
)
def form_page(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    """One session's form as a page: the fields, the PDF link and the submitted state."""
    try:
        chair = get_form_chair_for(membership, session_id)
    except PermissionDenied:
        return _forbidden(request, membership)
    except RemsConflict as conflict:
        context = {"membership": membership, "pending": conflict.detail, "rems": None}
        return render(request, "chair/rems_form.html", context, status=409)
    data = rems_form_of(chair, clinic=membership.clinic)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=REMS_FORM,
        object_id=data.form_id,
        patient_id=chair.session.patient_id,
        detail=f"page session={chair.session.pk}",
    )
    context = {
        "membership": membership,
        "rems": data,
        "version": chair.rems_form.version if chair.rems_form is not None else None,
        "days_left": (data.due_on - timezone.localdate()).days,
        "can_submit": has_permission(membership, Permission.SUBMIT_REMS_FORM),
        "here": request.get_full_path(),
    }
    return render(request, "chair/rems_form.html", context)


@require_GET
@membership_required(
    Permission.VIEW_SESSION,
    object_type=REMS_FORM,
    action=Action.EXPORT,
    in_path=InPath(TreatmentSession, "session_id", SESSION),
)
def form_pdf_download(
    request: HttpRequest, session_id: int, *, membership: Membership
) -> HttpResponse:
    """The form as a PDF; its release is an audited export."""
    try:
        chair = get_form_chair_for(membership, session_id, action=Action.EXPORT)
    except PermissionDenied:
        return _forbidden(request, membership)
    except RemsConflict as conflict:
        context = {"membership": membership, "pending": conflict.detail, "rems": None}
        return render(request, "chair/rems_form.html", context, status=409)
    return pdf_response(release_form_pdf(chair=chair, by=membership), chair.session.pk)


def pdf_response(pdf: bytes, session_id: int) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(session_id)}"'
    # Patient data: never kept by a shared cache or the browser's.
    response["Cache-Control"] = "no-store"
    return response
