"""The patient's outcomes page: one section per scale, a chart and a table beside it, the status.

    /patients/<id>/outcomes/    VIEW_CLINICAL (prescriber, nurse, clinic admin, auditor)

Another clinic's patient is a 404 before any role check; a role without VIEW_CLINICAL the 403
page. The page reads through `trajectory.read_trajectories` (audited) and draws each chart with
`charts.render_chart`; the number of queries does not grow with the number of assessments.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required
from ketacare.outcomes.charts import render_chart
from ketacare.outcomes.early_warning import open_early_warnings
from ketacare.outcomes.trajectory import OUTCOMES_OBJECT, read_trajectories, session_dates
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for


def forbidden(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "clinics/forbidden.html", {"membership": membership}, status=403)


@require_GET
@membership_required(
    Permission.VIEW_CLINICAL,
    object_type=OUTCOMES_OBJECT,
    in_path=InPath(Patient, "patient_id", "patient"),
)
def outcomes_page(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """Every outcome scale the patient answered: chart, table of days, status."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    try:
        trajectories = read_trajectories(membership, patient)
    except PermissionDenied:
        return forbidden(request, membership)
    dates = session_dates(patient.pk, patient.clinic_id) if trajectories else []
    sections = [
        {
            "trajectory": trajectory,
            "chart": render_chart(trajectory, dates, chart_id=f"chart-{trajectory.instrument}"),
            "summary": trajectory.summary,
        }
        for trajectory in trajectories
    ]
    context: dict[str, Any] = {
        "membership": membership,
        "patient": patient,
        "sections": sections,
        "session_count": len(dates),
        "warnings": open_early_warnings(patient),
        "chart_url": reverse("patients:chart", args=[patient.pk]),
        "can_book_booster": has_permission(membership, Permission.SIGN_PLAN),
        "can_release": has_permission(membership, Permission.RELEASE_REPORT),
    }
    return render(request, "outcomes/trajectory_page.html", context)
