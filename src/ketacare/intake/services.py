"""Use cases of the intake queue (keyword-only, one durable transaction, audited).

Staff enter requests and move them through the queue; the public side (a later issue) enters
them with `create_intake_request(source="public")` and no membership. Registering the patient
goes through `ketacare.patients.services.register_patient` and keeps the link both ways.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Clinic, Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found, scoped_get
from ketacare.intake.errors import STALE_VERSION_MESSAGE, ConflictCode, IntakeConflict
from ketacare.intake.models import IntakeRequest, IntakeSource, IntakeStatus
from ketacare.intake.queries import INTAKE_OBJECT_TYPE, require_intake_permission
from ketacare.intake.workflow import (
    CLOSED_IS_FINAL,
    status_after_registering,
    transition_refusal,
)
from ketacare.patients.models import Patient, PreferredContact
from ketacare.patients.services import register_patient

MESSAGE_MAX_CHARS = 5000
# The self-check the public side attaches is a small JSON object (answers and result).
SELF_CHECK_MAX_CHARS = 20_000
PHONE_MIN_DIGITS = 7
_PHONE_CHARACTERS = re.compile(r"[0-9+()\-. ]+")

NO_CONTACT = "Give an e-mail address or a phone number (at least one)."


def _text(errors: dict[str, str], field: str, value: object, *, max_chars: int) -> str:
    """`value` as stripped text; a NUL character or an over-long text is an error on `field`."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    text = value.strip()
    if "\x00" in text:
        errors[field] = "Null characters are not allowed."
    elif len(text) > max_chars:
        errors[field] = f"At most {max_chars} characters (this has {len(text)})."
    return text


def _field_max(field: str) -> int:
    max_length = IntakeRequest._meta.get_field(field).max_length
    assert max_length is not None  # noqa: S101 - every text field here has one
    return max_length


def _self_check_errors(self_check: object) -> dict[str, str]:
    if not isinstance(self_check, dict):
        return {"self_check": "The self-check must be a JSON object."}
    try:
        # ASCII escapes make a NUL visible as \u0000, which PostgreSQL's jsonb refuses.
        dumped = json.dumps(self_check, allow_nan=False)
    except (TypeError, ValueError):
        return {"self_check": "The self-check must be plain JSON."}
    if len(dumped) > SELF_CHECK_MAX_CHARS or "\\u0000" in dumped:
        return {
            "self_check": f"The self-check must be at most {SELF_CHECK_MAX_CHARS} characters of "
            "JSON, without null characters."
        }
    return {}


def _clean_request_fields(
    *,
    name: object,
    email: object,
    phone: object,
    preferred_contact: object,
    best_time: object,
    message: object,
    self_check: object,
) -> dict[str, Any]:
    """The fields of a new request, cleaned; a ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {
        "name": _text(errors, "name", name, max_chars=_field_max("name")),
        "email": _text(errors, "email", email, max_chars=_field_max("email")),
        "phone": _text(errors, "phone", phone, max_chars=_field_max("phone")),
        "best_time": _text(errors, "best_time", best_time, max_chars=_field_max("best_time")),
        "message": _text(errors, "message", message, max_chars=MESSAGE_MAX_CHARS),
    }
    if not cleaned["name"] and "name" not in errors:
        errors["name"] = "Give the person's name."
    if cleaned["email"] and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter a valid e-mail address."
    phone_text = cleaned["phone"]
    if phone_text and "phone" not in errors:
        digits = sum(c.isdigit() for c in phone_text)
        if not _PHONE_CHARACTERS.fullmatch(phone_text) or digits < PHONE_MIN_DIGITS:
            errors["phone"] = (
                f"Enter a phone number: at least {PHONE_MIN_DIGITS} digits, and only digits, "
                "spaces and + ( ) - ."
            )
    if preferred_contact not in PreferredContact.values:
        errors["preferred_contact"] = f"Choose one of: {', '.join(PreferredContact.values)}."
    if not cleaned["email"] and not cleaned["phone"]:
        errors.setdefault("email", NO_CONTACT)
        errors.setdefault("phone", NO_CONTACT)
    elif preferred_contact == PreferredContact.EMAIL and not cleaned["email"]:
        errors.setdefault("email", "E-mail is the preferred contact: give the address.")
    elif (
        preferred_contact in (PreferredContact.PHONE, PreferredContact.TEXT)
        and not cleaned["phone"]
    ):
        errors.setdefault("phone", "Phone or text is the preferred contact: give the number.")
    if self_check is not None:
        errors.update(_self_check_errors(self_check))
    if errors:
        raise ValidationError(errors)
    cleaned["preferred_contact"] = preferred_contact
    cleaned["self_check"] = self_check
    return cleaned


def check_request_fields(**fields: object) -> None:
    """The ValidationError `create_intake_request` would raise for these fields, without
    storing anything: the public form checks a request before counting it against its rate
    limit (ketacare.public.intake)."""
    _clean_request_fields(**fields)


def create_intake_request(
    *,
    clinic: Clinic,
    source: str,
    name: str,
    preferred_contact: str,
    email: str | None = "",
    phone: str | None = "",
    best_time: str | None = "",
    message: str | None = "",
    self_check: dict[str, Any] | None = None,
    by: Membership | None = None,
) -> IntakeRequest:
    """Put a new request at the top of the clinic's queue (status `new`).

    `source="staff"`: `by` is the acting membership of `clinic` and needs `manage_intake`.
    `source="public"`: the public intake form, no membership (`by` is None). Bad input is a
    ValidationError naming each field; at least one of e-mail and phone is required, and the
    preferred contact must be one that was given.
    """
    if source == IntakeSource.STAFF:
        require_intake_permission(by, Permission.MANAGE_INTAKE, action=Action.CREATE)
        assert by is not None  # noqa: S101 - require_intake_permission refuses None
        if by.clinic_id != clinic.pk:
            raise deny_not_found(
                membership=by, object_type="clinic", object_id=clinic.pk, action=Action.CREATE
            )
    elif source == IntakeSource.PUBLIC:
        if by is not None:
            raise ValueError("A public intake request has no acting membership.")
    else:
        raise ValidationError({"source": f"Choose one of: {', '.join(IntakeSource.values)}."})
    fields = _clean_request_fields(
        name=name,
        email=email,
        phone=phone,
        preferred_contact=preferred_contact,
        best_time=best_time,
        message=message,
        self_check=self_check,
    )
    intake_request = IntakeRequest(
        clinic=clinic,
        source=source,
        entered_by=by.user if by is not None else None,
        **fields,
    )
    if by is not None:
        intake_request._history_user = by.user  # type: ignore[attr-defined]  # simple-history
    with transaction.atomic(durable=True):
        intake_request.save()
        record_event(
            action=Action.CREATE,
            membership=by,
            clinic_id=clinic.pk,
            object_type=INTAKE_OBJECT_TYPE,
            object_id=intake_request.pk,
            detail=f"source={source}",
        )
    return intake_request


def _find_intake_request(
    membership: Membership, request_id: object, *, action: Action, lock: bool = True
) -> IntakeRequest:
    """The clinic's request (404 otherwise); with `lock`, row-locked until the caller's
    transaction ends."""
    rows = IntakeRequest.objects.select_for_update() if lock else IntakeRequest.objects.all()
    return scoped_get(rows, membership, request_id, object_type=INTAKE_OBJECT_TYPE, action=action)


def _save_change(
    intake_request: IntakeRequest, fields: list[str], *, by: Membership, detail: str
) -> None:
    """Save the changed `fields` with the next version and history; the audit event last."""
    intake_request.version += 1
    intake_request._history_user = by.user  # type: ignore[attr-defined]  # simple-history
    intake_request.save(update_fields=[*fields, "version", "updated_at"])
    record_event(
        action=Action.UPDATE,
        membership=by,
        object_type=INTAKE_OBJECT_TYPE,
        object_id=intake_request.pk,
        patient_id=intake_request.patient_id,
        detail=detail,
    )


def _check_version(intake_request: IntakeRequest, version: int) -> None:
    if intake_request.version != version:
        raise IntakeConflict(ConflictCode.STALE_VERSION, STALE_VERSION_MESSAGE)


def change_intake_status(
    *,
    by: Membership,
    intake_request_id: object,
    version: int,
    status: str,
    closed_reason: str | None = "",
) -> IntakeRequest:
    """Move a request on in the queue (workflow.py): forward, or closed with a reason.

    `version` is the one the person read; a stale one is an IntakeConflict (409) and changes
    nothing, as is a move the workflow refuses. A reason is required when closing and refused
    otherwise (ValidationError naming `closed_reason`).
    """
    require_intake_permission(
        by, Permission.MANAGE_INTAKE, action=Action.UPDATE, object_id=intake_request_id
    )
    errors: dict[str, str] = {}
    if status not in IntakeStatus.values:
        errors["status"] = f"Choose one of: {', '.join(IntakeStatus.values)}."
    reason = _text(errors, "closed_reason", closed_reason, max_chars=_field_max("closed_reason"))
    if "closed_reason" not in errors:
        if status == IntakeStatus.CLOSED and not reason:
            errors["closed_reason"] = "Give the reason for closing the request."
        elif status != IntakeStatus.CLOSED and reason:
            errors["closed_reason"] = "A reason is given only when closing the request."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        intake_request = _find_intake_request(by, intake_request_id, action=Action.UPDATE)
        _check_version(intake_request, version)
        refusal = transition_refusal(intake_request.status, status)
        if refusal is not None:
            code = (
                ConflictCode.CLOSED
                if intake_request.status == IntakeStatus.CLOSED
                else ConflictCode.INVALID_TRANSITION
            )
            raise IntakeConflict(code, refusal)
        previous = intake_request.status
        intake_request.status = status
        intake_request.closed_reason = reason
        _save_change(
            intake_request,
            ["status", "closed_reason"],
            by=by,
            detail=f"status={previous}->{status}",
        )
    return intake_request


@dataclass(frozen=True)
class Registered:
    intake_request: IntakeRequest
    patient: Patient


def _registration_refusal(intake_request: IntakeRequest) -> IntakeConflict | None:
    if intake_request.patient_id is not None:
        return IntakeConflict(
            ConflictCode.ALREADY_REGISTERED,
            f"This request is already registered as patient {intake_request.patient_id}.",
        )
    if intake_request.status == IntakeStatus.CLOSED:
        return IntakeConflict(ConflictCode.CLOSED, CLOSED_IS_FINAL)
    return None


def register_patient_from_intake(
    *,
    by: Membership,
    intake_request_id: object,
    version: int,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    sex_at_birth: str,
    email: str | None = None,
    phone: str | None = None,
    mrn: str = "",
    diagnosis: str = "",
) -> Registered:
    """Register the person of an open request as a patient, keeping the link both ways.

    Needs `manage_intake` and `add_patient` (a diagnosis also `chart_clinical`, checked by
    `register_patient`). E-mail and phone left as None are the request's; the preferred contact
    is the request's. The request then points to the patient (`patient`), the patient to the
    request (`intake_request_id`), and a request still new or contacted moves to evaluation
    scheduled (workflow.py). A stale `version`, a closed or an already registered request is an
    IntakeConflict (409) and nothing is stored; bad patient data a ValidationError naming the
    field.
    """
    for permission in (Permission.MANAGE_INTAKE, Permission.ADD_PATIENT):
        require_intake_permission(by, permission, action=Action.CREATE, object_id=intake_request_id)
    intake_request = _find_intake_request(by, intake_request_id, action=Action.CREATE, lock=False)
    _check_version(intake_request, version)
    refusal = _registration_refusal(intake_request)
    if refusal is not None:
        raise refusal
    linked: list[IntakeRequest] = []

    def link(patient: Patient) -> None:
        # Inside register_patient's transaction: a request registered by someone else meanwhile
        # refuses this registration whole, so no second patient is left behind.
        current = _find_intake_request(by, intake_request.pk, action=Action.UPDATE)
        if current.patient_id is not None:
            raise IntakeConflict(
                ConflictCode.ALREADY_REGISTERED,
                f"Someone registered this request as patient {current.patient_id} while you "
                "were registering it; nothing was stored.",
            )
        # Closed (or otherwise changed) since it was read: stale, nothing is stored.
        _check_version(current, version)
        previous = current.status
        current.patient = patient
        current.status = status_after_registering(previous)
        _save_change(
            current,
            ["patient", "status"],
            by=by,
            detail=f"registered patient={patient.pk} status={previous}->{current.status}",
        )
        linked.append(current)

    clinical = {"diagnosis": diagnosis} if diagnosis else {}
    patient = register_patient(
        by=by,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex_at_birth=sex_at_birth,
        mrn=mrn,
        intake_request_id=intake_request.pk,
        email=intake_request.email if email is None else email,
        phone=intake_request.phone if phone is None else phone,
        preferred_contact=intake_request.preferred_contact,
        on_created=link,
        **clinical,
    )
    intake_request = linked[0]
    return Registered(intake_request=intake_request, patient=patient)
