"""Scoped reads of patient data: every helper takes the acting membership.

Anything outside the membership's clinic is a 404 with a denied audit event; a role without
the read permission gets nothing (deny by default).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied, record_event
from ketacare.clinical.eligibility.chart import (
    MEDICATION_CLASS_CONDITIONS,
    TrialRecord,
    conditions_from_medications,
    failed_adequate_trials,
)
from ketacare.clinics.compiled import CompiledRead
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import deny_not_found, parse_id
from ketacare.patients.models import (
    Allergy,
    AntidepressantTrial,
    Assessment,
    CareNote,
    Condition,
    Consent,
    Medication,
    OfficeVitals,
    Patient,
    PatientQuerySet,
    WeightMeasurement,
)

LIST_COLUMNS = ("id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth", "is_active")


def patients_for(membership: Membership | None, *, search: str = "") -> PatientQuerySet:
    """The acting clinic's patients, optionally filtered by a name/MRN search."""
    if not has_permission(membership, Permission.VIEW_PATIENT_LIST):
        return Patient.objects.none()
    qs = Patient.objects.for_membership(membership)
    return qs.search(search) if search else qs


def get_patient_for(
    membership: Membership | None, patient_id: object, *, audit_read: bool = True
) -> Patient:
    """One patient of the acting clinic.

    Another clinic's patient (or no such patient) is an Http404 and a denied READ event. With
    `audit_read` the successful read is recorded too; services that go on to change the
    patient pass False and record their own event in their transaction.
    """
    pk = parse_id(patient_id)
    if not has_permission(membership, Permission.VIEW_PATIENT):
        record_denied(
            action=Action.READ,
            membership=membership,
            object_type="patient",
            object_id=pk if pk is not None else "",
            reason="role_lacks:view_patient" + ("" if pk is not None else " non_numeric_id"),
        )
        raise PermissionDenied("Your role does not allow reading patient records.")
    # The id is unique: no ORDER BY (`first()` would sort by the model's three-column ordering,
    # which the compiler matches against every one of the patient's columns).
    found = Patient.objects.for_membership(membership).filter(pk=pk).order_by()[:1] if pk else ()
    patient = next(iter(found), None)
    if patient is None:
        raise deny_not_found(
            membership=membership, object_type="patient", object_id=patient_id, patient_id=pk
        )
    if audit_read:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


# --- facts the clinical core reads -----------------------------------------------------
# These helpers take a patient already read through a scoped, audited helper (get_patient_for):
# they add no audit event of their own.


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Completed years of age on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def current_medications(patient: Patient, *, today: dt.date | None = None) -> Any:
    """The patient's medications not stopped by `today` (a stop date in the future still counts
    as current)."""
    today = today or timezone.localdate()
    return Medication.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk).filter(
        Q(stopped_on__isnull=True) | Q(stopped_on__gt=today)
    )


def active_condition_codes(patient: Patient) -> list[str]:
    """The codes of the patient's unresolved conditions, sorted (one query)."""
    return sorted(
        Condition.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, resolved_on__isnull=True
        ).values_list("code", flat=True)
    )


def patient_failed_adequate_trials(patient: Patient) -> int | None:
    """ELIG-TRD's count from the trial ledger (clinical core; None when the ledger is empty)."""
    rows = AntidepressantTrial.objects.filter(
        clinic_id=patient.clinic_id, patient_id=patient.pk
    ).values_list("adequate", "outcome", "current_episode")
    return failed_adequate_trials(
        TrialRecord(adequate=a, outcome=o, current_episode=c) for a, o, c in rows
    )


def latest_weight_kg(patient: Patient) -> float | None:
    """The latest weight in kg (by measurement date, then entry), or None (one query)."""
    value = (
        WeightMeasurement.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
        .order_by("-measured_on", "-pk")
        .values_list("weight_kg", flat=True)
        .first()
    )
    return float(value) if value is not None else None


def _latest_assessment(patient: Patient, instrument: str) -> Assessment | None:
    return (
        Assessment.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, instrument=instrument
        )
        .order_by("-completed_at", "-pk")
        .only("answers", "total")
        .first()
    )


def chart_facts(patient: Patient, *, today: dt.date | None = None) -> dict[str, Any]:
    """The chart as the eligibility screen reads it: the `ketacare screen` candidate document
    (contracts.md section 1) without `route`, in six queries.

    - `age` on `today` (default: the local date);
    - `diagnosis`: the chart's working diagnosis, or **None when none is recorded**. A blank
      diagnosis is not turned into "other": that would screen the patient as having a
      non-depressive diagnosis (an exclusion) when nobody has decided yet; the caller must
      refuse to screen, or ask for the diagnosis;
    - `failed_adequate_trials`: derived from the trial ledger (ELIG-TRD, reference 2.1), None
      when the ledger is empty;
    - `phq9`: the answers of the latest PHQ-9, or None; `madrs_total`: the latest MADRS total;
    - `blood_pressure`: `{"systolic", "diastolic"}` of the latest office vitals, or None;
    - `conditions`: the active condition codes plus those implied by current (not stopped)
      medication classes (`conditions_from_medications`), sorted without repeats;
    - `pregnant`, `breastfeeding`: the chart's status flags.
    """
    today = today or timezone.localdate()
    phq9 = _latest_assessment(patient, "phq9")
    madrs = _latest_assessment(patient, "madrs")
    vitals = (
        OfficeVitals.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
        .order_by("-at", "-pk")
        .values("systolic", "diastolic")
        .first()
    )
    classes = current_medications(patient, today=today).values_list("medication_class", flat=True)
    conditions = set(active_condition_codes(patient)) | set(conditions_from_medications(classes))
    return {
        "age": age_on(patient.date_of_birth, today),
        "diagnosis": patient.diagnosis or None,
        "failed_adequate_trials": patient_failed_adequate_trials(patient),
        "phq9": list(phq9.answers) if phq9 is not None else None,
        "madrs_total": madrs.total if madrs is not None else None,
        "blood_pressure": (
            {"systolic": vitals["systolic"], "diastolic": vitals["diastolic"]}
            if vitals is not None
            else None
        ),
        "conditions": sorted(conditions),
        "pregnant": patient.pregnant,
        "breastfeeding": patient.breastfeeding,
    }


# --- the chart's sections ----------------------------------------------------------------------
# One query per section whatever the length of the history (the chart page's query count is the
# same for one row or a hundred: tests/patients/test_chart_queries.py).

# Sections a coordinator (no view_clinical) never reads, on the page or through the API.
CLINICAL_SECTIONS = (
    "weights",
    "vitals",
    "allergies",
    "medications",
    "conditions",
    "trials",
    "assessments",
    "notes",
)
OPEN_SECTIONS = ("consents",)
SECTIONS = CLINICAL_SECTIONS + OPEN_SECTIONS


def section_queryset(patient: Patient, section: str) -> Any:
    """The rows of one section of `patient`'s chart, newest first, in one query."""
    scope = {"clinic_id": patient.clinic_id, "patient_id": patient.pk}
    if section == "weights":
        return WeightMeasurement.objects.filter(**scope).order_by("-measured_on", "-pk")
    if section == "vitals":
        return OfficeVitals.objects.filter(**scope).order_by("-at", "-pk")
    if section == "allergies":
        return Allergy.objects.filter(**scope).order_by("-is_active", "substance", "pk")
    if section == "medications":
        return Medication.objects.filter(**scope).order_by(
            F("stopped_on").desc(nulls_first=True), "name", "pk"
        )
    if section == "conditions":
        return Condition.objects.filter(**scope).order_by(
            F("resolved_on").desc(nulls_first=True), "code", "-pk"
        )
    if section == "trials":
        return AntidepressantTrial.objects.filter(**scope).order_by("-current_episode", "pk")
    if section == "assessments":
        return Assessment.objects.filter(**scope).order_by("-completed_at", "-pk")
    if section == "notes":
        return (
            CareNote.objects.filter(**scope)
            .select_related("recorded_by")
            .order_by("-signed_at", "-pk")
        )
    if section == "consents":
        return (
            Consent.objects.filter(**scope)
            .select_related("recorded_by")
            .order_by("-signed_on", "-pk")
        )
    raise ValueError(f"Unknown chart section {section!r}.")


def get_assessment_for(
    membership: Membership | None, patient: Patient, assessment_id: object
) -> Assessment:
    """One rating scale of `patient` (already read through `get_patient_for`, role checked by
    the caller). Another patient's or another clinic's scale is a 404 with its denied event."""
    pk = parse_id(assessment_id)
    rows = section_queryset(patient, "assessments").select_related("recorded_by")
    record = rows.filter(pk=pk).first() if pk is not None else None
    if record is None:
        raise deny_not_found(
            membership=membership,
            object_type="assessment",
            object_id=assessment_id,
            patient_id=patient.pk,
        )
    return record


def get_note_for(
    membership: Membership | None,
    patient: Patient,
    note_id: int,
    *,
    action: Action | str = Action.READ,
) -> CareNote:
    """One care-team note version of `patient` (already read through `get_patient_for`, role
    checked by the caller). Another patient's or another clinic's note is a 404 with its denied
    event."""
    note = CareNote.objects.filter(
        clinic_id=patient.clinic_id, patient_id=patient.pk, pk=note_id
    ).first()
    if note is None:
        raise deny_not_found(
            membership=membership,
            object_type="care_note",
            object_id=note_id,
            action=action,
            patient_id=patient.pk,
        )
    return note


def note_threads(notes: list[Any]) -> list[dict[str, Any]]:
    """Notes grouped by thread: the latest version first in each, threads by latest signing.
    Takes the chart's note rows (dicts, `chart_view`)."""
    threads: dict[int, list[Any]] = {}
    for note in notes:  # newest first
        threads.setdefault(note["thread_id"] or note["id"], []).append(note)
    return [
        {"thread_id": thread_id, "latest": versions[0], "earlier": versions[1:]}
        for thread_id, versions in threads.items()
    ]


# --- the chart page ----------------------------------------------------------------------------
# The page reads only the columns it shows, as dicts, each section in one statement ordered by
# its own columns (never a model's Meta.ordering: Django matches every selected column against
# it), and the labels of coded values are looked up here once per row, not per row in the
# template (bench/pages.py, the chart).

CHART_COLUMNS: dict[str, tuple[str, ...]] = {
    "weights": ("measured_on", "weight_kg"),
    "vitals": ("at", "systolic", "diastolic", "heart_rate", "spo2"),
    "allergies": ("id", "substance", "reaction", "severity", "is_active"),
    "medications": ("id", "name", "medication_class", "dose", "started_on", "stopped_on"),
    "conditions": ("code", "onset_on", "resolved_on", "note"),
    "trials": (
        "drug",
        "daily_dose_mg",
        "weeks",
        "adherence",
        "adequate",
        "outcome",
        "current_episode",
    ),
    "assessments": ("id", "completed_at", "instrument", "total", "severity", "flags"),
    "notes": (
        "id",
        "thread_id",
        "number",
        "title",
        "text",
        "signed_at",
        "amendment_reason",
        "recorded_by__username",
    ),
    "consents": (
        "id",
        "document",
        "version",
        "signed_on",
        "signed_by",
        "withdrawn_on",
        "recorded_by__username",
    ),
}
# The orders of `section_queryset`. Medications and conditions are read by name (code) here and
# then put current (unresolved) first in Python, a stable sort: the same order without the
# NULLS FIRST expression.
CHART_ORDER: dict[str, tuple[str, ...]] = {
    "weights": ("-measured_on", "-id"),
    "vitals": ("-at", "-id"),
    "allergies": ("-is_active", "substance", "id"),
    "medications": ("name", "id"),
    "conditions": ("code", "-id"),
    "trials": ("-current_episode", "id"),
    "assessments": ("-completed_at", "-id"),
    "notes": ("-signed_at", "-id"),
    "consents": ("-signed_on", "-id"),
}
CHART_MODELS: dict[str, Any] = {
    "weights": WeightMeasurement,
    "vitals": OfficeVitals,
    "allergies": Allergy,
    "medications": Medication,
    "conditions": Condition,
    "trials": AntidepressantTrial,
    "assessments": Assessment,
    "notes": CareNote,
    "consents": Consent,
}


def _labels(model: Any, field: str) -> dict[str, str]:
    """A coded field's labels, as `get_<field>_display` shows them."""
    return {str(value): str(label) for value, label in model._meta.get_field(field).flatchoices}


SEVERITY_LABELS = _labels(Allergy, "severity")
MEDICATION_CLASS_LABELS = _labels(Medication, "medication_class")
CONDITION_LABELS = _labels(Condition, "code")
ADHERENCE_LABELS = _labels(AntidepressantTrial, "adherence")
OUTCOME_LABELS = _labels(AntidepressantTrial, "outcome")
INSTRUMENT_LABELS = _labels(Assessment, "instrument")


def _section_values(section: str) -> CompiledRead:
    def build(clinic_id: int, patient_id: int) -> Any:
        return (
            CHART_MODELS[section]
            .objects.filter(clinic_id=clinic_id, patient_id=patient_id)
            .order_by(*CHART_ORDER[section])
            .values_list(*CHART_COLUMNS[section])
        )

    return CompiledRead(f"chart.{section}", CHART_MODELS[section], build, 2)


# Each section's read compiled once per database connection (`ketacare.clinics.compiled`):
# compiling was about half of an ORM read's CPU time (bench/pages.py, the chart), and only the
# patient's clinic and id change from one chart to the next.
_SECTION_READS = {section: _section_values(section) for section in CHART_MODELS}


def _chart_rows(patient: Patient, section: str) -> list[dict[str, Any]]:
    """One section's rows of `patient` in the section's order, as dicts of the columns shown."""
    names = CHART_COLUMNS[section]
    rows = _SECTION_READS[section].rows(patient.clinic_id, patient.pk)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _newest_first_missing_first(day: dt.date | None) -> tuple[int, int]:
    """Sort key: no date first, then the latest date (DESC NULLS FIRST)."""
    return (0, 0) if day is None else (1, -day.toordinal())


def chart_view(patient: Patient, *, clinical: bool, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the chart page shows, one query per section, each row a dict of the columns
    shown (the recorder as `recorded_by`, a username) with its coded values' labels. Without
    `clinical` (a coordinator) only the sections outside CLINICAL_SECTIONS are read at all."""
    today = today or timezone.localdate()
    consents = _chart_rows(patient, "consents")
    for consent in consents:
        consent["recorded_by"] = consent.pop("recorded_by__username")
    view: dict[str, Any] = {
        "age": age_on(patient.date_of_birth, today),
        "sections": list(OPEN_SECTIONS),
        "consents": consents,
    }
    if not clinical:
        return view
    view["sections"] = list(SECTIONS)
    weights = _chart_rows(patient, "weights")
    vitals = _chart_rows(patient, "vitals")
    allergies = _chart_rows(patient, "allergies")
    for allergy in allergies:
        severity = allergy["severity"]
        allergy["severity_label"] = SEVERITY_LABELS.get(severity, severity)
    medications = _chart_rows(patient, "medications")
    medications.sort(key=lambda m: _newest_first_missing_first(m["stopped_on"]))
    flagged = frozenset(MEDICATION_CLASS_CONDITIONS)
    for medication in medications:
        kind = medication["medication_class"]
        medication["class_label"] = MEDICATION_CLASS_LABELS.get(kind, kind)
        medication["flagged"] = kind in flagged
    conditions = _chart_rows(patient, "conditions")
    conditions.sort(key=lambda c: _newest_first_missing_first(c["resolved_on"]))
    for condition in conditions:
        condition["label"] = label = CONDITION_LABELS.get(condition["code"], condition["code"])
        condition["title"] = label[:1].upper() + label[1:]  # the `capfirst` filter
    trials = _chart_rows(patient, "trials")
    for trial in trials:
        trial["adherence_label"] = ADHERENCE_LABELS.get(trial["adherence"], trial["adherence"])
        trial["outcome_label"] = OUTCOME_LABELS.get(trial["outcome"], trial["outcome"])
    assessments = _chart_rows(patient, "assessments")
    for assessment in assessments:
        instrument = assessment["instrument"]
        assessment["instrument_label"] = INSTRUMENT_LABELS.get(instrument, instrument)
    notes = _chart_rows(patient, "notes")
    for note in notes:
        note["recorded_by"] = note.pop("recorded_by__username")
    view.update(
        weights=weights,
        vitals=vitals,
        allergies=allergies,
        medications=medications,
        conditions=conditions,
        trials=trials,
        assessments=assessments,
        notes=notes,
        latest_weight=weights[0] if weights else None,
        latest_vitals=vitals[0] if vitals else None,
        active_conditions=[c for c in conditions if c["resolved_on"] is None],
        resolved_conditions=[c for c in conditions if c["resolved_on"] is not None],
        current_medications=[
            m for m in medications if m["stopped_on"] is None or m["stopped_on"] > today
        ],
        stopped_medications=[
            m for m in medications if m["stopped_on"] is not None and m["stopped_on"] <= today
        ],
        failed_adequate_trials=failed_adequate_trials(
            TrialRecord(
                adequate=t["adequate"], outcome=t["outcome"], current_episode=t["current_episode"]
            )
            for t in trials
        ),
        note_threads=note_threads(notes),
    )
    return view
