"""Registering a patient and editing the patient record (demographics, contact, emergency
contact, diagnosis, pregnancy status, psychiatric history) with an optimistic version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.permissions import Permission
from ketacare.patients.errors import StaleVersion
from ketacare.patients.models import Patient
from ketacare.patients.queries import age_on
from ketacare.patients.services._common import audit, check_texts, day, require

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

# Fields anyone who may change the patient record edits (change_patient).
DEMOGRAPHIC_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex_at_birth",
    "email",
    "phone",
    "address_line",
    "city",
    "state",
    "zip_code",
    "preferred_contact",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "is_active",
)
# Fields that are clinical (chart_clinical): a coordinator neither reads nor writes them.
CLINICAL_FIELDS = (
    "diagnosis",
    "pregnant",
    "breastfeeding",
    "pregnancy_status_on",
    "psychiatric_history",
)
EDITABLE_FIELDS = DEMOGRAPHIC_FIELDS + CLINICAL_FIELDS
REQUIRED_FIELDS = ("given_name", "family_name", "date_of_birth", "sex_at_birth")

MRN_PREFIX = "KC-"
MRN_TAKEN = "Another patient of this clinic has this MRN."
_MRN_ATTEMPTS = 5


def _clean(patient: Patient, *, exclude: tuple[str, ...] = (), check_mrn: bool = True) -> None:
    """Field checks of the model (choices, lengths, e-mail, the clinic's unique MRN) plus the
    birth date not in the future; raises ValidationError naming the field."""
    errors: dict[str, list[str]] = {}
    try:
        patient.full_clean(exclude=["clinic", *exclude], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if (
        check_mrn
        and "mrn" not in errors
        and Patient.objects.filter(clinic_id=patient.clinic_id, mrn=patient.mrn)
        .exclude(pk=patient.pk)
        .exists()
    ):
        errors["mrn"] = [MRN_TAKEN]
    born = patient.date_of_birth
    if isinstance(born, dt.date) and "date_of_birth" not in errors:
        try:
            day(born, "date_of_birth")
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            # ELIG-AGE's plausibility bound: an older age is a typing error the screen refuses.
            oldest = int(DEFAULT_SETTINGS.value("ELIG-AGE", "maximum_plausible_years"))
            if age_on(born, timezone.localdate()) > oldest:
                errors["date_of_birth"] = [f"This birth date gives an age over {oldest} years."]
    if errors:
        raise ValidationError(errors)


def _next_mrn(clinic_id: int) -> str:
    """The clinic's next free MRN of the form KC-000123."""
    number = Patient.objects.filter(clinic_id=clinic_id).count() + 1
    while Patient.objects.filter(clinic_id=clinic_id, mrn=f"{MRN_PREFIX}{number:06d}").exists():
        number += 1
    return f"{MRN_PREFIX}{number:06d}"


def register_patient(
    *,
    by: Membership,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex_at_birth: str,
    mrn: str = "",
    intake_request_id: int | None = None,
    on_created: Callable[[Patient], None] | None = None,
    **fields: Any,
) -> Patient:
    """Register a patient in `by`'s clinic (add_patient).

    A blank MRN is generated (KC-000123, unique in the clinic). Further keyword arguments are
    any of EDITABLE_FIELDS; clinical ones (a diagnosis, pregnancy status) need chart_clinical.
    `intake_request_id` links the intake request the patient came from; `on_created(patient)`
    runs inside the same transaction right after the insert (the intake queue links its request
    there), so an error it raises leaves no patient behind.
    """
    require(by, Permission.ADD_PATIENT, action=Action.CREATE, object_type="patient")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "Unknown field."}, code="unknown")
    if any(fields.get(name) not in (None, "", False) for name in CLINICAL_FIELDS):
        require(by, Permission.CHART_CLINICAL, action=Action.CREATE, object_type="patient")
    values: dict[str, Any] = {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "sex_at_birth": sex_at_birth,
        "mrn": (mrn or "").strip(),
        **{
            k: ("" if v is None and k not in ("pregnancy_status_on",) else v)
            for k, v in fields.items()
        },
    }
    check_texts(values)
    if (values.get("pregnant") or values.get("breastfeeding")) and not values.get(
        "pregnancy_status_on"
    ):
        values["pregnancy_status_on"] = timezone.localdate()
    if values.get("pregnancy_status_on") is not None:
        day(values["pregnancy_status_on"], "pregnancy_status_on")
    auto_mrn = not values["mrn"]
    for attempt in range(_MRN_ATTEMPTS):
        patient = Patient(clinic_id=by.clinic_id, intake_request_id=intake_request_id, **values)
        patient._history_user = by.user  # type: ignore[attr-defined]  # simple-history's hook
        if auto_mrn:
            patient.mrn = _next_mrn(by.clinic_id)
        # A generated MRN was free a moment ago; a clash now is the race handled below.
        _clean(patient, check_mrn=not auto_mrn)
        try:
            with transaction.atomic(durable=True):
                patient.save()
                if on_created is not None:
                    on_created(patient)
                audit(
                    action=Action.CREATE,
                    by=by,
                    object_type="patient",
                    object_id=patient.pk,
                    patient=patient,
                    detail=f"intake_request={intake_request_id}" if intake_request_id else "",
                )
        except IntegrityError:
            # Someone took the MRN between the check and the insert: a generated one is drawn
            # again, a typed one is the user's to change.
            if auto_mrn and attempt + 1 < _MRN_ATTEMPTS:
                continue
            raise ValidationError({"mrn": MRN_TAKEN}, code="unique") from None
        return patient
    raise AssertionError("unreachable")  # pragma: no cover


def update_patient(
    *, by: Membership, patient: Patient, version: int, changes: Mapping[str, Any]
) -> Patient:
    """Change fields of the patient record if `version` is still the current one.

    Demographic fields need change_patient, clinical ones chart_clinical. A stale version is a
    StaleVersion (409) and nothing changes. Setting `pregnant` or `breastfeeding` without
    `pregnancy_status_on` dates the status today. Returns the patient as saved.
    """
    clinical = set(changes) & set(CLINICAL_FIELDS)
    # A nurse (chart_clinical without change_patient) records pregnancy status and history.
    if not clinical or set(changes) - clinical:
        require(
            by,
            Permission.CHANGE_PATIENT,
            action=Action.UPDATE,
            object_type="patient",
            patient=patient,
        )
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "This field cannot be changed here."}, code="unknown")
    if clinical:
        require(
            by,
            Permission.CHART_CLINICAL,
            action=Action.UPDATE,
            object_type="patient",
            patient=patient,
        )
    values = dict(changes)
    for name in REQUIRED_FIELDS:
        if name in values and values[name] in (None, ""):
            raise ValidationError({name: "This field is required."}, code="required")
    for name, value in list(values.items()):
        if value is None and name != "pregnancy_status_on":
            values[name] = ""
    check_texts(values)
    status_changed = any(
        name in values and values[name] != getattr(patient, name)
        for name in ("pregnant", "breastfeeding")
    )
    if status_changed and not values.get("pregnancy_status_on"):
        values["pregnancy_status_on"] = timezone.localdate()
    if values.get("pregnancy_status_on") is not None:
        day(values["pregnancy_status_on"], "pregnancy_status_on")
    candidate = Patient.objects.get(pk=patient.pk)  # the current row, to validate the result
    for name, value in values.items():
        setattr(candidate, name, value)
    # Only what changes is checked (an old record may hold a value today's rules refuse), but
    # the MRN always, so the clinic's unique constraint is checked.
    _clean(candidate, exclude=tuple(n for n in EDITABLE_FIELDS if n not in values and n != "mrn"))
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            updated = Patient.objects.filter(pk=patient.pk, version=version).update(
                **values, version=version + 1, updated_at=now
            )
            if not updated:
                raise StaleVersion()
            saved = Patient.objects.get(pk=patient.pk)
            # A queryset update sends no signal: write the history row ourselves.
            Patient.history.bulk_history_create(
                [saved], update=True, default_user=by.user, default_date=now
            )
            audit(
                action=Action.UPDATE,
                by=by,
                object_type="patient",
                object_id=patient.pk,
                patient=patient,
                detail=f"version={version + 1} fields={','.join(sorted(values))}",
            )
    except IntegrityError:
        raise ValidationError({"mrn": MRN_TAKEN}, code="unique") from None
    return saved
