"""The chart's pages: register a patient, the chart with an "Add …" form per section (drawn
when opened: htmx, or a page of its own without JavaScript), the demographics edit (optimistic
version), amending a note. Views parse, call the services in
`ketacare.patients.services` (the same as the API) and render; the services check the role."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import membership_required, parse_id
from ketacare.patients import services
from ketacare.patients.forms import (
    RECORD_FORMS,
    AmendNoteForm,
    DemographicsForm,
    apply_errors,
)
from ketacare.patients.models import Consent, Patient
from ketacare.patients.queries import chart_view, get_note_for, get_patient_for
from ketacare.patients.scale_forms import ScalePickerForm
from ketacare.patients.scale_views import scale_entry
from ketacare.patients.services._common import require

# Which permission shows a section's form on the chart (the service checks it again).
FORM_PERMISSION: dict[str, Permission] = {
    "consents": Permission.RECORD_CONSENT,
    "notes": Permission.SIGN_NOTE,
}
SECTION_TITLES: dict[str, str] = {
    "weights": "Add a weight",
    "vitals": "Record office vitals",
    "allergies": "Add an allergy",
    "medications": "Add a medication",
    "conditions": "Add a condition",
    "trials": "Add a trial",
    "consents": "Record a consent",
    "notes": "Write and sign a note",
}
SAVED: dict[str, str] = {
    "weights": "Weight recorded.",
    "vitals": "Vitals recorded.",
    "allergies": "Allergy added.",
    "medications": "Medication added.",
    "conditions": "Condition added.",
    "trials": "Trial added to the ledger.",
    "consents": "Consent recorded.",
    "notes": "Note signed.",
}


def _chart_url(patient_id: int, anchor: str = "") -> str:
    url = reverse("patients:chart", args=[patient_id])
    return f"{url}#{anchor}" if anchor else url


def _record(section: str, membership: Membership, patient: Patient, data: dict[str, Any]) -> Any:
    """Call the section's service with the form's cleaned data."""
    writers: dict[str, Callable[..., Any]] = {
        "weights": services.record_weight,
        "vitals": services.record_office_vitals,
        "allergies": services.add_allergy,
        "medications": services.add_medication,
        "conditions": services.add_condition,
        "trials": services.add_trial,
        "consents": services.record_consent,
        "notes": services.sign_note,
    }
    return writers[section](by=membership, patient=patient, **data)


def _section_permission(section: str) -> Permission:
    return FORM_PERMISSION.get(section, Permission.CHART_CLINICAL)


def _url_of(name: str, patient_id: int) -> Callable[[object], str]:
    """`name`'s URL for this patient and any record id (or section), reversed once for all the
    chart's rows: the record id is the URL's last argument, reversed as 0 and put in its place."""
    head, _, tail = reverse(name, args=[patient_id, 0]).rpartition("/0/")
    return lambda record_id: f"{head}/{record_id}/{tail}"


def _section_entry(
    patient: Patient, section: str, form: forms.Form | None, *, url: str = ""
) -> dict[str, Any]:
    """One section's add-form as `_section_form.html` shows it: open with `form`, else the
    "Add …" link that opens it (htmx, or the form's own page without JavaScript)."""
    return {
        "form": form,
        "title": SECTION_TITLES[section],
        "open": form is not None,
        "action": section,
        "url": url or reverse("patients:add", args=[patient.pk, section]),
    }


def _section_forms(
    membership: Membership, patient: Patient, bound: dict[str, forms.Form] | None = None
) -> dict[str, dict[str, Any]]:
    """The add-forms the role may use, each with its title. Only a bound (invalid) one is
    rendered, open; the others are a link each: eight forms on every view of the chart were
    half of its cost (bench/results.md)."""
    shown: dict[str, dict[str, Any]] = {}
    add_url = _url_of("patients:add", patient.pk)
    for section in RECORD_FORMS:
        if has_permission(membership, _section_permission(section)):
            form = (bound or {}).get(section)
            shown[section] = _section_entry(patient, section, form, url=add_url(section))
    return shown


def _link_rows(view: dict[str, Any], patient_id: int) -> None:
    """The chart rows' own links and labels, set once here rather than per row in the template."""
    for row in view["consents"]:
        row["label"] = services.CONSENT_DOCUMENTS.get(row["document"], row["document"])
    _link(view["consents"], "patients:withdraw-consent", patient_id, "withdraw_url")
    if "notes" not in view:  # not clinical: the other sections are not read
        return
    _link(view["allergies"], "patients:remove-allergy", patient_id)
    _link(view["current_medications"], "patients:stop-medication", patient_id)
    _link(view["assessments"], "patients:scale", patient_id)
    for row in view["active_conditions"]:  # a code, not a number: reversed as it is
        row["url"] = reverse("patients:resolve-condition", args=[patient_id, row["code"]])
    _link(
        [t["latest"] for t in view["note_threads"]], "patients:amend-note", patient_id, "amend_url"
    )


def _link(rows: list[dict[str, Any]], name: str, patient_id: int, key: str = "url") -> None:
    if rows:
        url = _url_of(name, patient_id)
        for row in rows:
            row[key] = url(row["id"])


@cache
def _picker_field() -> str:
    """The rating-scale picker's field before a scale is chosen, drawn once per process: the
    same fixed list of the chart's scales for everyone (nothing of a patient, user or clinic)."""
    return render_to_string("accounts/_field.html", {"field": ScalePickerForm()["instrument"]})


def _render_chart(
    request: HttpRequest,
    membership: Membership,
    patient: Patient,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    instrument: str | None = None,
) -> HttpResponse:
    clinical = has_permission(membership, Permission.VIEW_CLINICAL)
    # `?instrument=phq9` opens that scale's per-item form in the Rating scales section.
    scale = scale_entry(membership, instrument)
    if scale is not None and scale["invalid"]:
        status = 400
    if scale is not None and not scale["picker"].is_bound:
        scale["picker_field"] = _picker_field()
    view = chart_view(patient, clinical=clinical)
    _link_rows(view, patient.pk)
    # Consents come newest first: the first treatment consent is the latest signature.
    latest = next(
        (c for c in view["consents"] if c["document"] == services.TREATMENT_CONSENT), None
    )
    consent = (
        None
        if latest is None
        else Consent(signed_on=latest["signed_on"], withdrawn_on=latest["withdrawn_on"])
    )
    record_event(
        action=Action.READ,
        membership=membership,
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail="chart sections=" + ",".join(view["sections"]),
    )
    context = {
        "membership": membership,
        "patient": patient,
        "clinical": clinical,
        "view": view,
        "forms": _section_forms(membership, patient, bound),
        "scale": scale,
        "treatment_consent": consent,
        "consent_current": services.consent_stands(consent),
        "can_chart": has_permission(membership, Permission.CHART_CLINICAL),
        "can_edit": has_permission(membership, Permission.CHANGE_PATIENT),
        "can_consent": has_permission(membership, Permission.RECORD_CONSENT),
        "can_sign": has_permission(membership, Permission.SIGN_NOTE),
    }
    return render(request, "patients/chart.html", context, status=status)


# --- pages ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.ADD_PATIENT, object_type="patient", action=Action.CREATE)
def register(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """Register a patient (add_patient roles), then open the chart."""
    clinical = has_permission(membership, Permission.CHART_CLINICAL)
    form = DemographicsForm(request.POST or None, clinical=clinical, editing=False)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                patient = services.register_patient(by=membership, **data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Patient registered with MRN {patient.mrn}.")
                return HttpResponseRedirect(_chart_url(patient.pk))
    return render(
        request, "patients/register.html", {"membership": membership, "form": form}, status=status
    )


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.VIEW_PATIENT, object_type="patient")
def chart(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    patient = get_patient_for(membership, patient_id, audit_read=False)
    return _render_chart(request, membership, patient, instrument=request.GET.get("instrument"))


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type="patient", action=Action.CREATE)
def add_record(
    request: HttpRequest, patient_id: int, section: str, *, membership: Membership
) -> HttpResponse:
    """One section's add-form. GET: the empty form, as a fragment for the chart's htmx "Add …"
    link, or on a page of its own (the same link without JavaScript). POST: saved and back to
    the chart, or the chart again with the form open and its errors (400; 409 for a conflict).
    """
    form_class = RECORD_FORMS.get(section)
    if form_class is None:
        raise Http404("No such chart section.")
    patient = get_patient_for(membership, patient_id, audit_read=False)
    if request.method != "POST":
        return _add_form_page(request, membership, patient, section, form_class)
    form = form_class(request.POST, prefix=section)
    status = 400
    if form.is_valid():
        try:
            _record(section, membership, patient, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
            status = 409
        else:
            messages.success(request, SAVED[section])
            return HttpResponseRedirect(_chart_url(patient.pk, section))
    return _render_chart(request, membership, patient, bound={section: form}, status=status)


def _add_form_page(
    request: HttpRequest,
    membership: Membership,
    patient: Patient,
    section: str,
    form_class: type[forms.Form],
) -> HttpResponse:
    # The role check the service makes on saving, made before showing the form (audited 403).
    require(
        membership,
        _section_permission(section),
        action=Action.READ,
        object_type="patient",
        patient=patient,
    )
    form = form_class(prefix=section)
    first = next(iter(form.fields.values()), None)
    if first is not None:  # opened to be filled in: the cursor goes to its first field
        first.widget.attrs["autofocus"] = True
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    # The form's own page shows who it is for: a read of the patient, audited as the chart is.
    record_event(
        action=Action.READ,
        membership=membership,
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"add-form section={section}",
    )
    context = {
        "membership": membership,
        "patient": patient,
        "entry": _section_entry(patient, section, form),
    }
    template = "patients/_section_form.html" if fragment else "patients/add_record.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@membership_required(Permission.VIEW_PATIENT, object_type="patient", action=Action.UPDATE)
def record_action(
    request: HttpRequest, patient_id: int, action: str, record_id: str, *, membership: Membership
) -> HttpResponse:
    """The chart's one-button changes: stop a medication, resolve a condition, mark an allergy
    inactive, withdraw a consent (each kept in the chart's history)."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    anchors = {
        "stop-medication": "medications",
        "resolve-condition": "conditions",
        "remove-allergy": "allergies",
        "withdraw-consent": "consents",
    }
    if action not in anchors:
        raise Http404("No such action.")
    pk = parse_id(record_id)
    try:
        if action == "resolve-condition":
            services.resolve_condition(by=membership, patient=patient, code=record_id)
        elif pk is None:
            raise Http404("No such record.")
        elif action == "stop-medication":
            services.stop_medication(by=membership, patient=patient, medication_id=pk)
        elif action == "remove-allergy":
            services.remove_allergy(by=membership, patient=patient, allergy_id=pk)
        else:
            services.withdraw_consent(by=membership, patient=patient, consent_id=pk)
    except (ValidationError, Conflict) as error:
        text = error.detail if isinstance(error, Conflict) else " ".join(error.messages)
        messages.error(request, text)
    else:
        messages.success(request, "Saved; the earlier state stays in the chart's history.")
    return HttpResponseRedirect(_chart_url(patient.pk, anchors[action]))


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type="patient", action=Action.UPDATE)
def edit(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """Demographics, contact, emergency contact (change_patient) and diagnosis, pregnancy
    status and psychiatric history (chart_clinical): each role sees the part it may change.
    Saved only over the version the editor loaded."""
    patient = get_patient_for(membership, patient_id)
    demographic = has_permission(membership, Permission.CHANGE_PATIENT)
    clinical = has_permission(membership, Permission.CHART_CLINICAL)
    if not (demographic or clinical):
        require(membership, Permission.CHANGE_PATIENT, action=Action.UPDATE, object_type="patient")
    status = 200
    problem = ""
    if request.method == "POST":
        form = DemographicsForm(
            request.POST, clinical=clinical, editing=True, demographic=demographic
        )
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            changes = {k: v for k, v in data.items() if v != getattr(patient, k)}
            try:
                services.update_patient(
                    by=membership, patient=patient, version=version, changes=changes
                )
            except ValidationError as error:
                apply_errors(form, error)
            except Conflict as conflict:
                problem, status = conflict.detail, 409
            else:
                messages.success(request, "Patient record saved.")
                return HttpResponseRedirect(_chart_url(patient.pk))
    else:
        initial = {name: getattr(patient, name) for name in services.EDITABLE_FIELDS}
        form = DemographicsForm(
            initial={**initial, "version": patient.version},
            clinical=clinical,
            editing=True,
            demographic=demographic,
        )
    context = {"membership": membership, "patient": patient, "form": form, "problem": problem}
    return render(request, "patients/edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.VIEW_PATIENT, object_type="care_note", action=Action.CREATE)
def amend_note(
    request: HttpRequest, patient_id: int, note_id: int, *, membership: Membership
) -> HttpResponse:
    """Amend a signed note: a new signed version; the earlier one stays readable."""
    # Another clinic's patient is a 404 before the role check (never a 403 across clinics).
    patient = get_patient_for(membership, patient_id, audit_read=False)
    require(
        membership,
        Permission.SIGN_NOTE,
        action=Action.CREATE,
        object_type="care_note",
        patient=patient,
    )
    action = Action.CREATE if request.method == "POST" else Action.READ
    note = get_note_for(membership, patient, note_id, action=action)
    status = 200
    problem = ""
    if request.method == "POST":
        form = AmendNoteForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.amend_note(
                    by=membership,
                    patient=patient,
                    note_id=note.pk,
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            except Conflict as conflict:
                problem, status = conflict.detail, 409
            else:
                messages.success(request, "Amendment signed.")
                return HttpResponseRedirect(_chart_url(patient.pk, "notes"))
    else:
        form = AmendNoteForm(initial={"text": note.text})
    record_event(
        action=Action.READ,
        membership=membership,
        object_type="care_note",
        object_id=note.pk,
        patient_id=patient.pk,
    )
    context = {
        "membership": membership,
        "patient": patient,
        "note": note,
        "form": form,
        "problem": problem,
    }
    return render(request, "patients/amend_note.html", context, status=status)
