"""JSON API of the patient chart (contracts.md 2.1), mounted under /api/v1/.

    POST /patients                      register (201 chart)     GET /patients?q=&limit=&offset=
    GET|PATCH /patients/{id}            the chart; PATCH with the `version` read (stale: 409)
    GET|POST /patients/{id}/weights, /vitals, /conditions, /allergies, /medications, /consents,
             /antidepressant-trials, /assessments, /notes
    DELETE /patients/{id}/conditions/{code}            resolve (kept in history)
    DELETE /patients/{id}/allergies/{allergy_id}       mark inactive (kept in history)
    POST /patients/{id}/medications/{medication_id}/stop
    POST /patients/{id}/consents/{consent_id}/withdraw GET /patients/{id}/consent-status
    POST /patients/{id}/notes/{note_id}/amendments

The acting clinic is the clinic of the patient in the path (contracts 2.0): the caller's
membership there; otherwise the caller's acting membership, under which the lookup is a 404 with a
denied audit event. Errors: 403 role, 404 other clinic, 409 conflict, 422 naming the field
(`ketacare.api.errors`). Clinical sections answer 403 to a role without view_clinical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError

from ketacare.api.acting import membership_for_clinic, membership_for_object
from ketacare.api.errors import validation_detail
from ketacare.api.lists import read_page
from ketacare.api.schemas import ConflictOut, Error, Invalid, PageParams
from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.patients import services
from ketacare.patients.models import Patient
from ketacare.patients.queries import (
    CLINICAL_SECTIONS,
    LIST_COLUMNS,
    active_condition_codes,
    age_on,
    get_patient_for,
    latest_weight_kg,
    patient_failed_adequate_trials,
    patients_for,
    section_queryset,
)
from ketacare.patients.schemas import (
    AllergyCreate,
    AllergyOut,
    AllergyPage,
    AssessmentCreate,
    AssessmentOut,
    AssessmentPage,
    ChartOut,
    ConditionCreate,
    ConditionOut,
    ConditionPage,
    ConsentCreate,
    ConsentOut,
    ConsentPage,
    ConsentStatusOut,
    ConsentWithdraw,
    MedicationCreate,
    MedicationOut,
    MedicationPage,
    MedicationStop,
    NoteAmend,
    NoteCreate,
    NoteOut,
    NotePage,
    PatientCreate,
    PatientListItem,
    PatientListParams,
    PatientPage,
    PatientUpdate,
    TrialCreate,
    TrialOut,
    TrialPage,
    VitalsCreate,
    VitalsOut,
    VitalsPage,
    WeightCreate,
    WeightOut,
    WeightPage,
    decimal_or_none,
)
from ketacare.patients.services._common import require

router = Router(tags=["patients"])


def _responses(ok: Any, status: int = 201) -> dict[int, Any]:
    return {status: ok, 403: Error, 404: Error, 409: ConflictOut, 422: Invalid}


# --- the acting membership ------------------------------------------------------------------


def _patient(
    request: HttpRequest, patient_id: int, *, audit_read: bool = False
) -> tuple[Membership, Patient]:
    membership = membership_for_object(request, Patient, patient_id)
    patient = get_patient_for(membership, patient_id, audit_read=audit_read)
    assert membership is not None  # noqa: S101  # get_patient_for refuses a missing membership
    return membership, patient


# --- answers ---------------------------------------------------------------------------------


def chart_out(membership: Membership, patient: Patient) -> ChartOut:
    clinical = has_permission(membership, Permission.VIEW_CLINICAL)
    return ChartOut(
        id=patient.pk,
        clinic_id=patient.clinic_id,
        mrn=patient.mrn,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        age=age_on(patient.date_of_birth, timezone.localdate()),
        sex_at_birth=patient.sex_at_birth,
        diagnosis=(patient.diagnosis or None) if clinical else None,
        pregnant=patient.pregnant if clinical else None,
        breastfeeding=patient.breastfeeding if clinical else None,
        pregnancy_status_on=patient.pregnancy_status_on if clinical else None,
        weight_kg=latest_weight_kg(patient) if clinical else None,
        conditions=active_condition_codes(patient) if clinical else None,
        failed_adequate_trials=patient_failed_adequate_trials(patient) if clinical else None,
        psychiatric_history=patient.psychiatric_history if clinical else None,
        email=patient.email,
        phone=patient.phone,
        address_line=patient.address_line,
        city=patient.city,
        state=patient.state,
        zip_code=patient.zip_code,
        preferred_contact=patient.preferred_contact,
        emergency_contact_name=patient.emergency_contact_name,
        emergency_contact_relationship=patient.emergency_contact_relationship,
        emergency_contact_phone=patient.emergency_contact_phone,
        is_active=patient.is_active,
        intake_request_id=patient.intake_request_id,
        consent_current=services.consent_current(patient),
        version=patient.version,
    )


def _record_out(row: Any) -> dict[str, Any]:
    data = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    for name in ("weight_kg", "daily_dose_mg"):
        if name in data:
            data[name] = decimal_or_none(data[name])
    if "resolved_on" in data and "code" in data:
        data["active"] = data["resolved_on"] is None
    return data


def _assessment_out(row: Any) -> AssessmentOut:
    return AssessmentOut(
        id=row.pk,
        instrument=row.instrument,
        total=row.total,
        severity=row.severity or None,
        flags=list(row.flags),
        completed_at=row.completed_at,
    )


def _write(
    request: HttpRequest,
    patient_id: int,
    use_case: Callable[..., Any],
    fields: dict[str, Any],
    *,
    status: int = 201,
    out: Callable[[Any], Any] = _record_out,
) -> Status[Any]:
    """Call a chart use case on the patient in the path; answer the row it wrote."""
    membership, patient = _patient(request, patient_id)
    return Status(status, out(use_case(by=membership, patient=patient, **fields)))


def _section_page(
    request: HttpRequest, patient_id: int, section: str, page: PageParams, *, out: Any = None
) -> dict[str, Any]:
    """One page of a chart section, newest first, its read audited (ids shown)."""
    membership, patient = _patient(request, patient_id)
    object_type = f"chart_{section}"
    if section in CLINICAL_SECTIONS:
        require(
            membership,
            Permission.VIEW_CLINICAL,
            action=Action.READ,
            object_type=object_type,
            patient=patient,
        )
    shown, count = read_page(
        section_queryset(patient, section),
        page,
        membership=membership,
        object_type=object_type,
        patient_id=patient.pk,
    )
    convert = out or _record_out
    return {"items": [convert(row) for row in shown], "count": count}


# --- patients --------------------------------------------------------------------------------


@router.post("/patients", response=_responses(ChartOut), summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientCreate) -> Any:
    membership = membership_for_clinic(request, payload.clinic_id, location="body")
    fields = payload.dict(exclude={"clinic_id"}, exclude_none=True)
    patient = services.register_patient(by=membership, **fields)  # type: ignore[arg-type]
    return Status(201, chart_out(membership, patient))  # type: ignore[arg-type]


@router.get(
    "/patients",
    response={200: PatientPage, 403: Error, 404: Error, 422: Invalid},
    summary="The clinic's patients; `q` searches name and MRN",
)
def list_patients(request: HttpRequest, params: Query[PatientListParams]) -> Any:
    membership = membership_for_clinic(request, params.clinic_id, location="query")
    require(
        membership,
        Permission.VIEW_PATIENT_LIST,
        action=Action.READ,
        object_type=PATIENT_LIST_OBJECT_TYPE,
    )
    shown, count = read_page(
        patients_for(membership, search=params.q).only(*LIST_COLUMNS),
        params,
        membership=membership,  # type: ignore[arg-type]  # require() refused None
        object_type=PATIENT_LIST_OBJECT_TYPE,
        detail=f"search={int(bool(params.q))}",
    )
    items = [PatientListItem(**{c: getattr(row, c) for c in LIST_COLUMNS}) for row in shown]
    return Status(200, PatientPage(items=items, count=count))


@router.get(
    "/patients/{patient_id}",
    response={200: ChartOut, 403: Error, 404: Error},
    summary="A patient's chart",
)
def get_chart(request: HttpRequest, patient_id: int) -> Any:
    membership, patient = _patient(request, patient_id, audit_read=True)
    return Status(200, chart_out(membership, patient))


@router.patch(
    "/patients/{patient_id}",
    response=_responses(ChartOut, 200),
    summary="Change the patient record (send the `version` you read)",
)
def patch_patient(request: HttpRequest, patient_id: int, payload: PatientUpdate) -> Any:
    membership, patient = _patient(request, patient_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    saved = services.update_patient(
        by=membership, patient=patient, version=version, changes=changes
    )
    return Status(200, chart_out(membership, saved))


# --- weights and vitals ---------------------------------------------------------------------


@router.get("/patients/{patient_id}/weights", response={200: WeightPage, 403: Error, 404: Error})
def list_weights(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "weights", page))


@router.post(
    "/patients/{patient_id}/weights", response=_responses(WeightOut), summary="Record a weight"
)
def add_weight(request: HttpRequest, patient_id: int, payload: WeightCreate) -> Any:
    return _write(request, patient_id, services.record_weight, payload.dict())


@router.get("/patients/{patient_id}/vitals", response={200: VitalsPage, 403: Error, 404: Error})
def list_vitals(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "vitals", page))


@router.post(
    "/patients/{patient_id}/vitals", response=_responses(VitalsOut), summary="Record office vitals"
)
def add_vitals(request: HttpRequest, patient_id: int, payload: VitalsCreate) -> Any:
    return _write(request, patient_id, services.record_office_vitals, payload.dict())


# --- conditions, allergies, medications -----------------------------------------------------


@router.get(
    "/patients/{patient_id}/conditions", response={200: ConditionPage, 403: Error, 404: Error}
)
def list_conditions(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "conditions", page))


@router.post(
    "/patients/{patient_id}/conditions",
    response=_responses(ConditionOut),
    summary="Chart a condition by its screening code",
)
def add_condition(request: HttpRequest, patient_id: int, payload: ConditionCreate) -> Any:
    return _write(request, patient_id, services.add_condition, payload.dict())


@router.delete(
    "/patients/{patient_id}/conditions/{code}",
    response=_responses(ConditionOut, 200),
    summary="Resolve an active condition (kept in history)",
)
def resolve_condition(request: HttpRequest, patient_id: int, code: str) -> Any:
    try:
        return _write(request, patient_id, services.resolve_condition, {"code": code}, status=200)
    except ValidationError as error:
        # The code is the path's: the 422 names it there (an unknown code, a NUL character).
        raise NinjaValidationError(validation_detail(error, location="path")) from None


@router.get("/patients/{patient_id}/allergies", response={200: AllergyPage, 403: Error, 404: Error})
def list_allergies(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "allergies", page))


@router.post(
    "/patients/{patient_id}/allergies", response=_responses(AllergyOut), summary="Chart an allergy"
)
def add_allergy(request: HttpRequest, patient_id: int, payload: AllergyCreate) -> Any:
    return _write(request, patient_id, services.add_allergy, payload.dict())


@router.delete(
    "/patients/{patient_id}/allergies/{allergy_id}",
    response=_responses(AllergyOut, 200),
    summary="Mark an allergy inactive (kept in history)",
)
def remove_allergy(request: HttpRequest, patient_id: int, allergy_id: int) -> Any:
    fields = {"allergy_id": allergy_id}
    return _write(request, patient_id, services.remove_allergy, fields, status=200)


@router.get(
    "/patients/{patient_id}/medications", response={200: MedicationPage, 403: Error, 404: Error}
)
def list_medications(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "medications", page))


@router.post(
    "/patients/{patient_id}/medications",
    response=_responses(MedicationOut),
    summary="Chart a medication",
)
def add_medication(request: HttpRequest, patient_id: int, payload: MedicationCreate) -> Any:
    return _write(request, patient_id, services.add_medication, payload.dict())


@router.post(
    "/patients/{patient_id}/medications/{medication_id}/stop",
    response=_responses(MedicationOut, 200),
    summary="Stop a medication (kept with its stop date)",
)
def stop_medication(
    request: HttpRequest, patient_id: int, medication_id: int, payload: MedicationStop
) -> Any:
    fields = {"medication_id": medication_id, **payload.dict()}
    return _write(request, patient_id, services.stop_medication, fields, status=200)


# --- consents ---------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/consents", response={200: ConsentPage, 403: Error, 404: Error})
def list_consents(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "consents", page))


@router.post(
    "/patients/{patient_id}/consents",
    response=_responses(ConsentOut),
    summary="Record a signed consent",
)
def add_consent(request: HttpRequest, patient_id: int, payload: ConsentCreate) -> Any:
    return _write(request, patient_id, services.record_consent, payload.dict())


@router.post(
    "/patients/{patient_id}/consents/{consent_id}/withdraw",
    response=_responses(ConsentOut, 200),
    summary="The patient withdrew a consent",
)
def withdraw_consent(
    request: HttpRequest, patient_id: int, consent_id: int, payload: ConsentWithdraw
) -> Any:
    fields = {"consent_id": consent_id, **payload.dict()}
    return _write(request, patient_id, services.withdraw_consent, fields, status=200)


@router.get(
    "/patients/{patient_id}/consent-status",
    response={200: ConsentStatusOut, 403: Error, 404: Error},
    summary="Whether the latest signature of a consent document stands",
)
def consent_status(
    request: HttpRequest, patient_id: int, document: str = services.TREATMENT_CONSENT
) -> Any:
    membership, patient = _patient(request, patient_id)
    latest = services.latest_consent(patient, document)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type="consent_status",
        object_id=latest.pk if latest is not None else "",
        patient_id=patient.pk,
    )
    return Status(
        200,
        {
            "document": document,
            "current": services.consent_stands(latest),
            "latest": _record_out(latest) if latest is not None else None,
        },
    )


# --- trials and scales ------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/antidepressant-trials",
    response={200: TrialPage, 403: Error, 404: Error},
)
def list_trials(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "trials", page))


@router.post(
    "/patients/{patient_id}/antidepressant-trials",
    response=_responses(TrialOut),
    summary="Add an antidepressant trial to the ledger",
)
def add_trial(request: HttpRequest, patient_id: int, payload: TrialCreate) -> Any:
    return _write(request, patient_id, services.add_trial, payload.dict())


@router.get(
    "/patients/{patient_id}/assessments", response={200: AssessmentPage, 403: Error, 404: Error}
)
def list_assessments(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "assessments", page, out=_assessment_out))


@router.post(
    "/patients/{patient_id}/assessments",
    response=_responses(AssessmentOut),
    summary="Record a rating scale (scored as `ketacare score`)",
)
def add_assessment(request: HttpRequest, patient_id: int, payload: AssessmentCreate) -> Any:
    return _write(
        request, patient_id, services.record_assessment, payload.dict(), out=_assessment_out
    )


# --- care-team notes --------------------------------------------------------------------------


@router.get("/patients/{patient_id}/notes", response={200: NotePage, 403: Error, 404: Error})
def list_notes(request: HttpRequest, patient_id: int, page: Query[PageParams]) -> Any:
    return Status(200, _section_page(request, patient_id, "notes", page))


@router.post(
    "/patients/{patient_id}/notes", response=_responses(NoteOut), summary="Sign a care-team note"
)
def add_note(request: HttpRequest, patient_id: int, payload: NoteCreate) -> Any:
    return _write(request, patient_id, services.sign_note, payload.dict())


@router.post(
    "/patients/{patient_id}/notes/{note_id}/amendments",
    response=_responses(NoteOut),
    summary="Sign an amendment of a note (a new version; the old one is kept)",
)
def amend_note(request: HttpRequest, patient_id: int, note_id: int, payload: NoteAmend) -> Any:
    return _write(request, patient_id, services.amend_note, {"note_id": note_id, **payload.dict()})
