"""The chair's JSON answers: rows of the chair-side record as the schemas of
`ketacare.chair.api_schemas` show them, and the session judged by the monitoring rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError

from ketacare.chair.api_schemas import CHECKLIST_KEYS
from ketacare.chair.models import (
    Amendment,
    DoseGiven,
    PreDose,
    Reading,
    SessionAlert,
    SideEffect,
)
from ketacare.chair.services.readings import VALUES as READING_VALUES
from ketacare.chair.state import Chair, judge
from ketacare.clinical.adverse import TERMS, sedation_banner
from ketacare.clinical.monitoring import PREDOSE_RULES, MonitorResult
from ketacare.patients.queries import current_medications


def number_or_none(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def alert_out(alert: SessionAlert) -> dict[str, Any]:
    by = alert.acknowledged_by if alert.acknowledged_by_id is not None else None
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "level": alert.level,
        "at": alert.at,
        "message": alert.message,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": by.get_username() if by is not None else None,
        "note": alert.note,
        "reading_id": alert.reading_id,
        "raised_at": alert.raised_at,
        "version": alert.version,
    }


def pre_dose_out(row: PreDose) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        "checked_in_at": row.checked_in_at,
        "chair": row.chair,
        "nurse_id": row.nurse_id,
        "systolic": row.systolic,
        "diastolic": row.diastolic,
        "heart_rate": row.heart_rate,
        "spo2": row.spo2,
        "respiratory_rate": row.respiratory_rate,
        "checklist": {name: getattr(row, name) for name in CHECKLIST_KEYS},
        "dosing": row.dosing,
        "proceed": None
        if row.proceed_at is None
        else {"by_id": row.proceed_by_id, "at": row.proceed_at, "reason": row.proceed_reason},
        "recorded_by_id": row.recorded_by_id,
        "recorded_at": row.recorded_at,
    }


def dose_out(row: DoseGiven) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        "lot_number": row.lot_number,
        "order_id": row.order_id,
        "weight_kg": number_or_none(row.weight_kg),
        "dose_mg": number_or_none(row.dose_mg),
        "volume_ml": number_or_none(row.volume_ml),
        "rate_ml_per_h": number_or_none(row.rate_ml_per_h),
        "devices": row.devices,
        "infusion_duration_min": row.infusion_duration_min,
        "steps": list(row.steps),
        "given_by_id": row.given_by_id,
        "drawn_mg": number_or_none(row.drawn_mg),
        "wasted_mg": number_or_none(row.wasted_mg),
        "witness_id": row.witness_id,
        "witness_confirmed_at": row.witness_confirmed_at,
    }


def reading_out(row: Reading) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        **{name: getattr(row, name) for name in READING_VALUES},
        "symptoms": list(row.symptoms or []),
        "recorded_by_id": row.recorded_by_id,
    }


def side_effect_out(row: SideEffect) -> dict[str, Any]:
    return {
        "id": row.pk,
        "term": row.term,
        "term_text": row.other_term or TERMS.get(row.term, row.term),
        "other_term": row.other_term,
        "grade": row.grade,
        "serious": row.serious,
        "onset_at": row.onset_at,
        "resolved_at": row.resolved_at,
        "action": row.action,
        "recorded_by_id": row.recorded_by_id,
        "version": row.version,
    }


def amendment_out(row: Amendment) -> dict[str, Any]:
    return {"id": row.pk, "text": row.text, "by_id": row.by_id, "at": row.at}


def pending(chair: Chair, result: MonitorResult) -> list[dict[str, Any]]:
    """Alerts the rules raise now that are not stored (the write that stores them is the next
    one); a pre-dose rule's alert is stored with the pre-dose record, so never pending."""
    stored = {alert.rule for alert in chair.alerts}
    recorded = {reading.at for reading in chair.readings}
    return [
        {"rule": a.rule, "level": a.level.value, "at": a.at, "message": a.message}
        for a in result.alerts
        if a.rule not in PREDOSE_RULES and a.at not in recorded and a.rule not in stored
    ]


def chair_out(chair: Chair, *, now: dt.datetime) -> dict[str, Any]:
    session = chair.session
    result = judge(chair, now=now) if chair.pre_dose is not None else None
    order = session.plan.current_order
    discharge = result.discharge if result is not None else None
    classes = current_medications(session.patient).values_list("medication_class", flat=True)
    row = chair.discharge
    return {
        "id": session.pk,
        "patient_id": session.patient_id,
        "plan_id": session.plan_id,
        "number": session.number,
        "date": session.date,
        "route": chair.route,
        "status": session.status,
        "phase": session.phase,
        "order": None
        if order is None
        else {
            "id": order.pk,
            "number": order.number,
            "summary": order.summary,
            "dose_mg_per_kg": number_or_none(order.dose_mg_per_kg),
            "duration_min": order.duration_min,
            "concentration_mg_per_ml": number_or_none(order.concentration_mg_per_ml),
            "dose_mg": order.dose_mg,
        },
        "pre_dose": pre_dose_out(chair.pre_dose) if chair.pre_dose is not None else None,
        "dosing": result.dosing.value if result is not None else None,
        "dose": dose_out(chair.dose) if chair.dose is not None else None,
        "readings": [reading_out(r) for r in chair.readings],
        "alerts": [alert_out(a) for a in chair.alerts],
        "pending_alerts": pending(chair, result) if result is not None and row is None else [],
        "side_effects": [side_effect_out(s) for s in chair.side_effects],
        "next_reading_due": result.next_reading_due if result is not None and row is None else None,
        "discharge": None
        if discharge is None
        else {
            "ready": discharge.ready,
            "earliest": discharge.earliest,
            "reasons": [f"{rule}: {sentence}" for rule, sentence in discharge.reasons],
            "criteria": [
                {
                    "rule": c.rule,
                    "status": c.status.value,
                    "overridable": c.overridable,
                    "sentence": c.sentence,
                }
                for c in discharge.criteria
            ],
        },
        "discharged": None
        if row is None
        else {
            "at": row.at,
            "by_id": row.by_id,
            "dissociation_resolved": row.dissociation_resolved,
            "no_driving_instructed": row.no_driving_instructed,
            "overridden": list(row.overridden),
            "override_reason": row.override_reason,
            "ready_without_minimum_min": row.ready_without_minimum_min,
        },
        "amendments": [amendment_out(a) for a in chair.amendments],
        "rems_form": None
        if chair.rems_form is None
        else {
            "id": chair.rems_form.pk,
            "due_on": chair.rems_form.due_on,
            "submitted_at": chair.rems_form.submitted_at,
        },
        "sedation_banner": list(sedation_banner(classes)),
        "version": session.version,
    }


@contextmanager
def fields_under(prefix: str, keys: tuple[str, ...]) -> Iterator[None]:
    """Name a service's field as the body nests it (`last_food_at` -> `checklist.last_food_at`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed: Mapping[str, Any] = {
            (f"{prefix}.{field}" if field in keys else field): errors
            for field, errors in error.error_dict.items()
        }
        raise ValidationError(dict(renamed)) from None
