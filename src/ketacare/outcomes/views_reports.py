"""The chart's "Reported by the patient" section: what patients wrote through their links.

The chart loads the section with htmx (so the chart page's own queries do not change); without
JavaScript its link opens the same list as a page. "Mark reviewed" posts back here and returns
to wherever it came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required
from ketacare.outcomes.reports import NOTE_MAX_LENGTH, OBJECT_TYPE, mark_reviewed, reports_for
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for

_PATIENT = InPath(Patient, "patient_id", "patient")


@require_GET
@membership_required(Permission.VIEW_CLINICAL, object_type=OBJECT_TYPE, in_path=_PATIENT)
def patient_reports(
    request: HttpRequest, patient_id: int, *, membership: Membership
) -> HttpResponse:
    patient = get_patient_for(membership, patient_id, audit_read=False)
    context = {
        "patient": patient,
        "reports": reports_for(by=membership, patient=patient),
        "can_review": has_permission(membership, Permission.CHART_CLINICAL),
        "note_max_length": NOTE_MAX_LENGTH,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "outcomes/reports/_section.html", context)
    return render(request, "outcomes/reports/page.html", context)


@require_POST
@membership_required(
    Permission.CHART_CLINICAL, object_type=OBJECT_TYPE, action=Action.UPDATE, in_path=_PATIENT
)
def review_report(
    request: HttpRequest, patient_id: int, report_id: int, *, membership: Membership
) -> HttpResponse:
    patient = get_patient_for(membership, patient_id, audit_read=False)
    try:
        mark_reviewed(
            by=membership,
            patient=patient,
            report_id=report_id,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except Conflict as conflict:
        messages.info(request, conflict.detail)
    else:
        messages.success(request, "Marked reviewed.")
    target = reverse("patients:chart", args=[patient.pk]) + "#patient-reports"
    if request.POST.get("back") == "list":
        target = reverse("outcomes:patient-reports", args=[patient.pk])
    return HttpResponseRedirect(target)
