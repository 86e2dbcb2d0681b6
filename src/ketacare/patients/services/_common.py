"""What every chart use case shares: the permission check with its denied event, input checks
that name the field, and the audit event of the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import YEAR_MINIMUM
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

# contracts.md 2.0: a time more than this far ahead of the server's clock is in the future.
FUTURE_TOLERANCE = dt.timedelta(seconds=60)


def require(
    membership: Membership | None,
    permission: Permission,
    *,
    action: Action,
    object_type: str,
    patient: Patient | None = None,
) -> None:
    """403 (PermissionDenied) unless the role grants `permission`; the refusal is audited."""
    require_role(
        membership,
        permission,
        action=action,
        object_type=object_type,
        patient_id=patient.pk if patient is not None else None,
    )


def audit(
    *,
    action: Action,
    by: Membership,
    object_type: str,
    object_id: object,
    patient: Patient,
    detail: str = "",
) -> None:
    """The audit event of a chart change or read: ids and codes only, never clinical text."""
    record_event(
        action=action,
        membership=by,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient.pk,
        detail=detail,
    )


def check_texts(values: Mapping[str, Any]) -> None:
    """Refuse NUL characters in text (PostgreSQL cannot store them): a 422 naming the field."""
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({name: "Remove the NUL character from this text."}, code="nul")


def moment(value: dt.datetime | None, field: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """`value`, or now when left out; aware, not before YEAR_MINIMUM, and not more than 60 s in
    the future."""
    now = now or timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise ValidationError({field: "Give the time with its UTC offset."}, code="naive")
    if value.year < YEAR_MINIMUM:
        # Also keeps the conversion to UTC inside what `datetime` holds (year 1 +14:00 is not).
        raise ValidationError({field: f"Give a time in {YEAR_MINIMUM} or later."}, code="past")
    if value > now + FUTURE_TOLERANCE:
        # The field is named by the error's key (the form field, the API's `loc`), not the text.
        raise ValidationError({field: "The time must not be in the future."}, code="future")
    return value


def day(value: dt.date | None, field: str) -> dt.date:
    """`value`, or today when left out; never after today."""
    return optional_day(value, field) or _today()


def optional_day(value: dt.date | None, field: str) -> dt.date | None:
    """`value` (may be left out), never after today nor before YEAR_MINIMUM."""
    if value is not None and value > _today():
        raise ValidationError({field: "The date must not be in the future."}, code="future")
    if value is not None and value.year < YEAR_MINIMUM:
        raise ValidationError({field: f"Give a date in {YEAR_MINIMUM} or later."}, code="past")
    return value


def _today() -> dt.date:
    return timezone.localdate(timezone.now() + FUTURE_TOLERANCE)


def clinical_error(
    error: ClinicalInputError, *, fields: Mapping[str, str] | None = None
) -> ValidationError:
    """The clinical core's input error as a ValidationError on the same (or a renamed) field."""
    field = (fields or {}).get(error.field, error.field)
    return ValidationError({field: error.message}, code="clinical")
