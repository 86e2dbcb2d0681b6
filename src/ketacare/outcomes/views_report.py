"""The progress report for the referring clinician (PDF, WeasyPrint).

    /patients/<id>/progress-report/     the page: release form, preview link, earlier releases
    /patients/<id>/progress-report.pdf  GET: the preview, "NOT RELEASED" on every page
                                        POST: release it (recipient, purpose) and download it

The page and the preview need VIEW_CLINICAL; a release RELEASE_REPORT (prescribers). Another
clinic's patient is a 404 before any role check. A release with a field missing or too long is
the page again (400) naming the field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required, require_role
from ketacare.outcomes.progress_report import (
    PURPOSE_MAX_CHARS,
    RECIPIENT_MAX_CHARS,
    REPORT,
    preview_pdf,
    release_report,
    releases_of,
)
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for

PATIENT_IN_PATH = InPath(Patient, "patient_id", "patient")


class ReleaseForm(forms.Form):
    recipient = forms.CharField(
        label="Recipient",
        max_length=RECIPIENT_MAX_CHARS,
        help_text="The referring clinician or service the report goes to.",
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=PURPOSE_MAX_CHARS,
        help_text="Why it is released, e.g. continuity of care.",
    )


def _forbidden(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "clinics/forbidden.html", {"membership": membership}, status=403)


def pdf_filename(patient_id: int, *, released: bool) -> str:
    """Ids only, never the patient's name."""
    return f"progress-report-patient-{patient_id}{'' if released else '-not-released'}.pdf"


def _pdf(pdf: bytes, patient_id: int, *, released: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if released else "inline"
    name = pdf_filename(patient_id, released=released)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    # Patient data: never kept by a shared cache or the browser's.
    response["Cache-Control"] = "no-store"
    return response


def _page(
    request: HttpRequest, membership: Membership, patient: Patient, form: ReleaseForm, status: int
) -> HttpResponse:
    releases = releases_of(patient)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=REPORT,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"releases shown={len(releases)}",
    )
    context: dict[str, Any] = {
        "membership": membership,
        "patient": patient,
        "form": form,
        "releases": releases,
        "can_release": has_permission(membership, Permission.RELEASE_REPORT),
        "outcomes_url": reverse("outcomes:patient-outcomes", args=[patient.pk]),
    }
    return render(request, "outcomes/report_page.html", context, status=status)


@require_GET
@membership_required(Permission.VIEW_CLINICAL, object_type=REPORT, in_path=PATIENT_IN_PATH)
def report_page(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    patient = get_patient_for(membership, patient_id, audit_read=False)
    return _page(request, membership, patient, ReleaseForm(), 200)


@require_http_methods(["GET", "POST"])
@membership_required(
    Permission.VIEW_CLINICAL,
    object_type=REPORT,
    action=Action.EXPORT,
    in_path=PATIENT_IN_PATH,
)
def report_pdf(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """GET: the watermarked preview. POST: the release, recorded, then the released PDF."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    if request.method == "GET":
        try:
            return _pdf(preview_pdf(membership, patient), patient.pk, released=False)
        except PermissionDenied:
            return _forbidden(request, membership)
    try:
        require_role(
            membership,
            Permission.RELEASE_REPORT,
            action=Action.EXPORT,
            object_type=REPORT,
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    except PermissionDenied:
        return _forbidden(request, membership)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, patient, form, 400)
    try:
        _release, pdf = release_report(
            membership,
            patient,
            recipient=form.cleaned_data["recipient"],
            purpose=form.cleaned_data["purpose"],
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, membership, patient, form, 400)
    return _pdf(pdf, patient.pk, released=True)
