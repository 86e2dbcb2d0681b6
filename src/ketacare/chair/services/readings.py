"""Post-dose readings: every one judged by the monitoring rules at once, its alerts kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode
from ketacare.chair.models import Reading, SessionAlert
from ketacare.chair.queries import READING, in_clinics_of_user_id, membership_of
from ketacare.chair.services.alerts import persist_alerts
from ketacare.chair.services.base import (
    bump_version,
    charted_time,
    check_version,
    judged,
    lock_for_reading,
    may,
    refuse_closed,
    resolve_now,
)
from ketacare.chair.services.inputs import ReadingInput
from ketacare.chair.state import Chair, reading_queryset
from ketacare.clinical.monitoring import MonitorResult
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinics.compiled import CompiledInsert, CompiledRead
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found, parse_id
from ketacare.treatment.models import SessionStatus, TreatmentSession
from ketacare.treatment.queries import SESSION

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from ketacare.clinics.models import Membership

# The statement that finds, locks and reads the session (`lock_for_reading`), in the acting
# clinic or in any clinic of the user with the user's membership there (`in_clinics_of`);
# compiled once per connection: building it cost more CPU than the rest of a reading.
_IN_CLINIC = CompiledRead(
    "chair.reading.session_in_clinic",
    TreatmentSession,
    lambda clinic_id, session_id: reading_queryset(lock=True).filter(
        clinic_id=clinic_id, pk=session_id
    )[:1],
    2,
)
_OF_USER = CompiledRead(
    "chair.reading.session_of_user",
    TreatmentSession,
    lambda user_id, session_id: in_clinics_of_user_id(reading_queryset(lock=True), user_id).filter(
        pk=session_id
    )[:1],
    2,
)

# A reading's row, its INSERT built once per connection (Reading sends no save signals).
_INSERT = CompiledInsert(
    "chair.reading.insert",
    Reading,
    [field.name for field in Reading._meta.concrete_fields if not field.primary_key],
)

VALUES = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas", "cadss")


@dataclass(frozen=True, slots=True)
class ReadingOutcome:
    """The saved reading, the alerts it raised (new rows), when the next reading is due and the
    monitoring rules' whole judgement of the session."""

    reading: Reading
    alerts: list[SessionAlert]
    next_reading_due: dt.datetime | None
    result: MonitorResult
    session: TreatmentSession
    """The session as the change left it (its status and new version)."""


def _symptoms(values: ReadingInput) -> list[str]:
    symptoms = values.symptoms
    if (
        isinstance(symptoms, str)
        or not isinstance(symptoms, list | tuple)
        or not all(isinstance(code, str) for code in symptoms)
    ):
        raise ValidationError({"symptoms": "Give a list of symptom codes."}, code="invalid")
    if len(set(symptoms)) != len(symptoms):
        raise ValidationError({"symptoms": "Name each symptom once."}, code="duplicate")
    return list(symptoms)


def record_reading(
    *,
    session: TreatmentSession,
    values: ReadingInput,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> ReadingOutcome:
    """Record a reading of a dosed session and judge it (reference 3.5).

    CHART_SESSION. Only while `dosed` (a discharged session: 409 `discharged`, amend instead).
    At least one value. Values outside reference 3.7, a time before the dose or in the future
    (more than 60 s): a ValidationError naming the field; nothing is stored then.
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.CREATE)
    with transaction.atomic(durable=True):
        chair = lock_for_reading(lambda: _IN_CLINIC.objects(by.clinic_id, session.pk))
        if chair is None:  # pragma: no cover - the caller read it in this clinic
            raise deny_not_found(
                membership=by, object_type=SESSION, object_id=session.pk, action=Action.CREATE
            )
        return _record(chair, values=values, version=version, by=by, now=now)


def record_reading_as(
    *,
    user: AbstractBaseUser | AnonymousUser,
    session_id: object,
    values: ReadingInput,
    version: int | None = None,
    acting: Callable[[], Membership | None],
    now: dt.datetime | None = None,
) -> ReadingOutcome:
    """`record_reading` for the API: session `session_id` in one of `user`'s clinics, found,
    locked and read with the user's membership there in one statement (`in_clinics_of`, compiled
    once per connection).

    Not in any of the user's clinics (or no id at all): a 404 with the denied event filed under
    `acting()`, the membership the caller acts under; a role without CHART_SESSION: a 403, as
    `record_reading` answers them.
    """
    now = resolve_now(now)
    pk = parse_id(session_id)
    with transaction.atomic(durable=True):
        chair = None
        if pk is not None and getattr(user, "is_active", False) and user.is_authenticated:
            chair = lock_for_reading(lambda: _OF_USER.objects(user.pk, pk))
        if chair is None:
            raise deny_not_found(
                membership=acting(), object_type=SESSION, object_id=session_id, action=Action.CREATE
            )
        by = membership_of(chair.session, user)
        may(by, Permission.CHART_SESSION, chair.session, action=Action.CREATE)
        return _record(chair, values=values, version=version, by=by, now=now)


def _record(
    chair: Chair,
    *,
    values: ReadingInput,
    version: int | None,
    by: Membership,
    now: dt.datetime,
) -> ReadingOutcome:
    """The reading of a locked chair (`lock_for_reading`), judged, stored and audited."""
    at = charted_time(values.at, "at", now)
    symptoms = _symptoms(values)
    if not values.has_values():
        raise ValidationError(
            {NON_FIELD_ERRORS: "Record at least one value or symptom."}, code="required"
        )
    locked = chair.session
    check_version(locked, version)
    refuse_closed(locked)
    dose = chair.dose
    if locked.status != SessionStatus.DOSED or dose is None:
        raise ChairConflict(
            ChairConflictCode.NOT_DOSED,
            "Readings are charted after the dose; before it, record the pre-dose checks.",
        )
    if at < dose.at:
        raise ValidationError(
            {"at": f"A reading must not be before the dose ({dose.at.isoformat()})."},
            code="before_dose",
        )
    candidate = CoreReading(
        at=at,
        symptoms=tuple(symptoms),
        **{name: getattr(values, name) for name in VALUES},
    )
    index = len(chair.readings)
    prefix = f"readings.{index}."

    def field(path: str) -> str:
        # The core names the new reading `readings.<n>.<field>`.
        return path.removeprefix(prefix) if path.startswith(prefix) else path

    # Judged no earlier than any reading saved while this request waited for the lock (the
    # clock was read before): another nurse's reading is never "in the future" of this one.
    moment = max([now, at, *(reading.at for reading in chair.readings)])
    result = judged(chair, now=moment, fields=field, extra_readings=(candidate,))
    row = Reading(
        clinic_id=locked.clinic_id,
        patient_id=locked.patient_id,
        session=locked,
        at=at,
        symptoms=symptoms,
        recorded_by=by.user,
        recorded_at=now,
        **{name: getattr(values, name) for name in VALUES},
    )
    _INSERT.insert(row)
    chair.readings.append(row)
    bump_version(locked)
    new = persist_alerts(chair, result, now)
    record_event(
        action=Action.CREATE,
        membership=by,
        object_type=READING,
        object_id=row.pk,
        patient_id=locked.patient_id,
        detail=f"session={locked.pk} alerts={','.join(a.rule for a in new)}",
    )
    return ReadingOutcome(
        reading=row,
        alerts=new,
        next_reading_due=result.next_reading_due,
        result=result,
        session=locked,
    )
