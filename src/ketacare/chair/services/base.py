"""What every chair-side use case shares: the role check, times, row locks, versions, the
clinical core's judgement with its field errors named as the caller knows them.

Rows are locked in one order: the patient, then the plan, then the session (as the treatment
services do), so two nurses saving the same session are serialised and the second sees the
first's change (its `version`, its status). A reading locks the patient and the session only
(`lock_for_reading`: the same order with the plan left out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied
from ketacare.chair.errors import ChairConflict, ChairConflictCode, stale_version
from ketacare.chair.state import Chair, load_chair, load_judging, monitor_state, reading_chair
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import check_datetime
from ketacare.clinical.monitoring import MonitorResult, evaluate
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import deny_not_found, parse_id
from ketacare.clinics.tenancy import require_role as require
from ketacare.patients.models import Patient
from ketacare.treatment.models import SessionStatus, TreatmentPlan, TreatmentSession
from ketacare.treatment.queries import SESSION

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# The clinic's thresholds (every clinic runs the registry's defaults today).
SETTINGS = DEFAULT_SETTINGS
# contracts.md 2.0: a time up to 60 s ahead of the server's clock is a clock difference, not the
# future.
FUTURE_TOLERANCE = dt.timedelta(seconds=60)
NOTE_MAX_CHARS = 500


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    return timezone.now() if now is None else now


def may(
    by: Membership,
    permission: Permission,
    session: TreatmentSession,
    *,
    action: Action,
    message: str = "",
) -> None:
    """The role check of a service (403, audited) on a session of the acting clinic (404 for
    another clinic's: the caller read it through a scoped helper, this keeps a service called
    with another clinic's row from ever acting on it)."""
    if session.clinic_id != by.clinic_id:
        raise deny_not_found(
            membership=by, object_type=SESSION, object_id=session.pk, action=action
        )
    require(
        by,
        permission,
        action=action,
        object_type=SESSION,
        object_id=session.pk,
        patient_id=session.patient_id,
        message=message,
    )


def refuse(
    by: Membership, *, object_type: str, object_id: int, patient_id: int, reason: str, message: str
) -> PermissionDenied:
    """A 403 that the role table does not decide (e.g. only the named witness may confirm):
    recorded as a denied attempt, returned to raise."""
    record_denied(
        action=Action.UPDATE,
        membership=by,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        reason=reason,
    )
    return PermissionDenied(message)


def charted_time(value: object, field: str, now: dt.datetime) -> dt.datetime:
    """A time charted by staff (contracts.md 2.0 `at?`): None is `now`; an earlier time is
    charting after the fact; more than 60 s ahead is the future (422 naming the field). A time
    up to 60 s ahead is kept as `now`: the record never holds a time after its own saving, so
    judging it later never meets a reading "in the future"."""
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValidationError(
            {field: "Give a date and time with its UTC offset (ISO 8601)."}, code="invalid"
        )
    try:
        # The years the clinical core takes (and a database can hold once moved to UTC).
        check_datetime(value, field)
    except ClinicalInputError as error:
        raise ValidationError({field: error.message}, code="invalid") from None
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError(
            {field: f"{field} is in the future ({value.isoformat()}); chart what has happened."},
            code="future",
        )
    return min(value, now)


def text(
    value: object, field: str, *, max_chars: int, required: bool = False, what: str = "text"
) -> str:
    """Free text from staff, trimmed; NUL refused (PostgreSQL cannot store it)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"Give the {what} as text."}, code="invalid")
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError({field: f"Give the {what}."}, code="required")
    if "\x00" in cleaned:
        raise ValidationError({field: "Remove the NUL character from this text."}, code="nul")
    if len(cleaned) > max_chars:
        raise ValidationError(
            {field: f"Keep the {what} to {max_chars} characters."}, code="max_length"
        )
    return cleaned


def flag(value: object, field: str, *, required: bool = False) -> bool | None:
    if value is None and not required:
        return None
    if not isinstance(value, bool):
        raise ValidationError({field: "Answer yes or no (true or false)."}, code="invalid")
    return value


def milligrams(value: object, field: str) -> Decimal | None:
    """An amount in mg as the record keeps it (0.1 mg), not negative."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError({field: "Give an amount in mg."}, code="invalid")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: "Give an amount in mg."}, code="invalid") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000"):
        raise ValidationError({field: "Give an amount from 0 mg."}, code="invalid")
    if amount != amount.quantize(Decimal("0.1")):
        raise ValidationError({field: "Give the amount to 0.1 mg."}, code="invalid")
    return amount


def clinic_member(
    by: Membership, user_id: object, field: str, *, permission: Permission
) -> AbstractBaseUser:
    """The user `user_id`, an active member of the acting clinic whose role grants
    `permission`; else a ValidationError naming `field`."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or parse_id(user_id) is None:
        # Not an id at all, or past the largest one a database holds.
        raise ValidationError({field: "Give the id of a member of this clinic."}, code="invalid")
    member = (
        Membership.objects.select_related("user")
        .filter(clinic_id=by.clinic_id, user_id=user_id, is_active=True, user__is_active=True)
        .first()
    )
    if member is None or not has_permission(member, permission):
        raise ValidationError(
            {field: "Name an active member of this clinic who charts sessions."},
            code="not_a_member",
        )
    return member.user


def lock_chair(session: TreatmentSession, *, whole: bool = False) -> Chair:
    """Lock the patient, the plan and the session rows, in that order; read the chair after:
    what the rules judge (`state.load_judging`: no side effects, REMS form or amendments), or
    with `whole` every chair-side row (`state.load_chair`, for a caller that answers with it)."""
    Patient.objects.select_for_update().filter(pk=session.patient_id).values_list("pk").first()
    TreatmentPlan.objects.select_for_update().filter(pk=session.plan_id).values_list("pk").first()
    TreatmentSession.objects.select_for_update().filter(pk=session.pk).values_list("pk").first()
    load = load_chair if whole else load_judging
    chair = load(session.pk, session.clinic_id)
    if chair is None:  # pragma: no cover - the caller read it in this clinic
        raise deny_not_found(membership=None, object_type=SESSION, object_id=session.pk)
    return chair


def lock_for_reading(read: Callable[[], list[TreatmentSession]]) -> Chair | None:
    """Lock a session and read what a reading is judged by; `read()` runs the statement that
    locks and reads it (`state.reading_queryset(lock=True)` narrowed to the session and the
    acting clinic: a list of at most one). None when it finds no such session. One statement
    for the locks and the session, two for its readings and alerts.

    A reading locks the patient and the session, not the plan (`lock_chair` locks all three):
    - The session's row lock is what serialises a reading with every other writer of the
      session: every chair-side service takes it (`lock_chair`) before it reads the chair, so
      a reading sees the dose, the pre-dose record, the status and the version of any change
      committed before it, and nothing changes them until it commits (no lost update, and the
      `version` check means what it says).
    - The plan is not read beyond its route, which never changes, and nothing of a reading
      changes the plan: its lock would serialise nothing more. Skipping it adds no new order:
      patient then session is the order of `lock_chair` and of the treatment services (patient,
      plan, session) with a step left out, so no two writers ever wait for each other's rows
      in opposite orders.
    - The patient's lock is needed though it is not changed: the reading and its alerts refer to
      the patient, and PostgreSQL checks that foreign key by taking a KEY SHARE lock on the
      patient's row (at `SET CONSTRAINTS ALL IMMEDIATE`, when the audit event is appended). A
      writer that holds the patient's row FOR UPDATE and waits for this session's lock (a
      dose, a discharge, a plan change) would then wait for this transaction while it waits for
      that one: a deadlock. Taken first, in the same statement (PostgreSQL locks the rows of
      one statement in the order of its OF list), the patient's lock makes the reading wait
      for that writer before it holds anything. `FOR NO KEY UPDATE`: it conflicts with those
      writers' FOR UPDATE, and not with the KEY SHARE of other rows inserted for the patient.
    On SQLite the write transaction itself (BEGIN IMMEDIATE) admits one writer at a time.

    A statement that waited for a lock re-reads only the rows it locks: the joined pre-dose and
    dose rows are those of before the wait. They never change once the session is dosed, so the
    one case to mend is a dose committed during the wait (the session now dosed, its dose not
    seen): read once more, the locks being held.
    """
    found = read()
    if not found:
        return None
    chair = reading_chair(found[0])
    dosed = chair.session.status == SessionStatus.DOSED
    if dosed and (chair.dose is None or chair.pre_dose is None):
        (session,) = read()  # our own locks: no wait
        chair = reading_chair(session)
    return chair


def check_version(session: TreatmentSession, version: int | None) -> None:
    if version is not None and session.version != version:
        raise stale_version()


def refuse_closed(session: TreatmentSession) -> None:
    """A cancelled or discharged session takes no more charting (a discharged one is amended)."""
    if session.status == SessionStatus.CANCELLED:
        raise ChairConflict(ChairConflictCode.CANCELLED, f"Session {session.number} was cancelled.")
    if session.status == SessionStatus.DISCHARGED:
        raise ChairConflict(
            ChairConflictCode.DISCHARGED,
            f"Session {session.number} is discharged: its record no longer changes; add an "
            "amendment instead.",
        )


def bump(session: TreatmentSession, *fields: str) -> None:
    """The session's next version (every chair-side change), with any changed fields."""
    session.version += 1
    session.save(update_fields=[*fields, "version"])


# `bump_version`'s UPDATE, written out: the ORM built it anew for every reading.
_BUMP_VERSION = "UPDATE {table} SET {version} = {version} + 1 WHERE {id} = %s".format(  # noqa: S608 - the model's names
    table=connection.ops.quote_name(TreatmentSession._meta.db_table),
    version=connection.ops.quote_name(TreatmentSession._meta.get_field("version").column),
    id=connection.ops.quote_name(TreatmentSession._meta.pk.column),
)


def bump_version(session: TreatmentSession) -> None:
    """The session's next version and nothing else (a change kept in rows of its own, such as a
    reading): one UPDATE, no history row. The session's history keeps what changes on it
    (status, date, dose text, reasons); a version alone says only that something was charted,
    which the new row and its audit event already say, with who and when. The caller holds the
    session's lock, so the version in hand is the stored one."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_VERSION, [session.pk])
    session.version += 1


def judged(
    chair: Chair,
    *,
    now: dt.datetime,
    fields: Callable[[str], str] = lambda field: field,
    extra_readings: Collection[CoreReading] = (),
    dissociation_resolved: bool | None = None,
    overrides: Collection[str] = frozenset(),
) -> MonitorResult:
    """The monitoring rules over the chair at `now` (`ketacare.clinical.monitoring.evaluate`).

    An input the clinical core refuses (MON-PLAUSIBILITY, reference 3.7) is a ValidationError
    naming the field as the caller knows it (`fields` maps the core's dotted path)."""
    state = monitor_state(
        chair, dissociation_resolved=dissociation_resolved, extra_readings=extra_readings
    )
    try:
        return evaluate(state, now=now, settings=SETTINGS, overrides=overrides)
    except ClinicalInputError as error:
        raise ValidationError({fields(error.field): error.message}, code="invalid") from None


def with_rows(chair: Chair, **rows: Any) -> Chair:
    """The chair with some rows replaced (a candidate judged before it is saved)."""
    return replace(chair, **rows)
