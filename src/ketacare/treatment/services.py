"""Use cases of treatment plans: create or end a plan, sign a new order, move or cancel a session.

Each is keyword-only, checks the role table, asks the clinical core every medical question
(protocols, schedules, dose limits, spacing, the esketamine label), writes in one durable
transaction and records the audit event as its last statement. Rows are locked in one order:
the patient, then the plan, then the session, so plan creation, ending, new orders and moves of one
patient's sessions are serialised (one active plan per patient; DOSE-ESK-MAX-FREQUENCY counts
across the patient's plans).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.dosing import check_esketamine_frequency
from ketacare.clinical.eligibility import absolute_exclusions
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import (
    PlannedSession,
    Protocol,
    check_session_move,
    choose_intervals,
    generate_schedule,
    get_protocol,
    read_clinic_days,
)
from ketacare.clinics.models import Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found
from ketacare.patients.models import Patient
from ketacare.screening.errors import ReviewConflict
from ketacare.screening.models import ReviewDecision
from ketacare.screening.queries import chart_screen, latest_signed_review
from ketacare.treatment.errors import ConflictCode, TreatmentConflict, stale_version
from ketacare.treatment.models import (
    DoseOrder,
    PlanStatus,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.treatment.orders import CheckedOrder, alert_documents, check_order
from ketacare.treatment.queries import (
    LIVE_STATUSES,
    ORDER,
    PLAN,
    SESSION,
    esketamine_dates,
    last_session_on_or_before,
    require,
)
from ketacare.treatment.signals import plan_scheduled

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

# contracts.md 2.2: clinic days default to Monday-Friday (0 = Monday).
DEFAULT_CLINIC_DAYS = (0, 1, 2, 3, 4)
# Statuses after which the course's first dose has been given (DOSE-ESK-FIRST-TRD).
DOSED_STATUSES = (SessionStatus.DOSED, SessionStatus.DISCHARGED)
REASON_MAX_CHARS = 300


def _in_clinic(
    record: Patient | TreatmentPlan | TreatmentSession, by: Membership, object_type: str
) -> None:
    # The caller read it through a scoped helper; this keeps a service called with another
    # clinic's record from ever acting on it.
    if record.clinic_id != by.clinic_id:
        raise deny_not_found(
            membership=by, object_type=object_type, object_id=record.pk, action=Action.UPDATE
        )


def _lock_patient(patient_id: int) -> None:
    Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk").first()


def _reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": "Give a reason."}, code="required")
    if "\x00" in text:
        raise ValidationError({"reason": "Remove the NUL character from this text."}, code="nul")
    if len(text) > REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": f"Keep the reason to {REASON_MAX_CHARS} characters."}, code="max_length"
        )
    return text


def _protocol(protocol: object, clinic_routes: Sequence[str]) -> Protocol:
    try:
        chosen = get_protocol(protocol)
    except ClinicalInputError as error:
        raise ValidationError({"protocol": error.message}, code="unknown_protocol") from None
    if chosen.route.value not in clinic_routes:
        raise ValidationError(
            {"protocol": f"This clinic does not offer {chosen.route.value}."},
            code="route_not_offered",
        )
    return chosen


def _date(value: object, field: str, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({field: "Give a date (YYYY-MM-DD)."}, code="invalid")
    if value < today:
        raise ValidationError({field: "Give today's date or a later one."}, code="past")
    return value


def _clinic_days(value: object) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_CLINIC_DAYS
    try:
        return read_clinic_days(list(value) if isinstance(value, tuple) else value)
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None


def _intervals(protocol: Protocol, value: Mapping[str, int] | None) -> dict[str, int]:
    """The interval of each phase of `protocol` that offers a choice: the prescriber's, checked
    by the clinical core against the protocol's data, else the protocol's default."""
    try:
        return choose_intervals(protocol, value)
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None


def _eligible_review(patient: Patient, route: str) -> int:
    review = latest_signed_review(patient, route)
    if review is None:
        raise TreatmentConflict(
            ConflictCode.NOT_ELIGIBLE,
            f"No signed eligibility review for {route}: a prescriber signs one before a plan.",
        )
    if review.decision != ReviewDecision.ELIGIBLE:
        raise TreatmentConflict(
            ConflictCode.NOT_ELIGIBLE,
            f"The latest signed eligibility review for {route} (review {review.pk}) is "
            f"{review.decision}, not eligible.",
        )
    # SAFE-ABS-EXCLUSION at the moment of the plan, not only of the review: a pregnancy or an
    # aneurysm charted after the review was signed must stop the course (reference 8).
    try:
        # The row as it is now, under the patient lock (the caller's copy may be older).
        screen = chart_screen(Patient.objects.get(pk=patient.pk), route)
    except ReviewConflict as conflict:
        raise TreatmentConflict(ConflictCode.NOT_ELIGIBLE, conflict.detail) from None
    excluded = absolute_exclusions(screen.result)
    if excluded:
        raise TreatmentConflict(
            ConflictCode.NOT_ELIGIBLE,
            f"The chart now has an exclusion that the signed review (review {review.pk}) did not "
            "see: sign a new eligibility review first.",
            reasons=[f"{rule.id}: {rule.message}" for rule in excluded],
        )
    return review.pk


def _refuse_second_active_plan(patient: Patient) -> None:
    """KetaCare policy, not a clinical rule: one active plan per patient, so two signed plans
    can never book two courses (two IV infusions on one day) side by side. Called after
    `_lock_patient`, so two prescribers signing at once cannot both pass."""
    active = (
        TreatmentPlan.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, status=PlanStatus.ACTIVE
        )
        .values_list("pk", flat=True)
        .first()
    )
    if active is not None:
        raise TreatmentConflict(
            ConflictCode.ACTIVE_PLAN,
            f"Patient already has an active plan (plan {active}): end it before starting another.",
        )


def _frequency_refusals(patient: Patient, dates: Iterable[dt.date]) -> list[str]:
    """DOSE-ESK-MAX-FREQUENCY for a new esketamine plan against the patient's booked sessions."""
    booked = esketamine_dates(patient)
    refusals: list[str] = []
    for day in dates:
        alert = check_esketamine_frequency(booked, day)
        if alert is not None:
            refusals.append(f"{alert.rule}: {alert.message}")
        booked.append(day)
    return refusals


def _spacing_refusals(
    patient: Patient, protocol: Protocol, first: PlannedSession, every_days: Mapping[str, int]
) -> list[str]:
    """The protocol's PROT-*-SPACING rule between a new plan's first session and the patient's
    latest session of the route in an earlier plan (an ended plan keeps its given sessions), as
    if the first session were moved there: a new course never follows the last dose sooner than
    its own sessions may follow one another."""
    last = last_session_on_or_before(patient, protocol.route.value, first.date)
    if last is None:
        return []
    check = check_session_move(
        protocol,
        moved=first,
        previous=PlannedSession(last.number, last.date),
        every_days=every_days,
    )
    return [finding.reason for finding in check.refusals]


def create_plan(
    *,
    patient: Patient,
    protocol: object,
    start: object,
    order: Mapping[str, object],
    clinic_days: object = None,
    every_days: Mapping[str, int] | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> TreatmentPlan:
    """Apply a protocol to a patient: the schedule on the clinic's days and the signed order.

    `now` (Python callers only, e.g. the demo loader entering a course begun weeks ago) is when
    the order is signed and what "today" means for the start date; never later than the present.

    `every_days` picks, per phase name, one of the intervals the protocol offers for it
    (`ketacare.clinical.protocols.interval_options`: esketamine TRD maintenance every 14 days by
    default, or 7); a phase not named keeps the protocol's default. The plan stores the interval
    of every phase with a choice, and its moves are judged by it.

    Prescribers only (SIGN_PLAN). Bad input is a ValidationError naming `protocol`, `start`,
    `clinic_days`, `every_days.<phase>` or `order.<field>`; without an `eligible` latest signed
    review for the route, or when the schedule would break DOSE-ESK-MAX-FREQUENCY with the
    patient's other esketamine sessions, a TreatmentConflict (409); so is a patient who already
    has an active plan (`active_plan`, KetaCare policy: end that plan first).
    """
    require(by, Permission.SIGN_PLAN, action=Action.CREATE, object_type=PLAN, patient_id=patient.pk)
    _in_clinic(patient, by, "patient")
    now = timezone.now() if now is None else min(now, timezone.now())
    today = timezone.localdate(now)
    chosen = _protocol(protocol, by.clinic.routes)
    start_date = _date(start, "start", today)
    days = _clinic_days(clinic_days)
    intervals = _intervals(chosen, every_days)
    checked = check_order(chosen, order, first_session=True, patient=patient, today=today)
    try:
        schedule = generate_schedule(
            chosen, start=start_date, clinic_days=days, every_days=intervals
        )
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None
    with transaction.atomic(durable=True):
        _lock_patient(patient.pk)
        _refuse_second_active_plan(patient)
        review_id = _eligible_review(patient, chosen.route.value)
        first = schedule.sessions[0]
        too_close = _spacing_refusals(
            patient, chosen, PlannedSession(first.number, first.date), intervals
        )
        if chosen.route.value == Route.ESKETAMINE_NASAL:
            refusals = _frequency_refusals(patient, (s.date for s in schedule.sessions))
            if refusals:
                raise TreatmentConflict(
                    ConflictCode.RULE_REFUSED,
                    "The schedule would break the esketamine frequency limit with the patient's "
                    "other sessions.",
                    reasons=[*refusals, *too_close],
                )
        if too_close:
            raise TreatmentConflict(
                ConflictCode.RULE_REFUSED,
                f"The first session ({first.date.isoformat()}) would follow the patient's last "
                f"{chosen.route.value} session too soon: start the plan later.",
                reasons=too_close,
            )
        plan = TreatmentPlan.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            protocol=chosen.id,
            route=chosen.route.value,
            start=start_date,
            clinic_days=list(days),
            every_days=intervals,
            review_id=review_id,
            created_by=by.user,
        )
        signed = _new_order(plan, checked, by=by, now=now, number=1)
        bulk_create_with_history(
            [
                TreatmentSession(
                    clinic_id=plan.clinic_id,
                    patient=patient,
                    plan=plan,
                    number=s.number,
                    phase=s.phase,
                    date=s.date,
                    planned_date=s.date,
                    dose_text=s.dose[:200],
                )
                for s in schedule.sessions
            ],
            TreatmentSession,
            default_user=by.user,
        )
        plan_scheduled.send(sender=TreatmentPlan, plan=plan, by=by)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=PLAN,
            object_id=plan.pk,
            patient_id=patient.pk,
            detail=f"protocol={chosen.id} version={chosen.version} order={signed.pk} "
            f"sessions={len(schedule.sessions)} review={review_id}"
            + "".join(f" every_days.{name}={interval}" for name, interval in intervals.items()),
        )
    return plan


def _new_order(
    plan: TreatmentPlan,
    checked: CheckedOrder,
    *,
    by: Membership,
    now: dt.datetime,
    number: int,
    reason: str = "",
    supersedes: DoseOrder | None = None,
) -> DoseOrder:
    return DoseOrder.objects.create(
        clinic_id=plan.clinic_id,
        plan=plan,
        number=number,
        dose_mg_per_kg=checked.dose_mg_per_kg,
        duration_min=checked.duration_min,
        concentration_mg_per_ml=checked.concentration_mg_per_ml,
        dose_mg=checked.dose_mg,
        signed_by=by.user,
        signed_at=now,
        reason=reason,
        supersedes=supersedes,
        alerts=alert_documents(checked.alerts),
    )


def sign_order(
    *,
    plan: TreatmentPlan,
    order: Mapping[str, object],
    reason: object,
    version: int,
    by: Membership,
) -> DoseOrder:
    """A changed order: a new signed version that supersedes the plan's current one.

    Prescribers only (SIGN_PLAN). `version` is the plan's as the caller read it (409 when stale);
    the plan's version goes up by one. DOSE-ESK-FIRST-TRD applies while no session is dosed.
    """
    require(
        by,
        Permission.SIGN_PLAN,
        action=Action.CREATE,
        object_type=ORDER,
        patient_id=plan.patient_id,
    )
    _in_clinic(plan, by, PLAN)
    text = _reason(reason)
    chosen = get_protocol(plan.protocol)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic(durable=True):
        _lock_patient(plan.patient_id)
        locked = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise TreatmentConflict(ConflictCode.PLAN_ENDED, "This plan has ended.")
        if locked.version != version:
            raise stale_version()
        dosed = TreatmentSession.objects.filter(
            clinic_id=locked.clinic_id, plan_id=locked.pk, status__in=DOSED_STATUSES
        ).exists()
        checked = check_order(
            chosen, order, first_session=not dosed, patient=locked.patient, today=today
        )
        previous = DoseOrder.objects.filter(clinic_id=locked.clinic_id, plan_id=locked.pk).first()
        number = previous.number + 1 if previous is not None else 1
        signed = _new_order(
            locked, checked, by=by, now=now, number=number, reason=text, supersedes=previous
        )
        locked.version += 1
        locked.save(update_fields=["version"])
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=ORDER,
            object_id=signed.pk,
            patient_id=locked.patient_id,
            detail=f"plan={locked.pk} number={number} "
            f"supersedes={previous.pk if previous is not None else ''}",
        )
    return signed


def end_plan(*, plan: TreatmentPlan, reason: object, version: int, by: Membership) -> TreatmentPlan:
    """End an active plan: its status becomes `ended` and every session still `scheduled` (any
    date) is cancelled with the reason; sessions in the chair, dosed or discharged stay as they
    are. Ending is what lets the patient start another plan (one active plan per patient).

    Prescribers only (SIGN_PLAN). A reason is required (422 `reason`); `version` is the plan's as
    the caller read it (409 when stale); an ended plan is a 409 (`plan_ended`).
    """
    require(
        by,
        Permission.SIGN_PLAN,
        action=Action.UPDATE,
        object_type=PLAN,
        object_id=plan.pk,
        patient_id=plan.patient_id,
    )
    _in_clinic(plan, by, PLAN)
    text = _reason(reason)
    with transaction.atomic(durable=True):
        _lock_patient(plan.patient_id)
        locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise TreatmentConflict(ConflictCode.PLAN_ENDED, "This plan has ended.")
        if locked.version != version:
            raise stale_version()
        remaining = list(
            TreatmentSession.objects.select_for_update()
            .filter(clinic_id=locked.clinic_id, plan_id=locked.pk, status=SessionStatus.SCHEDULED)
            .order_by("number")
        )
        for session in remaining:
            session.status = SessionStatus.CANCELLED
            session.change_reason = text
            session.version += 1
        # One historical row per cancelled session, as cancel_session leaves.
        bulk_update_with_history(
            remaining,
            TreatmentSession,
            ["status", "change_reason", "version"],
            default_user=by.user,
        )
        locked.status = PlanStatus.ENDED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=PLAN,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail=f"end sessions_cancelled={len(remaining)}",
        )
    return locked


@dataclass(frozen=True, slots=True)
class MovedSession:
    """A moved session and the warnings of its new date ("RULE-ID: sentence" or a sentence)."""

    session: TreatmentSession
    warnings: list[str]


def _may_change_session(session: TreatmentSession, by: Membership, reason: object) -> str:
    """Moving or cancelling: SCHEDULE_SESSION in the session's clinic; the reason, required."""
    require(
        by,
        Permission.SCHEDULE_SESSION,
        action=Action.UPDATE,
        object_type=SESSION,
        object_id=session.pk,
        patient_id=session.patient_id,
    )
    _in_clinic(session, by, SESSION)
    return _reason(reason)


def _save_session_change(
    locked: TreatmentSession, fields: list[str], *, reason: str, by: Membership, detail: str
) -> None:
    """Save a moved or cancelled session with its reason and next version; audit it last."""
    locked.change_reason = reason
    locked.version += 1
    locked.save(update_fields=[*fields, "change_reason", "version"])
    # The plan's measurement timepoints follow its sessions (outcomes listens).
    plan_scheduled.send(sender=TreatmentPlan, plan=locked.plan, by=by)
    record_event(
        action=Action.UPDATE,
        membership=by,
        object_type=SESSION,
        object_id=locked.pk,
        patient_id=locked.patient_id,
        detail=detail,
    )


def _locked_session(session: TreatmentSession, version: int) -> TreatmentSession:
    _lock_patient(session.patient_id)
    TreatmentPlan.objects.select_for_update().filter(pk=session.plan_id).values_list("pk").first()
    locked = (
        TreatmentSession.objects.select_for_update()
        .select_related("plan", "patient")
        .get(pk=session.pk)
    )
    if locked.status != SessionStatus.SCHEDULED:
        raise TreatmentConflict(
            ConflictCode.NOT_SCHEDULED,
            f"Session {locked.number} is {locked.status}: only a scheduled session can be moved "
            "or cancelled.",
        )
    if locked.version != version:
        raise stale_version()
    return locked


def _neighbours(
    locked: TreatmentSession,
) -> tuple[PlannedSession | None, PlannedSession | None]:
    others = TreatmentSession.objects.filter(
        clinic_id=locked.clinic_id, plan_id=locked.plan_id, status__in=LIVE_STATUSES
    ).exclude(pk=locked.pk)
    before = others.filter(number__lt=locked.number).order_by("-number").first()
    after = others.filter(number__gt=locked.number).order_by("number").first()
    return (
        PlannedSession(before.number, before.date) if before is not None else None,
        PlannedSession(after.number, after.date) if after is not None else None,
    )


def reschedule_session(
    *,
    session: TreatmentSession,
    date: object,
    reason: object,
    version: int,
    by: Membership,
    time: dt.time | None = None,
) -> MovedSession:
    """Move a scheduled session to `date` (and `time`, else the time it had).

    SCHEDULE_SESSION (coordinator, prescriber, clinic admin). The clinical core decides: a date
    closer to the previous or next session than the protocol's spacing rule, or a third
    esketamine session in any 7 days, is a TreatmentConflict whose `reasons` name the rule; a date
    past the protocol's frequency (at the interval the plan chose for the phase) is allowed with
    a warning. A reason is required; a date before today is refused (422 `date`).
    """
    text = _may_change_session(session, by, reason)
    new_date = _date(date, "date", timezone.localdate())
    if time is not None and not isinstance(time, dt.time):
        raise ValidationError({"time": "Give a time (HH:MM)."}, code="invalid")
    if time is not None and time.tzinfo is not None:
        # A session's time is the clinic's wall-clock time: SQLite cannot store an offset and
        # PostgreSQL would drop it silently.
        raise ValidationError(
            {"time": "Give the clinic's local time (HH:MM), without a UTC offset."}, code="invalid"
        )
    with transaction.atomic(durable=True):
        locked = _locked_session(session, version)
        previous, following = _neighbours(locked)
        plan = locked.plan
        try:
            check = check_session_move(
                plan.protocol,
                moved=PlannedSession(locked.number, new_date),
                previous=previous,
                following=following,
                # The plan's own intervals: a weekly maintenance warns after 7 days, not 14.
                every_days=plan.every_days,
                esketamine_dates=esketamine_dates(locked.patient, excluding=locked.pk)
                if plan.route == Route.ESKETAMINE_NASAL
                else (),
            )
        except ClinicalInputError as error:
            raise ValidationError({error.field: error.message}, code="invalid") from None
        if not check.allowed:
            raise TreatmentConflict(
                ConflictCode.RULE_REFUSED,
                f"Session {locked.number} cannot be moved to {new_date.isoformat()}.",
                reasons=[finding.reason for finding in check.refusals],
            )
        warnings = [finding.reason for finding in check.warnings]
        if new_date.weekday() not in plan.clinic_days:
            weekday = new_date.strftime("%A")
            warnings.append(
                f"{new_date.isoformat()} is a {weekday}, not one of the plan's clinic days."
            )
        moved_days = (new_date - locked.date).days
        locked.date = new_date
        if time is not None:
            locked.time = time
        _save_session_change(
            locked,
            ["date", "time"],
            reason=text,
            by=by,
            detail=f"reschedule plan={plan.pk} days={moved_days:+d} warnings={len(warnings)}",
        )
    return MovedSession(session=locked, warnings=warnings)


def cancel_session(
    *, session: TreatmentSession, reason: object, version: int, by: Membership
) -> TreatmentSession:
    """Cancel a scheduled session with a reason (SCHEDULE_SESSION); the row and history stay."""
    text = _may_change_session(session, by, reason)
    with transaction.atomic(durable=True):
        locked = _locked_session(session, version)
        locked.status = SessionStatus.CANCELLED
        _save_session_change(
            locked, ["status"], reason=text, by=by, detail=f"cancel plan={locked.plan_id}"
        )
    return locked
