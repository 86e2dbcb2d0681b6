"""A booster: one more session of the patient's active plan, after its last one, when outcomes
worsen (OUT-EARLY-WARNING, SAFE-RELAPSE-WARN: "consider booster/maintenance").

The session is appended to the course (next number, the phase the protocol gives that number:
open-ended maintenance for esketamine TRD, the last step otherwise) and judged by the clinical
core exactly as a move is (`check_session_move`): closer to the plan's previous session than the
protocol's PROT-*-SPACING rule, or a third esketamine session in 7 days
(DOSE-ESK-MAX-FREQUENCY), is refused with the rule's reason; a gap past the protocol's frequency
is allowed with its warning (a booster usually comes after a pause). It is a prescriber's
decision (SIGN_PLAN): it adds a dose to the signed course.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import PlannedSession, check_session_move, get_protocol, step_of
from ketacare.clinics.models import Route
from ketacare.clinics.permissions import Permission
from ketacare.treatment.errors import ConflictCode, TreatmentConflict
from ketacare.treatment.models import PlanStatus, TreatmentPlan, TreatmentSession
from ketacare.treatment.queries import LIVE_STATUSES, SESSION, esketamine_dates, require
from ketacare.treatment.services import _date, _in_clinic, _lock_patient, _reason
from ketacare.treatment.signals import plan_scheduled

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership


@dataclass(frozen=True, slots=True)
class BookedBooster:
    """The new session and the warnings of its date ("RULE-ID: sentence" or a sentence)."""

    session: TreatmentSession
    warnings: list[str]


def add_booster_session(
    *,
    plan: TreatmentPlan,
    date: object,
    reason: object,
    by: Membership,
    time: dt.time | None = None,
    today: dt.date | None = None,
    then: Callable[[TreatmentSession], object] | None = None,
) -> BookedBooster:
    """Append a booster session to the active `plan` on `date` (and `time`).

    SIGN_PLAN (prescribers). A reason is required (422 `reason`), a date before today is refused
    (422 `date`). An ended plan is a 409 (`plan_ended`); a date on or before a session of the
    plan that still takes place, or one the protocol's spacing or the esketamine frequency
    refuses, a 409 (`rule_refused`) naming the rule. `then(session)` runs inside the
    transaction (the early-warning alert records the booster it asked for).
    """
    require(
        by,
        Permission.SIGN_PLAN,
        action=Action.CREATE,
        object_type=SESSION,
        patient_id=plan.patient_id,
    )
    _in_clinic(plan, by, "treatment_plan")
    text = _reason(reason)
    booked_on = _date(date, "date", today or timezone.localdate())
    if time is not None and (not isinstance(time, dt.time) or time.tzinfo is not None):
        raise ValidationError(
            {"time": "Give the clinic's local time (HH:MM), without a UTC offset."}, code="invalid"
        )
    protocol = get_protocol(plan.protocol)
    with transaction.atomic(durable=True):
        _lock_patient(plan.patient_id)
        locked = (
            TreatmentPlan.objects.select_for_update()
            .select_related("patient")
            .prefetch_related("orders")
            .get(pk=plan.pk)
        )
        if locked.status != PlanStatus.ACTIVE:
            raise TreatmentConflict(ConflictCode.PLAN_ENDED, "This plan has ended.")
        sessions = TreatmentSession.objects.filter(clinic_id=locked.clinic_id, plan_id=locked.pk)
        number = (sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        last = sessions.filter(status__in=LIVE_STATUSES).order_by("-number").first()
        if last is not None and last.date >= booked_on:
            # KetaCare keeps a course in order (session numbers follow dates): a booster comes
            # after the plan's last session; an earlier date is a move of that session.
            raise TreatmentConflict(
                ConflictCode.RULE_REFUSED,
                f"Session {last.number} of this plan is on {last.date.isoformat()}: a booster "
                "comes after the plan's last session (move that session earlier instead).",
            )
        try:
            check = check_session_move(
                protocol,
                moved=PlannedSession(number, booked_on),
                previous=PlannedSession(last.number, last.date) if last is not None else None,
                every_days=locked.every_days,
                esketamine_dates=esketamine_dates(locked.patient)
                if locked.route == Route.ESKETAMINE_NASAL
                else (),
            )
        except ClinicalInputError as error:
            raise ValidationError({error.field: error.message}, code="invalid") from None
        if not check.allowed:
            raise TreatmentConflict(
                ConflictCode.RULE_REFUSED,
                f"A booster cannot be booked on {booked_on.isoformat()}.",
                reasons=[finding.reason for finding in check.refusals],
            )
        warnings = [finding.reason for finding in check.warnings]
        if booked_on.weekday() not in locked.clinic_days:
            warnings.append(
                f"{booked_on.isoformat()} is a {booked_on:%A}, not one of the plan's clinic days."
            )
        phase, _step = step_of(protocol, number)
        order = locked.current_order
        session = TreatmentSession(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            plan=locked,
            number=number,
            phase=phase.name,
            date=booked_on,
            planned_date=booked_on,
            time=time,
            dose_text=(order.summary if order is not None else last.dose_text if last else "")[
                :200
            ],
            change_reason=f"Booster: {text}"[:300],
        )
        session._history_user = by.user  # type: ignore[attr-defined]  # simple-history's hook
        session.save()
        if then is not None:
            then(session)
        plan_scheduled.send(sender=TreatmentPlan, plan=locked, by=by)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=SESSION,
            object_id=session.pk,
            patient_id=locked.patient_id,
            detail=f"booster plan={locked.pk} number={number} warnings={len(warnings)}",
        )
    return BookedBooster(session=session, warnings=warnings)
