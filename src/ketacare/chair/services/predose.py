"""Check-in and the pre-dose checks: the go/hold of the monitoring rules, and a prescriber's
decision to dose over a hold (SAFE-BP-HOLD, SAFE-SPO2-HOLD).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode
from ketacare.chair.models import PreDose, SessionAlert
from ketacare.chair.queries import PRE_DOSE
from ketacare.chair.services.alerts import close_alert, persist_alerts
from ketacare.chair.services.base import (
    bump,
    charted_time,
    check_version,
    clinic_member,
    flag,
    judged,
    lock_chair,
    may,
    refuse_closed,
    resolve_now,
    text,
    with_rows,
)
from ketacare.chair.services.inputs import PreDoseInput
from ketacare.chair.state import Chair
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    PRESCRIBER_DECIDABLE_HOLDS,
    Dosing,
    MonitorResult,
    hold_alerts,
    undecidable_holds,
)
from ketacare.clinical.monitoring.dose_gate import pregnancy_check_applies, setting_certified
from ketacare.clinics.models import Clinic
from ketacare.clinics.permissions import Permission
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

VITALS = ("systolic", "diastolic", "heart_rate", "spo2")
CHECKLIST_FLAGS = (
    "rems_setting_certified",
    "rems_patient_enrolled",
    "pregnancy_status_documented",
    "escort_confirmed",
)
CHECKLIST_TIMES = ("last_food_at", "last_liquid_at", "nasal_medication_at")
CHAIR_MAX_CHARS = PreDose._meta.get_field("chair").max_length or 40
PHONE_MAX_CHARS = PreDose._meta.get_field("escort_phone").max_length or 30
REASON_MAX_CHARS = PreDose._meta.get_field("proceed_reason").max_length or 500


@dataclass(frozen=True, slots=True)
class PreDoseOutcome:
    """The saved pre-dose record, the monitoring rules' judgement (`result.dosing` is go or
    hold) and the alerts it raised that were not stored before."""

    pre_dose: PreDose
    result: MonitorResult
    alerts: list[SessionAlert]
    session: TreatmentSession
    """The session as the change left it (its status and new version)."""


def _core_field(field: str) -> str:
    # The core names `pre_dose.systolic` and `checklist.last_food_at`; the input names
    # `systolic` and `last_food_at`.
    for prefix in ("pre_dose.", "checklist."):
        if field.startswith(prefix):
            return field.removeprefix(prefix)
    return "at"


def refuse_unless_today(session: TreatmentSession, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    if session.date != today:
        raise ChairConflict(
            ChairConflictCode.NOT_TODAY,
            f"Session {session.number} is dated {session.date.isoformat()}, not today "
            f"({today.isoformat()}): move it to today first.",
        )


def _refuse_after_dose(session: TreatmentSession) -> None:
    refuse_closed(session)
    if session.status == SessionStatus.DOSED:
        raise ChairConflict(
            ChairConflictCode.ALREADY_DOSED,
            f"Session {session.number} is dosed: the pre-dose checks no longer change.",
        )


def record_pre_dose(
    *,
    session: TreatmentSession,
    values: PreDoseInput,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> PreDoseOutcome:
    """Check the patient in and record the pre-dose checklist and vitals: `dosing` go or hold.

    CHART_SESSION. Only on the session's date (409 `not_today`), while it is scheduled or in the
    chair (409 once dosed, discharged or cancelled); the status becomes `in_chair`. Recording
    again (e.g. the blood pressure after rest) replaces the values (history keeps each version)
    and clears a prescriber's decision to proceed; the open MON-BP-HOLD / MON-SPO2-HOLD alerts of
    the record it supersedes are closed as superseded (who, why, audited), not left for a nurse.
    Impossible values (reference 3.7) and future times are a ValidationError naming the field;
    nothing is stored then.
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.CREATE)
    at = charted_time(values.at, "at", now)
    for name in VITALS:
        if getattr(values, name) is None:
            raise ValidationError({name: f"Record the pre-dose {name}."}, code="required")
    identity = flag(values.identity_confirmed, "identity_confirmed", required=True)
    consent = flag(values.consent_current, "consent_current", required=True)
    checklist = {name: flag(getattr(values, name), name) for name in CHECKLIST_FLAGS}
    times = {name: getattr(values, name) for name in CHECKLIST_TIMES}
    for name, value in times.items():
        if value is not None:
            charted_time(value, name, now)
    chair_name = text(values.chair, "chair", max_chars=CHAIR_MAX_CHARS, what="chair")
    phone = text(values.escort_phone, "escort_phone", max_chars=PHONE_MAX_CHARS, what="phone")
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        check_version(locked, version)
        _refuse_after_dose(locked)
        refuse_unless_today(locked, now)
        nurse = (
            by.user
            if values.nurse_id is None
            else clinic_member(by, values.nurse_id, "nurse_id", permission=Permission.CHART_SESSION)
        )
        if chair.route == ESKETAMINE:
            # SAFE-REMS-GATE: the clinic's certification decides; the checklist may only say
            # this setting is not certified (a tick in an uncertified clinic stays no).
            checklist["rems_setting_certified"] = setting_certified(
                checklist["rems_setting_certified"],
                clinic_certified=Clinic.objects.filter(pk=locked.clinic_id)
                .values_list("esketamine_rems_certified", flat=True)
                .get(),
            )
        if checklist["pregnancy_status_documented"] is None and pregnancy_check_applies(
            locked.patient.sex_at_birth
        ):
            # SAFE-PREGNANCY: asked at every session of a person who may be pregnant; left out,
            # it was not documented (MON-PREG-TEST warns), as an unticked box on the page.
            checklist["pregnancy_status_documented"] = False
        row = chair.pre_dose or PreDose(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            session=locked,
            checked_in_at=at,
        )
        row.chair = chair_name
        row.nurse = nurse
        row.at = at
        for name in (*VITALS, "respiratory_rate"):
            setattr(row, name, getattr(values, name))
        row.identity_confirmed = bool(identity)
        row.consent_current = bool(consent)
        for name, value in checklist.items():
            setattr(row, name, value)
        row.escort_phone = phone
        for name, value in times.items():
            setattr(row, name, value)
        candidate = with_rows(chair, pre_dose=row)
        result = judged(candidate, now=max(now, at), fields=_core_field)
        row.dosing = result.dosing.value
        row.proceed_by = None
        row.proceed_at = None
        row.proceed_reason = ""
        row.recorded_by = by.user
        row.recorded_at = now
        row.save()
        locked.status = SessionStatus.IN_CHAIR
        bump(locked, "status")
        new = persist_alerts(candidate, result, now)
        closed = _close_superseded_holds(candidate, row, result, by=by, now=now)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=PRE_DOSE,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"session={locked.pk} dosing={result.dosing.value} "
            f"holds={','.join(a.rule for a in hold_alerts(result.alerts))} alerts={len(new)} "
            f"superseded={len(closed)}",
        )
    return PreDoseOutcome(pre_dose=row, result=result, alerts=new, session=locked)


def _clock(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%H:%M}"


def _close_superseded_holds(
    chair: Chair, row: PreDose, result: MonitorResult, *, by: Membership, now: dt.datetime
) -> list[SessionAlert]:
    """The open MON-BP-HOLD / MON-SPO2-HOLD alerts (PRESCRIBER_DECIDABLE_HOLDS) that the new
    pre-dose record supersedes: those of an earlier record, and the record's own where the new
    values no longer hold. Only the new record's judgement stands (SAFE-BP-HOLD): left open, they
    would ask a nurse to acknowledge a hold that no longer exists. The other pre-dose alerts
    (a critical MON-BP-PREDOSE-SEVERE among them) stay for someone to acknowledge."""
    held = {alert.rule for alert in hold_alerts(result.alerts)}
    closed = []
    for alert in chair.alerts:
        if alert.rule not in PRESCRIBER_DECIDABLE_HOLDS or alert.acknowledged_at is not None:
            continue
        if alert.at == row.at and alert.rule in held:
            continue  # the new record's own hold, open until a prescriber decides
        outcome = (
            "the same hold stands on its own alert"
            if alert.rule in held
            else f"{alert.rule} no longer holds"
        )
        closed.append(
            close_alert(
                alert,
                note=f"Superseded by the pre-dose record of {_clock(row.at)}: {outcome}.",
                reason="superseded",
                by=by,
                now=now,
            )
        )
    return closed


def current_holds(chair: Chair, now: dt.datetime) -> MonitorResult:
    """The monitoring rules over the pre-dose record as it stands (before the dose)."""
    return judged(chair, now=max(now, chair.pre_dose.at) if chair.pre_dose else now)


def hold_reasons(result: MonitorResult) -> list[str]:
    return [f"{alert.rule}: {alert.message}" for alert in hold_alerts(result.alerts)]


def decide_proceed(
    *,
    session: TreatmentSession,
    reason: object,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> PreDose:
    """A prescriber's recorded benefit/risk decision to dose over a hold (SAFE-BP-HOLD).

    DECIDE_SESSION. Only over a hold whose every rule a prescriber may decide
    (`PRESCRIBER_DECIDABLE_HOLDS`: MON-BP-HOLD, MON-SPO2-HOLD); MON-REMS-ENROLLED and
    MON-BP-PREDOSE-SEVERE never (409 `hold_not_decidable` naming them). The reason is required
    (422 `reason`); it also closes the open alerts of the holds it decides, and those of a
    superseded pre-dose record still open, each with the reason as its note (audited).
    """
    now = resolve_now(now)
    may(by, Permission.DECIDE_SESSION, session, action=Action.UPDATE)
    written = text(reason, "reason", max_chars=REASON_MAX_CHARS, required=True, what="reason")
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        check_version(locked, version)
        _refuse_after_dose(locked)
        row = chair.pre_dose
        if row is None:
            raise ChairConflict(ChairConflictCode.NO_PRE_DOSE, "Record the pre-dose checks first.")
        result = current_holds(chair, now)
        if result.dosing is not Dosing.HOLD:
            raise ChairConflict(
                ChairConflictCode.NO_HOLD, "Dosing is not on hold: there is nothing to decide."
            )
        never = undecidable_holds(result.alerts)
        if never:
            raise ChairConflict(
                ChairConflictCode.HOLD_NOT_DECIDABLE,
                "This hold cannot be dosed over: take the pre-dose checks again once the cause "
                "is resolved, or do not dose today.",
                reasons=[f"{alert.rule}: {alert.message}" for alert in never],
            )
        row.proceed_by = by.user
        row.proceed_at = now
        row.proceed_reason = written
        row.save(update_fields=["proceed_by", "proceed_at", "proceed_reason"])
        # The holds it decides, and any still open from a pre-dose record this one superseded
        # (recorded before superseded holds were closed with the new record).
        decided = [
            close_alert(
                alert,
                note=(
                    f"Decision to proceed: {written}"
                    if alert.at == row.at
                    else f"Superseded by the pre-dose record of {_clock(row.at)}; "
                    f"decision to proceed: {written}"
                ),
                reason="proceed" if alert.at == row.at else "superseded",
                by=by,
                now=now,
            )
            for alert in chair.alerts
            if alert.rule in PRESCRIBER_DECIDABLE_HOLDS and alert.acknowledged_at is None
        ]
        bump(locked)
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=PRE_DOSE,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"proceed session={locked.pk} "
            f"holds={','.join(a.rule for a in hold_alerts(result.alerts))} "
            f"acknowledged={len(decided)}",
        )
    return row
