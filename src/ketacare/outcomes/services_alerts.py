"""Alerts the care team must acknowledge: raising the suicidality alerts of a new answer, the
clinic's open alerts, and acknowledging one with a note.

Which flag needs an alert, how urgently and under which rule is the clinical core's
(`clinical.instruments.urgency`): SAFE-ITEM9, SAFE-SI-FLAGS and SAFE-CSSRS-HIGH. Whatever the
channel (staff entry, a patient's link) the alert is raised in the transaction that saved the
answer, so an answer is never stored without its alert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.instruments import get_instrument
from ketacare.clinical.instruments.urgency import (
    ReviewUrgency,
    needs_alert,
    review_urgency,
    safety_rule,
)
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped, scoped_get
from ketacare.outcomes.models import AlertKind, OutcomeAlert

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Assessment

ALERT = "outcome_alert"
NOTE_MAX_CHARS = 500
# Urgent first: "now" (C-SSRS high risk) before "today", early warnings (no urgency) last.
URGENCY_ORDER = Case(
    When(urgency=ReviewUrgency.NOW, then=Value(0)),
    When(urgency=ReviewUrgency.TODAY, then=Value(1)),
    When(urgency=ReviewUrgency.NEXT_CONTACT, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _flag_message(instrument: str, flag: str) -> str:
    """The core's own sentence for the flag (no patient data in it)."""
    definition = get_instrument(instrument)
    for known in definition.flags:
        if known.name == flag:
            return f"{definition.title}: {known.description}"[:500]
    return f"{definition.title}: {flag}"


def raise_suicidality_alerts(assessment: Assessment) -> list[OutcomeAlert]:
    """One alert per flag of `assessment` that needs one (idempotent: the database keeps one
    per answer, kind and rule). Runs inside the caller's transaction; audited per alert."""
    raised: list[OutcomeAlert] = []
    for flag in assessment.flags:
        rule = safety_rule(assessment.instrument, flag)
        urgency = review_urgency(flag)
        if rule is None or urgency is None or not needs_alert(flag):
            continue
        alert, created = OutcomeAlert.objects.get_or_create(
            assessment=assessment,
            kind=AlertKind.SUICIDALITY,
            rule_id=rule,
            defaults={
                "clinic_id": assessment.clinic_id,  # type: ignore[attr-defined]
                "patient_id": assessment.patient_id,  # type: ignore[attr-defined]
                "urgency": urgency.value,
                "message": _flag_message(assessment.instrument, flag),
                "raised_at": timezone.now(),
            },
        )
        if created:
            record_event(
                action=Action.CREATE,
                clinic_id=alert.clinic_id,  # type: ignore[attr-defined]
                object_type=ALERT,
                object_id=alert.pk,
                patient_id=alert.patient_id,  # type: ignore[attr-defined]
                detail=f"rule={rule} urgency={urgency.value} assessment={assessment.pk}",
            )
            raised.append(alert)
    return raised


def open_alerts(membership: Membership | None) -> QuerySet[OutcomeAlert]:
    """The clinic's unacknowledged alerts, urgent first, then newest (no permission check:
    for `alerts_for`, the navigation count and the chart banner, whose callers check)."""
    return (
        scoped(OutcomeAlert.objects, membership)
        .filter(acknowledged_at__isnull=True)
        .select_related("patient")
        .order_by(URGENCY_ORDER, "-raised_at", "-pk")
    )


def alerts_for(by: Membership, *, only_open: bool) -> QuerySet[OutcomeAlert]:
    """The clinic's alerts (open ones only, or all), urgent first, then newest. Alerts carry
    clinical findings: VIEW_CLINICAL (403 otherwise, audited). The caller audits the rows it
    shows (`read_page`, `record_list_read`)."""
    require_role(by, Permission.VIEW_CLINICAL, action=Action.READ, object_type=ALERT)
    if only_open:
        return open_alerts(by)
    return (
        scoped(OutcomeAlert.objects, by)
        .select_related("patient")
        .order_by(URGENCY_ORDER, "-raised_at", "-pk")
    )


def has_open_alert(membership: Membership | None, patient_id: int) -> bool:
    return open_alerts(membership).filter(patient_id=patient_id).exists()


def _note(note: object) -> str:
    if not isinstance(note, str) or not note.strip():
        raise ValidationError(
            {"note": "Write what was done (the review or the contact)."}, code="required"
        )
    text = note.strip()
    if "\x00" in text:
        raise ValidationError({"note": "Remove the NUL character from this text."}, code="nul")
    if len(text) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"note": f"Keep the note to {NOTE_MAX_CHARS} characters."}, code="max_length"
        )
    return text


def acknowledge_alert(*, by: Membership, alert_id: object, note: object) -> OutcomeAlert:
    """Acknowledge an open alert of the acting clinic with a note (ACKNOWLEDGE_OUTCOME_ALERT).

    Another clinic's or an unknown alert: 404 whatever the role. A role without the permission:
    403. No note: 422 naming `note`. Already acknowledged (by anyone, a moment ago too): 409 and
    the first acknowledgement stands."""
    alert = scoped_get(OutcomeAlert.objects, by, alert_id, object_type=ALERT, action=Action.UPDATE)
    require_role(
        by,
        Permission.ACKNOWLEDGE_OUTCOME_ALERT,
        action=Action.UPDATE,
        object_type=ALERT,
        object_id=alert.pk,
        patient_id=alert.patient_id,  # type: ignore[attr-defined]
    )
    text = _note(note)
    now = timezone.now()
    with transaction.atomic(durable=True):
        taken = OutcomeAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by.user, note=text
        )
        if not taken:
            raise Conflict("This alert was already acknowledged.", code="already_acknowledged")
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=ALERT,
            object_id=alert.pk,
            patient_id=alert.patient_id,  # type: ignore[attr-defined]
            detail=f"acknowledge rule={alert.rule_id}",
        )
    alert.refresh_from_db()
    return alert
