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
    patient = Patient.objects.for_membership(membership).filter(pk=pk).first() if pk else None
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
    """Notes grouped by thread: the latest version first in each, threads by latest signing."""
    threads: dict[int, list[Any]] = {}
    for note in notes:  # newest first
        threads.setdefault(note.thread_id or note.pk, []).append(note)
    return [
        {"thread_id": thread_id, "latest": versions[0], "earlier": versions[1:]}
        for thread_id, versions in threads.items()
    ]


def chart_view(patient: Patient, *, clinical: bool, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the chart page shows, one query per section. Without `clinical` (a coordinator)
    only the sections outside CLINICAL_SECTIONS are read at all."""
    today = today or timezone.localdate()
    view: dict[str, Any] = {
        "age": age_on(patient.date_of_birth, today),
        "sections": list(OPEN_SECTIONS),
        "consents": list(section_queryset(patient, "consents")),
    }
    if not clinical:
        return view
    view["sections"] = list(SECTIONS)
    for section in CLINICAL_SECTIONS:
        view[section] = list(section_queryset(patient, section))
    view["latest_weight"] = view["weights"][0] if view["weights"] else None
    view["latest_vitals"] = view["vitals"][0] if view["vitals"] else None
    view["active_conditions"] = [c for c in view["conditions"] if c.resolved_on is None]
    view["resolved_conditions"] = [c for c in view["conditions"] if c.resolved_on is not None]
    view["current_medications"] = [
        m for m in view["medications"] if m.stopped_on is None or m.stopped_on > today
    ]
    view["stopped_medications"] = [
        m for m in view["medications"] if m.stopped_on is not None and m.stopped_on <= today
    ]
    view["flagged_classes"] = frozenset(MEDICATION_CLASS_CONDITIONS)
    view["failed_adequate_trials"] = failed_adequate_trials(
        TrialRecord(adequate=t.adequate, outcome=t.outcome, current_episode=t.current_episode)
        for t in view["trials"]
    )
    view["note_threads"] = note_threads(view["notes"])
    return view
