"""Recording a rating scale item by item, and its scored result.

`/patients/<id>/scales/new/?instrument=phq9` is the form of one instrument (the chart shows the
same form in its Rating scales section for `/patients/<id>/?instrument=phq9`; htmx swaps it in
place). The answers go through `services.record_assessment`, scored by the clinical core exactly
as the API and `ketacare score`; the result page shows total, severity and flags with the core's
own wording.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.instruments import (
    INSTRUMENTS,
    RISK_HIGH,
    RISK_MODERATE,
    needs_alert,
    review_urgency,
)
from ketacare.clinical.rules import REGISTRY
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import membership_required
from ketacare.patients import services
from ketacare.patients.models import Assessment, Patient
from ketacare.patients.queries import get_assessment_for, get_patient_for
from ketacare.patients.scale_forms import (
    ScaleForm,
    ScalePickerForm,
    apply_scale_errors,
    option_label,
)
from ketacare.patients.services._common import require

FLAG_TITLES = {
    "suicidal_ideation": "Suicidal ideation",
    RISK_HIGH: "High risk",
    RISK_MODERATE: "Moderate risk",
    "risk_low": "Low risk",
    "positive_screen": "Positive screen",
}
_SAFETY_RULE = re.compile(r"\bSAFE-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")


def flag_title(name: str) -> str:
    """A scale's flag as people read it ("Suicidal ideation"); also the `flag_title` filter."""
    return FLAG_TITLES.get(name, str(name).replace("_", " ").capitalize())


def scale_entry(membership: Membership, instrument: str | None) -> dict[str, Any] | None:
    """The chart's "Record a rating scale" block: the picker, and the chosen instrument's form
    when `?instrument=` names one. None for roles that do not chart (the block is not shown)."""
    if not has_permission(membership, Permission.CHART_CLINICAL):
        return None
    if instrument is None:
        return {"picker": ScalePickerForm(), "form": None, "open": False, "invalid": False}
    picker = ScalePickerForm({"instrument": instrument})
    definition = picker.definition()
    form = ScaleForm(definition=definition) if definition is not None else None
    return {"picker": picker, "form": form, "open": True, "invalid": definition is None}


def _new_scale_url(patient: Patient, instrument: str = "") -> str:
    url = reverse("patients:new-scale", args=[patient.pk])
    return f"{url}?instrument={instrument}" if instrument else url


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type="assessment", action=Action.CREATE)
def new_scale(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """Pick an instrument and answer its items; saved and scored, then its result page. A
    missing or contradictory answer is a form error naming the item, and nothing is saved."""
    # Another clinic's patient is a 404 before the role check (never a 403 across clinics).
    patient = get_patient_for(membership, patient_id, audit_read=False)
    posting = request.method == "POST"
    require(
        membership,
        Permission.CHART_CLINICAL,
        action=Action.CREATE if posting else Action.READ,
        object_type="assessment",
        patient=patient,
    )
    source = request.POST if posting else request.GET
    raw = source.get("instrument", request.GET.get("instrument"))
    # Posted without an instrument, the picker says so; a plain GET just shows it.
    bound = posting or raw is not None
    picker = ScalePickerForm({"instrument": raw or ""} if bound else None)
    definition = picker.definition()
    form = None
    # A bad `?instrument=` (or none, posted) is the picker's form error.
    status = 400 if picker.errors else 200
    if definition is not None:
        form = ScaleForm(request.POST if posting else None, definition=definition)
        if posting and not form.is_valid():
            status = 400
        elif posting:
            try:
                record = services.record_assessment(
                    by=membership,
                    patient=patient,
                    instrument=definition.id,
                    answers=form.answers(),
                    completed_at=form.cleaned_data["completed_at"],
                )
            except ValidationError as error:
                apply_scale_errors(form, error)
                status = 400
            else:
                messages.success(request, "Scale recorded and scored.")
                url = reverse("patients:scale", args=[patient.pk, record.pk])
                return HttpResponseRedirect(url)
    context = {
        "membership": membership,
        "patient": patient,
        "picker": picker,
        "form": form,
        "definition": definition,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not posting and not htmx.history_restore_request:
        # The chart's picker swaps the chosen instrument's form in place: no patient data in it.
        # Always 200, so that choosing the blank entry swaps the old form out (htmx ignores 4xx).
        response = render(request, "patients/_scale_form.html", context)
    else:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
        )
        response = render(request, "patients/scale_new.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _flag_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """Each raised flag with the core's description and the safety rules it cites."""
    definition = INSTRUMENTS.get(assessment.instrument)
    described = {f.name: f.description for f in definition.flags} if definition else {}
    rows = []
    for name in assessment.flags:
        description = described.get(name, "")
        rules = [
            {"id": rule_id, "summary": REGISTRY[rule_id].summary}
            for rule_id in dict.fromkeys(_SAFETY_RULE.findall(description))
            if rule_id in REGISTRY
        ]
        rows.append(
            {
                "name": name,
                "title": flag_title(name),
                "description": description,
                "rules": rules,
                # How soon is the clinical core's (SAFE-ITEM9, SAFE-SI-FLAGS, SAFE-CSSRS-HIGH).
                "urgent": needs_alert(name),
                "review": review_urgency(name),
            }
        )
    # The urgent ones first, so the most pressing is what a person reads first.
    return sorted(rows, key=lambda row: not row["urgent"])


def _answer_rows(assessment: Assessment) -> list[dict[str, Any]]:
    definition = INSTRUMENTS.get(assessment.instrument)
    answers = assessment.answers if isinstance(assessment.answers, list) else []
    rows = []
    for index, value in enumerate(answers):
        item = definition.items[index] if definition and index < len(definition.items) else None
        label = "Not asked" if value is None else str(value)
        if item is not None and value is not None:
            label = next(
                (
                    option_label(o)
                    for o in item.options
                    if o.value == value and isinstance(o.value, bool) == isinstance(value, bool)
                ),
                label,
            )
        text = item.text if item is not None else ""
        rows.append({"number": index + 1, "text": text, "answer": label})
    return rows


@require_GET
@membership_required(Permission.VIEW_PATIENT, object_type="assessment")
def scale_result(
    request: HttpRequest, patient_id: int, assessment_id: int, *, membership: Membership
) -> HttpResponse:
    """One recorded scale: total, severity, flags (with the core's wording) and the answers."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    require(
        membership,
        Permission.VIEW_CLINICAL,
        action=Action.READ,
        object_type="assessment",
        patient=patient,
    )
    assessment = get_assessment_for(membership, patient, assessment_id)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type="assessment",
        object_id=assessment.pk,
        patient_id=patient.pk,
    )
    definition = INSTRUMENTS.get(assessment.instrument)
    band = None
    if definition is not None and assessment.total is not None:
        band = next((b for b in definition.bands if b.label == assessment.severity), None)
    can_chart = has_permission(membership, Permission.CHART_CLINICAL)
    context = {
        "membership": membership,
        "patient": patient,
        "assessment": assessment,
        "definition": definition,
        "band": band,
        "severity": assessment.severity.replace("_", " "),
        "flags": _flag_rows(assessment),
        "answers": _answer_rows(assessment),
        "can_chart": can_chart,
        "again_url": _new_scale_url(patient, assessment.instrument) if can_chart else "",
    }
    return render(request, "patients/scale_result.html", context)
