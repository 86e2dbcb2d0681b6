"""Schedule a booster session from an early warning (OUT-EARLY-WARNING, SAFE-RELAPSE-WARN).

    /patients/<id>/booster/?alert=<alert id>   GET the form, POST to book (SIGN_PLAN)

The booster is a new session of the patient's active plan, booked by
`ketacare.treatment.boosters.add_booster_session` (the clinical core judges its date as it
judges a move). When the page was opened from an early warning, the alert records the session in
the same transaction. Another clinic's patient or alert is a 404; a role without SIGN_PLAN the
403 page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import InPath, deny_not_found, membership_required, parse_id
from ketacare.outcomes.early_warning import ALERT, RULE_ID
from ketacare.outcomes.models import AlertKind, OutcomeAlert
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for
from ketacare.treatment.boosters import add_booster_session
from ketacare.treatment.errors import ConflictCode, TreatmentConflict
from ketacare.treatment.forms import DATE_INPUT
from ketacare.treatment.models import PlanStatus, TreatmentPlan, TreatmentSession
from ketacare.treatment.queries import require
from ketacare.treatment.services import REASON_MAX_CHARS


class BoosterForm(forms.Form):
    date = forms.DateField(label="Date of the booster", widget=DATE_INPUT)
    time = forms.TimeField(
        label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_CHARS,
        help_text="Kept with the session, e.g. the early warning that prompted it.",
    )
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _early_warning(membership: Membership, patient: Patient, raw: object) -> OutcomeAlert | None:
    """The patient's early-warning alert named by `?alert=` (404 for any other id)."""
    if raw in (None, ""):
        return None
    pk = parse_id(raw)
    found = (
        OutcomeAlert.objects.filter(
            clinic_id=membership.clinic_id,
            patient_id=patient.pk,
            kind=AlertKind.EARLY_WARNING,
            pk=pk,
        ).first()
        if pk is not None
        else None
    )
    if found is None:
        raise deny_not_found(
            membership=membership, object_type=ALERT, object_id=raw, patient_id=patient.pk
        )
    return found


def _record_booster(alert: OutcomeAlert, membership: Membership) -> Any:
    """`then` of the booking: the alert keeps the session it asked for (once)."""

    def link(session: TreatmentSession) -> None:
        locked = OutcomeAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.booster_session_id is not None:
            raise TreatmentConflict(
                ConflictCode.RULE_REFUSED, "A booster was already booked from this early warning."
            )
        locked.booster_session = session
        locked.save(update_fields=["booster_session"])
        record_event(
            action=Action.UPDATE,
            membership=membership,
            object_type=ALERT,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail=f"booster_session={session.pk} rule={RULE_ID}",
        )

    return link


@require_http_methods(["GET", "POST"])
@membership_required(
    Permission.SIGN_PLAN,
    object_type="treatment_session",
    action=Action.CREATE,
    in_path=InPath(Patient, "patient_id", "patient"),
)
def booster_page(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """The form of a booster session of the patient's active plan; booked, to the plan's page."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    posting = request.method == "POST"
    try:
        require(
            membership,
            Permission.SIGN_PLAN,
            action=Action.CREATE if posting else Action.READ,
            object_type="treatment_session",
            patient_id=patient.pk,
        )
    except PermissionDenied:
        return render(request, "clinics/forbidden.html", {"membership": membership}, status=403)
    source = request.POST if posting else request.GET
    alert = _early_warning(membership, patient, source.get("alert"))
    plan = (
        TreatmentPlan.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, status=PlanStatus.ACTIVE
        )
        .prefetch_related("orders")
        .first()
    )
    status, refusals = 200, []
    if posting:
        form = BoosterForm(request.POST)
        status = 400
        if form.is_valid() and plan is None:
            form.add_error(None, "The patient has no active plan: start one first.")
            status = 409
        elif form.is_valid() and plan is not None:
            data = form.cleaned_data
            try:
                booked = add_booster_session(
                    plan=plan,
                    date=data["date"],
                    time=data["time"],
                    reason=data["reason"],
                    by=membership,
                    then=_record_booster(alert, membership) if alert is not None else None,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except TreatmentConflict as conflict:
                form.add_error(None, conflict.detail)
                refusals, status = conflict.reasons, 409
            else:
                session = booked.session
                messages.success(
                    request,
                    f"Booster booked: session {session.number} on {session.date.isoformat()}.",
                )
                for warning in booked.warnings:
                    messages.warning(request, warning)
                return HttpResponseRedirect(reverse("treatment:plan", args=[plan.pk]))
    else:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type="treatment_plan",
            object_id=plan.pk if plan is not None else "",
            patient_id=patient.pk,
            detail="booster form" + (f" alert={alert.pk}" if alert is not None else ""),
        )
        reason = "Early warning: consider booster/maintenance." if alert is not None else ""
        form = BoosterForm(initial={"alert": alert.pk if alert else None, "reason": reason})
    last = (
        plan.sessions.exclude(status="cancelled").order_by("-number").first()
        if plan is not None
        else None
    )
    context = {
        "membership": membership,
        "patient": patient,
        "plan": plan,
        "last_session": last,
        "alert": alert,
        "form": form,
        "refusals": refusals,
        "outcomes_url": reverse("outcomes:patient-outcomes", args=[patient.pk]),
    }
    return render(request, "outcomes/booster_form.html", context, status=status)
