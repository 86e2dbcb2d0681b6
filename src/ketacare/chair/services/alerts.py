"""Alerts of the monitoring rules, kept so that someone acknowledges them with a note.

`persist_alerts` stores what `evaluate` raised, each alert once: an alert about a recorded moment
(the pre-dose record, a reading) once per rule and moment; an alert about something missing
(MON-BP-40MIN, timed `now`) once per rule and session, so evaluating the session again never
repeats an alert.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict, ChairConflictCode, stale_version
from ketacare.chair.models import SessionAlert
from ketacare.chair.queries import ALERT
from ketacare.chair.services.base import (
    NOTE_MAX_CHARS,
    bump,
    lock_chair,
    may,
    refuse_closed,
    resolve_now,
    text,
)
from ketacare.chair.state import Chair
from ketacare.clinical.monitoring import PREDOSE_RULES, MonitorResult
from ketacare.clinical.monitoring.decisions import SIDE_EFFECT_RULE
from ketacare.clinics.permissions import Permission

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership

MESSAGE_MAX_CHARS = SessionAlert._meta.get_field("message").max_length or 500


def persist_alerts(chair: Chair, result: MonitorResult, now: dt.datetime) -> list[SessionAlert]:
    """Store the alerts of `result` not stored yet; return the new rows (also added to
    `chair.alerts`).

    A pre-dose rule's alert belongs to the pre-dose record (its time, whatever moment
    `evaluate` gave it); an alert timed at a reading belongs to that reading; any other alert
    is about something missing and is stored once per session and rule.
    """
    session = chair.session
    stored = {(alert.rule, alert.at) for alert in chair.alerts}
    rules = {alert.rule for alert in chair.alerts}
    readings = {reading.at: reading for reading in chair.readings}
    pre_dose_at = chair.pre_dose.at if chair.pre_dose is not None else None
    new: list[SessionAlert] = []
    for alert in result.alerts:
        reading = None
        if alert.rule in PREDOSE_RULES:
            if pre_dose_at is None:
                continue
            at = pre_dose_at
        elif alert.at in readings:
            at, reading = alert.at, readings[alert.at]
        elif alert.rule in rules:
            continue
        else:
            at = alert.at
        if (alert.rule, at) in stored:
            continue
        row = SessionAlert.objects.create(
            clinic_id=session.clinic_id,
            patient_id=session.patient_id,
            session=session,
            rule=alert.rule,
            level=alert.level.value,
            at=at,
            message=alert.message[:MESSAGE_MAX_CHARS],
            reading=reading,
            raised_at=now,
        )
        stored.add((alert.rule, at))
        rules.add(alert.rule)
        new.append(row)
    chair.alerts.extend(new)
    return new


def close_alert(
    alert: SessionAlert, *, note: str, reason: str, by: Membership, now: dt.datetime
) -> SessionAlert:
    """Close an open alert that nobody needs to acknowledge any more (the hold of a superseded
    pre-dose record, or a hold a prescriber decided): kept as acknowledged by `by` at `now` with
    `note` saying why, and audited (`reason` a code: `superseded`, `proceed`). The caller holds
    the chair's locks and bumps the session."""
    alert.acknowledged_at = now
    alert.acknowledged_by = by.user
    alert.note = note[:NOTE_MAX_CHARS]
    alert.version += 1
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note", "version"])
    record_event(
        action=Action.UPDATE,
        membership=by,
        object_type=ALERT,
        object_id=alert.pk,
        patient_id=alert.patient_id,
        detail=f"{reason} session={alert.session_id} rule={alert.rule} level={alert.level}",
    )
    return alert


def acknowledge_alert(
    *,
    alert: SessionAlert,
    note: object,
    version: int | None = None,
    by: Membership,
    now: dt.datetime | None = None,
) -> SessionAlert:
    """Acknowledge an alert with a note (DISCH-ALERTS counts the critical ones).

    CHART_SESSION; a SAFE-AE-GRADE alert is the prescriber's (DECIDE_SESSION). The note may not
    be empty (422 `note`); `version` is the alert's as read (409 `stale_version`); an alert
    acknowledged already is a 409, and so is one of a discharged session (amend instead).
    """
    now = resolve_now(now)
    session = alert.session
    if alert.rule == SIDE_EFFECT_RULE:
        may(
            by,
            Permission.DECIDE_SESSION,
            session,
            action=Action.UPDATE,
            message="A side effect's alert is for the prescriber to acknowledge.",
        )
    else:
        may(by, Permission.CHART_SESSION, session, action=Action.UPDATE)
    written = text(note, "note", max_chars=NOTE_MAX_CHARS, required=True, what="note")
    with transaction.atomic(durable=True):
        chair = lock_chair(session)
        locked = SessionAlert.objects.select_for_update().get(pk=alert.pk)
        refuse_closed(chair.session)
        if locked.acknowledged_at is not None:
            raise ChairConflict(
                ChairConflictCode.ALREADY_ACKNOWLEDGED,
                "This alert was acknowledged already.",
            )
        if version is not None and locked.version != version:
            raise stale_version()
        locked.acknowledged_at = now
        locked.acknowledged_by = by.user
        locked.note = written
        locked.version += 1
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "note", "version"])
        bump(chair.session)
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=ALERT,
            object_id=locked.pk,
            patient_id=locked.patient_id,
            detail=f"acknowledge session={session.pk} rule={locked.rule} level={locked.level}",
        )
    return locked
