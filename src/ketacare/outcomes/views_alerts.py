"""The outcome alerts page (`/outcomes/alerts/`): the clinic's open alerts, urgent first, each
with an acknowledge form that htmx swaps in place (a plain POST and redirect without it); the
navigation's count and the chart's banner, fragments htmx loads after their page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_list_read
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required
from ketacare.outcomes.models import OutcomeAlert
from ketacare.outcomes.services_alerts import ALERT, acknowledge_alert, alerts_for, open_alerts
from ketacare.patients.models import Patient

_alert_in_path = InPath(OutcomeAlert, "alert_id", object_type=ALERT)
# The chart shows this many open alerts; the alerts page has the rest.
BANNER_ROWS = 5


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.VIEW_CLINICAL, object_type=ALERT)
def alerts_page(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    rows = list(alerts_for(membership, only_open=True))
    record_list_read(
        membership=membership,
        object_type=ALERT,
        ids=[row.pk for row in rows],
        detail=f"open=true shown={len(rows)}",
    )
    context = {
        "membership": membership,
        "rows": rows,
        "can_acknowledge": has_permission(membership, Permission.ACKNOWLEDGE_OUTCOME_ALERT),
    }
    return render(request, "outcomes/alerts_page.html", context)


@require_POST
@membership_required(
    Permission.ACKNOWLEDGE_OUTCOME_ALERT,
    object_type=ALERT,
    action=Action.UPDATE,
    in_path=_alert_in_path,
)
def acknowledge(request: HttpRequest, alert_id: int, *, membership: Membership) -> HttpResponse:
    """Acknowledge with the note; htmx gets the alert's row back, done or with the error (a
    200 either way: htmx swaps only successful answers)."""
    htmx = bool(getattr(request, "htmx", False))
    error = ""
    alert = None
    try:
        alert = acknowledge_alert(by=membership, alert_id=alert_id, note=request.POST.get("note"))
    except ValidationError as invalid:
        error = " ".join(invalid.message_dict.get("note", invalid.messages))
    except Conflict as refused:
        error = refused.detail
    if htmx:
        row = alert or OutcomeAlert.objects.select_related("patient").get(pk=alert_id)
        context = {"row": row, "error": error, "can_acknowledge": True}
        return render(request, "outcomes/alerts_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Alert acknowledged.")
    return HttpResponseRedirect(reverse("outcomes:alerts"))


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.ACKNOWLEDGE_OUTCOME_ALERT, object_type=ALERT)
def alert_count(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The navigation's badge, loaded after the page (so no page pays a query for it): how
    many alerts wait; a count only, no patient's data."""
    return render(request, "outcomes/alerts_count.html", {"count": open_alerts(membership).count()})


@require_http_methods(["GET", "HEAD"])
@membership_required(
    Permission.VIEW_CLINICAL,
    object_type=ALERT,
    in_path=InPath(Patient, "patient_id", object_type="patient"),
)
def alert_banner(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """The chart's banner: the patient's open alerts, most urgent first, the read audited."""
    rows = list(open_alerts(membership).filter(patient_id=patient_id)[:BANNER_ROWS])
    if rows:
        record_list_read(
            membership=membership,
            object_type=ALERT,
            ids=[row.pk for row in rows],
            patient_id=patient_id,
            detail=f"chart_banner shown={len(rows)}",
        )
    return render(request, "outcomes/alerts_banner.html", {"rows": rows})
