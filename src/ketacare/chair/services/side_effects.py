"""Side effects at a session: term, CTCAE grade, onset, resolution, serious, action taken; a
grade at or above the notification grade, or a serious event, alerts the prescriber
(SAFE-AE-GRADE)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode, stale_version
from ketacare.chair.models import SessionAlert, SideEffect
from ketacare.chair.queries import SIDE_EFFECT
from ketacare.chair.services.alerts import MESSAGE_MAX_CHARS
from ketacare.chair.services.base import (
    SETTINGS,
    bump,
    charted_time,
    flag,
    lock_chair,
    may,
    refuse_closed,
    resolve_now,
    text,
)
from ketacare.chair.state import Chair
from ketacare.clinical.adverse import (
    OTHER,
    TERMS,
    check_grade,
    check_term,
    notification_message,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.monitoring.decisions import SIDE_EFFECT_RULE, side_effect_alert_level
from ketacare.clinics.permissions import Permission
from ketacare.treatment.models import SessionStatus, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

OTHER_TERM_MAX_CHARS = SideEffect._meta.get_field("other_term").max_length or 120
ACTION_MAX_CHARS = SideEffect._meta.get_field("action").max_length or 500
# Two alerts of one rule may not share a moment (SessionAlert's unique rule and time): a second
# side effect with the same onset is filed a microsecond later, so each keeps its own alert.
_NUDGE = dt.timedelta(microseconds=1)


def _checked_term(term: object, other_term: object) -> tuple[str, str]:
    try:
        code = check_term(term, other_term)
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None
    words = text(other_term, "other_term", max_chars=OTHER_TERM_MAX_CHARS, what="term")
    return code, words if code == OTHER else ""


def _checked_grade(grade: object) -> int:
    try:
        return check_grade(grade, SETTINGS)
    except ClinicalInputError as error:
        raise ValidationError({error.field: error.message}, code="invalid") from None


def _resolution(resolved_at: object, onset: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    if resolved_at is None:
        return None
    resolved = charted_time(resolved_at, "resolved_at", now)
    if resolved < onset:
        raise ValidationError(
            {"resolved_at": "A side effect cannot resolve before its onset."}, code="before_onset"
        )
    return resolved


def _refuse_unless_charting(session: TreatmentSession) -> None:
    refuse_closed(session)
    if session.status not in (SessionStatus.IN_CHAIR, SessionStatus.DOSED):
        raise ChairConflict(
            ChairConflictCode.NOT_IN_CHAIR,
            "Side effects are charted while the patient is in the chair: check them in first.",
        )


def _alert_for(
    chair: Chair, row: SideEffect, level: str, message: str, now: dt.datetime
) -> SessionAlert:
    taken = {alert.at for alert in chair.alerts if alert.rule == SIDE_EFFECT_RULE}
    at = row.onset_at
    while at in taken:
        at += _NUDGE
    alert = SessionAlert.objects.create(
        clinic_id=row.clinic_id,
        patient_id=row.patient_id,
        session=chair.session,
        rule=SIDE_EFFECT_RULE,
        level=level,
        at=at,
        message=message[:MESSAGE_MAX_CHARS],
        raised_at=now,
    )
    chair.alerts.append(alert)
    return alert


def record_side_effect(
    *,
    session: TreatmentSession,
    term: object,
    grade: object,
    serious: object = False,
    other_term: object = "",
    onset_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    action: object = "",
    by: Membership,
    now: dt.datetime | None = None,
) -> SideEffect:
    """Chart a side effect (reference 4.1-4.4) while the patient is in the chair or dosed.

    CHART_SESSION. `term` one of `ketacare.clinical.adverse.TERMS` (`other` with `other_term`),
    `grade` CTCAE 1-5; onset defaults to now. A serious event, or one at SAFE-AE-GRADE's
    notification grade or above, raises a SAFE-AE-GRADE alert for the prescriber (critical when
    serious or life-threatening). The side effect carries `alert` (the new alert, or None).
    """
    now = resolve_now(now)
    may(by, Permission.CHART_SESSION, session, action=Action.CREATE)
    code, words = _checked_term(term, other_term)
    level_of = _checked_grade(grade)
    is_serious = bool(flag(serious, "serious", required=True))
    onset = charted_time(onset_at, "onset_at", now)
    resolved = _resolution(resolved_at, onset, now)
    done = text(action, "action", max_chars=ACTION_MAX_CHARS, what="action taken")
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = chair.session
        _refuse_unless_charting(locked)
        row = SideEffect.objects.create(
            clinic_id=locked.clinic_id,
            patient_id=locked.patient_id,
            session=locked,
            term=code,
            other_term=words,
            grade=level_of,
            serious=is_serious,
            onset_at=onset,
            resolved_at=resolved,
            action=done,
            recorded_by=by.user,
            recorded_at=now,
        )
        level = side_effect_alert_level(level_of, is_serious, SETTINGS)
        alert = None
        if level is not None:
            message = notification_message(words or TERMS[code], level_of, is_serious, chair.route)
            alert = _alert_for(chair, row, level.value, message, now)
        bump(locked)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=SIDE_EFFECT,
            object_id=row.pk,
            patient_id=locked.patient_id,
            detail=f"session={locked.pk} term={code} grade={level_of} "
            f"serious={'yes' if is_serious else 'no'} alert={alert.pk if alert else ''}",
        )
    row.alert = alert  # type: ignore[attr-defined]
    return row


def resolve_side_effect(
    *,
    side_effect: SideEffect,
    resolved_at: dt.datetime | None,
    version: int,
    action: object = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> SideEffect:
    """Record when a side effect resolved (and the action taken, when given).

    CHART_SESSION. `version` is the side effect's as read (409 `stale_version`); a discharged
    session's side effects are amended, not changed (409 `discharged`).
    """
    now = resolve_now(now)
    session = side_effect.session
    may(by, Permission.CHART_SESSION, session, action=Action.UPDATE)
    done = (
        None
        if action is None
        else text(action, "action", max_chars=ACTION_MAX_CHARS, what="action taken")
    )
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = SideEffect.objects.select_for_update().get(pk=side_effect.pk)
        refuse_closed(chair.session)
        if locked.version != version:
            raise stale_version()
        locked.resolved_at = _resolution(resolved_at, locked.onset_at, now)
        fields = ["resolved_at", "version"]
        if done is not None:
            locked.action = done
            fields.append("action")
        locked.version += 1
        locked.save(update_fields=fields)
        bump(chair.session)
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=SIDE_EFFECT,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail=f"resolve session={session.pk} resolved={'yes' if locked.resolved_at else 'no'}",
        )
    return locked
