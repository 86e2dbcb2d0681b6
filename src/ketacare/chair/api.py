"""JSON API of a session at the chair (contracts.md 2.3), under /api/v1/.

    GET   /sessions/{id}                 the chair-side record, judged by the monitoring rules now
    POST  /sessions/{id}/pre-dose        check-in, checklist and vitals -> 200 dosing, alerts
    POST  /sessions/{id}/proceed         a prescriber's decision to dose over a hold
    POST  /sessions/{id}/dose            the dose of the signed order -> 200 dose and its steps
    POST  /sessions/{id}/count           the IV controlled-substance count after the dose
    POST  /sessions/{id}/witness         the named witness confirms the count
    POST  /sessions/{id}/readings        a reading -> 201 its alerts, next reading due
    POST  /alerts/{id}/acknowledge       acknowledge an alert with a note
    POST  /sessions/{id}/side-effects    a side effect -> 201
    PATCH /side-effects/{id}             its resolution (version)
    POST  /sessions/{id}/discharge       discharge (attestations, override_reason?) -> the session
    POST  /sessions/{id}/amendments      an amendment of a discharged session -> 201

The acting clinic is the clinic of the object in the path; another clinic's id is a 404 with a
denied audit event, a role without the permission a 403. Every write calls one service of
`ketacare.chair.services`; errors come from `ketacare.api.errors` (422 naming the field, 409
with `reasons` where clinical rules decided). Writes take an optional `version` (the session's,
or the alert's and side effect's own): a stale one is a 409 and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt

from ketacare.api.acting import membership_for_object
from ketacare.api.schemas import ConflictOut, Error, Invalid
from ketacare.audit.models import Action
from ketacare.chair import services
from ketacare.chair.models import (
    Amendment,
    DoseGiven,
    PreDose,
    Reading,
    SessionAlert,
    SideEffect,
)
from ketacare.chair.queries import get_alert_for, get_chair_for, get_side_effect_for
from ketacare.chair.services.predose import hold_reasons
from ketacare.chair.services.readings import VALUES as READING_VALUES
from ketacare.chair.state import Chair, judge
from ketacare.clinical.adverse import TERMS, sedation_banner
from ketacare.clinical.monitoring import PREDOSE_RULES, MonitorResult
from ketacare.clinics.permissions import Permission
from ketacare.patients.queries import current_medications
from ketacare.treatment.models import TreatmentSession

router = Router(tags=["chair"])

RouteId = Literal["iv_ketamine", "esketamine_nasal", "oral_ketamine"]
SessionStatusId = Literal["scheduled", "in_chair", "dosed", "discharged", "cancelled"]
LevelId = Literal["info", "warning", "critical"]

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ConflictOut}

CHECKLIST_KEYS = (
    "identity_confirmed",
    "consent_current",
    "rems_setting_certified",
    "rems_patient_enrolled",
    "pregnancy_status_documented",
    "escort_confirmed",
    "escort_phone",
    "last_food_at",
    "last_liquid_at",
    "nasal_medication_at",
)
ATTESTATION_KEYS = ("dissociation_resolved", "no_driving_instructed")


# --- input --------------------------------------------------------------------------------


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ChecklistIn(_In):
    """The checklist keys of `ketacare monitor` plus identity and consent; a flag left out is
    "not recorded". `rems_setting_certified` left out is the clinic's REMS certification."""

    identity_confirmed: StrictBool = False
    consent_current: StrictBool = False
    rems_setting_certified: StrictBool | None = None
    rems_patient_enrolled: StrictBool | None = None
    pregnancy_status_documented: StrictBool | None = None
    escort_confirmed: StrictBool | None = None
    escort_phone: str = Field("", max_length=30, description="The escort's phone number.")
    last_food_at: dt.datetime | None = None
    last_liquid_at: dt.datetime | None = None
    nasal_medication_at: dt.datetime | None = None


class PreDoseIn(_In):
    at: dt.datetime | None = Field(None, description="When the vitals were taken; default now.")
    chair: str = Field("", max_length=40, description="Chair or room.")
    nurse_id: int | None = Field(
        None, description="User id of the responsible nurse; default the caller."
    )
    systolic: StrictInt
    diastolic: StrictInt
    heart_rate: StrictInt
    spo2: StrictInt
    respiratory_rate: StrictInt | None = None
    checklist: ChecklistIn = Field(default_factory=ChecklistIn)
    version: int | None = Field(None, description="The session's version as read.")


class ProceedIn(_In):
    reason: str = Field(max_length=500, description="The prescriber's benefit/risk decision.")
    version: int | None = None


class DoseIn(_In):
    at: dt.datetime | None = Field(
        None, description="First esketamine device, IV infusion start or oral dose; default now."
    )
    lot_number: str = Field(max_length=40)
    weight_kg: float | None = Field(
        None, description="IV: today's weight; default the chart's latest weight."
    )
    concentration_mg_per_ml: float | None = Field(
        None,
        description="IV, when the order names none: the bag's concentration (for the volume and "
        "pump rate; without it they are null).",
    )
    drawn_mg: float | None = Field(None, description="IV count: amount drawn.")
    wasted_mg: float | None = Field(None, description="IV count: amount wasted.")
    witness_id: int | None = Field(None, description="IV count: user id of the witness.")
    version: int | None = None


class CountIn(_In):
    drawn_mg: float
    wasted_mg: float
    witness_id: int
    version: int | None = None


class ReadingIn(_In):
    at: dt.datetime | None = Field(None, description="Default now; not before the dose.")
    systolic: StrictInt | None = None
    diastolic: StrictInt | None = None
    heart_rate: StrictInt | None = None
    spo2: StrictInt | None = None
    respiratory_rate: StrictInt | None = None
    moaas: StrictInt | None = None
    cadss: StrictInt | None = None
    symptoms: list[str] = Field(
        default_factory=list, description="Symptom codes of MON-HTN-SYMPTOMS."
    )
    version: int | None = None


class AcknowledgeIn(_In):
    note: str = Field(max_length=500)
    version: int | None = Field(None, description="The alert's version as read.")


class SideEffectIn(_In):
    term: str = Field(max_length=40, description="A term of the reference 4.1 list, or `other`.")
    other_term: str = Field("", max_length=120, description="The words, when `term` is other.")
    grade: StrictInt = Field(description="CTCAE grade 1-5.")
    serious: StrictBool
    onset_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    action: str = Field("", max_length=500, description="Action taken.")


class SideEffectUpdate(_In):
    resolved_at: dt.datetime | None = Field(description="When it resolved (null: not resolved).")
    action: str | None = Field(None, max_length=500)
    version: int = Field(description="The side effect's version as read.")


class AttestationsIn(_In):
    dissociation_resolved: StrictBool
    no_driving_instructed: StrictBool


class DischargeIn(_In):
    at: dt.datetime | None = None
    attestations: AttestationsIn
    override_reason: str | None = Field(
        None, max_length=1000, description="A prescriber's written reason (DISCH-OVERRIDE)."
    )
    ready_without_minimum_min: int | None = Field(
        None,
        description="REMS evaluation question: minutes after the dose at which the patient "
        "would have been ready to leave without the minimum observation time.",
    )
    version: int | None = None


class AmendmentIn(_In):
    text: str = Field(max_length=2000)


# --- output -------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    rule: str
    level: LevelId
    at: dt.datetime
    message: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    note: str
    reading_id: int | None
    raised_at: dt.datetime
    version: int


class PendingAlertOut(Schema):
    """An alert the rules raise now that no write stored yet (e.g. an overdue 40-min BP)."""

    rule: str
    level: LevelId
    at: dt.datetime
    message: str


class ProceedOut(Schema):
    by_id: int
    at: dt.datetime
    reason: str


class PreDoseOut(Schema):
    id: int
    at: dt.datetime
    checked_in_at: dt.datetime
    chair: str
    nurse_id: int
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    respiratory_rate: int | None
    checklist: dict[str, Any]
    dosing: Literal["go", "hold"]
    proceed: ProceedOut | None
    recorded_by_id: int
    recorded_at: dt.datetime


class DoseAlertOut(Schema):
    rule: str
    level: LevelId
    message: str


class DoseOut(Schema):
    id: int
    at: dt.datetime
    lot_number: str
    order_id: int
    weight_kg: float | None
    dose_mg: float
    volume_ml: float | None
    rate_ml_per_h: float | None
    devices: int | None
    infusion_duration_min: int | None
    steps: list[str]
    given_by_id: int
    drawn_mg: float | None
    wasted_mg: float | None
    witness_id: int | None
    witness_confirmed_at: dt.datetime | None


class ReadingOut(Schema):
    id: int
    at: dt.datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    moaas: int | None
    cadss: int | None
    symptoms: list[str]
    recorded_by_id: int


class SideEffectOut(Schema):
    id: int
    term: str
    term_text: str
    other_term: str
    grade: int
    serious: bool
    onset_at: dt.datetime
    resolved_at: dt.datetime | None
    action: str
    recorded_by_id: int
    version: int


class CriterionOut(Schema):
    rule: str
    status: Literal["holds", "does_not_hold", "overridden"]
    overridable: bool
    sentence: str


class DischargeStateOut(Schema):
    """The DISCH-* criteria at the time of the request (at discharge, once discharged)."""

    ready: bool
    earliest: dt.datetime
    reasons: list[str]
    criteria: list[CriterionOut]


class DischargedOut(Schema):
    at: dt.datetime
    by_id: int
    dissociation_resolved: bool
    no_driving_instructed: bool
    overridden: list[str]
    override_reason: str
    ready_without_minimum_min: int | None


class AmendmentOut(Schema):
    id: int
    text: str
    by_id: int
    at: dt.datetime


class RemsFormOut(Schema):
    id: int
    due_on: dt.date
    submitted_at: dt.datetime | None


class OrderSummaryOut(Schema):
    id: int
    number: int
    summary: str
    dose_mg_per_kg: float | None
    duration_min: int | None
    concentration_mg_per_ml: float | None
    dose_mg: int | None


class ChairOut(Schema):
    id: int
    patient_id: int
    plan_id: int
    number: int
    date: dt.date
    route: RouteId
    status: SessionStatusId
    phase: str
    order: OrderSummaryOut | None
    pre_dose: PreDoseOut | None
    dosing: Literal["go", "hold"] | None = Field(
        description="The pre-dose decision as the rules judge it now (null before check-in)."
    )
    dose: DoseOut | None
    readings: list[ReadingOut]
    alerts: list[AlertOut]
    pending_alerts: list[PendingAlertOut]
    side_effects: list[SideEffectOut]
    next_reading_due: dt.datetime | None
    discharge: DischargeStateOut | None
    discharged: DischargedOut | None
    amendments: list[AmendmentOut]
    rems_form: RemsFormOut | None
    sedation_banner: list[str] = Field(
        description="Interacting medication classes on the chart (SAFE-CNS-DEP)."
    )
    version: int


class PreDoseAnswer(Schema):
    session_id: int
    status: SessionStatusId
    version: int
    dosing: Literal["go", "hold"]
    reasons: list[str] = Field(description="The hold rules that fired, as `RULE-ID: sentence`.")
    alerts: list[AlertOut] = Field(description="The alerts of this pre-dose record.")
    pre_dose: PreDoseOut


class DoseAnswer(DoseOut):
    session_id: int
    status: SessionStatusId
    version: int
    dose_alerts: list[DoseAlertOut]
    alerts: list[AlertOut]


class ReadingAnswer(ReadingOut):
    session_id: int
    version: int
    alerts: list[AlertOut] = Field(description="The alerts this reading raised.")
    next_reading_due: dt.datetime | None


class AlertAnswer(AlertOut):
    session_id: int
    session_version: int


class SideEffectAnswer(SideEffectOut):
    session_id: int
    session_version: int
    alert: AlertOut | None = Field(description="The SAFE-AE-GRADE alert it raised, if any.")


class WitnessAnswer(DoseOut):
    session_id: int
    version: int


# --- answers ------------------------------------------------------------------------------


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _alert_out(alert: SessionAlert) -> dict[str, Any]:
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


def _pre_dose_out(row: PreDose) -> dict[str, Any]:
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


def _dose_out(row: DoseGiven) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        "lot_number": row.lot_number,
        "order_id": row.order_id,
        "weight_kg": _float(row.weight_kg),
        "dose_mg": float(row.dose_mg),
        "volume_ml": _float(row.volume_ml),
        "rate_ml_per_h": _float(row.rate_ml_per_h),
        "devices": row.devices,
        "infusion_duration_min": row.infusion_duration_min,
        "steps": list(row.steps),
        "given_by_id": row.given_by_id,
        "drawn_mg": _float(row.drawn_mg),
        "wasted_mg": _float(row.wasted_mg),
        "witness_id": row.witness_id,
        "witness_confirmed_at": row.witness_confirmed_at,
    }


def _reading_out(row: Reading) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        **{name: getattr(row, name) for name in READING_VALUES},
        "symptoms": list(row.symptoms or []),
        "recorded_by_id": row.recorded_by_id,
    }


def _side_effect_out(row: SideEffect) -> dict[str, Any]:
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


def _amendment_out(row: Amendment) -> dict[str, Any]:
    return {"id": row.pk, "text": row.text, "by_id": row.by_id, "at": row.at}


def _pending(chair: Chair, result: MonitorResult) -> list[dict[str, Any]]:
    """Alerts the rules raise now that are not stored (the write that stores them is the next
    one); a pre-dose rule's alert is stored with the pre-dose record, so never pending."""
    stored = {alert.rule for alert in chair.alerts}
    recorded = {reading.at for reading in chair.readings}
    return [
        {"rule": a.rule, "level": a.level.value, "at": a.at, "message": a.message}
        for a in result.alerts
        if a.rule not in PREDOSE_RULES and a.at not in recorded and a.rule not in stored
    ]


def _chair_out(chair: Chair, *, now: dt.datetime) -> dict[str, Any]:
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
            "dose_mg_per_kg": _float(order.dose_mg_per_kg),
            "duration_min": order.duration_min,
            "concentration_mg_per_ml": _float(order.concentration_mg_per_ml),
            "dose_mg": order.dose_mg,
        },
        "pre_dose": _pre_dose_out(chair.pre_dose) if chair.pre_dose is not None else None,
        "dosing": result.dosing.value if result is not None else None,
        "dose": _dose_out(chair.dose) if chair.dose is not None else None,
        "readings": [_reading_out(r) for r in chair.readings],
        "alerts": [_alert_out(a) for a in chair.alerts],
        "pending_alerts": _pending(chair, result) if result is not None and row is None else [],
        "side_effects": [_side_effect_out(s) for s in chair.side_effects],
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
        "amendments": [_amendment_out(a) for a in chair.amendments],
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
def _fields_under(prefix: str, keys: tuple[str, ...]) -> Iterator[None]:
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


def _by(request: HttpRequest, session_id: int) -> Any:
    return membership_for_object(request, TreatmentSession, session_id)


# --- routes -------------------------------------------------------------------------------


@router.get(
    "/sessions/{session_id}",
    response={200: ChairOut, **ERRORS},
    summary="A session at the chair, judged by the monitoring rules now",
)
def read_session_at_chair(request: HttpRequest, session_id: int) -> Any:
    membership = membership_for_object(request, TreatmentSession, session_id)
    chair = get_chair_for(membership, session_id)
    return Status(200, _chair_out(chair, now=timezone.now()))


@router.post(
    "/sessions/{session_id}/pre-dose",
    response={200: PreDoseAnswer, **WRITE_ERRORS},
    summary="Check in: the pre-dose checklist and vitals; answered with dosing go or hold",
)
def record_pre_dose(request: HttpRequest, session_id: int, payload: PreDoseIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.CREATE,
        audit_read=False,
    )
    checklist = payload.checklist.model_dump()
    values = services.PreDoseInput(
        at=payload.at,
        chair=payload.chair,
        nurse_id=payload.nurse_id,
        systolic=payload.systolic,
        diastolic=payload.diastolic,
        heart_rate=payload.heart_rate,
        spo2=payload.spo2,
        respiratory_rate=payload.respiratory_rate,
        **checklist,
    )
    with _fields_under("checklist", CHECKLIST_KEYS):
        outcome = services.record_pre_dose(
            session=chair.session, values=values, version=payload.version, by=membership
        )
    session = chair.session
    session.refresh_from_db(fields=["status", "version"])
    row = outcome.pre_dose
    alerts = list(SessionAlert.objects.filter(session_id=session.pk, at=row.at).order_by("rule"))
    return Status(
        200,
        {
            "session_id": session.pk,
            "status": session.status,
            "version": session.version,
            "dosing": outcome.result.dosing.value,
            "reasons": hold_reasons(outcome.result),
            "alerts": [_alert_out(a) for a in alerts],
            "pre_dose": _pre_dose_out(row),
        },
    )


@router.post(
    "/sessions/{session_id}/proceed",
    response={200: PreDoseOut, **WRITE_ERRORS},
    summary="A prescriber's recorded decision to dose over a hold (MON-BP-HOLD, MON-SPO2-HOLD)",
)
def decide_proceed(request: HttpRequest, session_id: int, payload: ProceedIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.DECIDE_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )
    row = services.decide_proceed(
        session=chair.session, reason=payload.reason, version=payload.version, by=membership
    )
    return Status(200, _pre_dose_out(row))


@router.post(
    "/sessions/{session_id}/dose",
    response={200: DoseAnswer, **WRITE_ERRORS},
    summary="Give the dose of the signed order; answered with the arithmetic as steps",
)
def record_dose(request: HttpRequest, session_id: int, payload: DoseIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.CREATE,
        audit_read=False,
    )
    outcome = services.record_dose(
        session=chair.session,
        at=payload.at,
        lot_number=payload.lot_number,
        weight_kg=payload.weight_kg,
        concentration_mg_per_ml=payload.concentration_mg_per_ml,
        drawn_mg=payload.drawn_mg,
        wasted_mg=payload.wasted_mg,
        witness_id=payload.witness_id,
        version=payload.version,
        by=membership,
    )
    session = chair.session
    session.refresh_from_db(fields=["status", "version"])
    return Status(
        200,
        {
            **_dose_out(outcome.dose),
            "session_id": session.pk,
            "status": session.status,
            "version": session.version,
            "dose_alerts": [
                {"rule": a.rule, "level": a.level, "message": a.message}
                for a in outcome.result.alerts
            ],
            "alerts": [_alert_out(a) for a in outcome.alerts],
        },
    )


@router.post(
    "/sessions/{session_id}/count",
    response={200: WitnessAnswer, **WRITE_ERRORS},
    summary="IV ketamine: the drawn/wasted count after the dose, with the witness named",
)
def record_count(request: HttpRequest, session_id: int, payload: CountIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )
    dose = services.record_count(
        session=chair.session,
        drawn_mg=payload.drawn_mg,
        wasted_mg=payload.wasted_mg,
        witness_id=payload.witness_id,
        version=payload.version,
        by=membership,
    )
    chair.session.refresh_from_db(fields=["version"])
    return Status(
        200, {**_dose_out(dose), "session_id": chair.session.pk, "version": chair.session.version}
    )


@router.post(
    "/sessions/{session_id}/witness",
    response={200: WitnessAnswer, **WRITE_ERRORS},
    summary="The witness named on the IV count confirms it, signed in as themselves",
)
def confirm_witness(request: HttpRequest, session_id: int) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )
    dose = services.confirm_witness(session=chair.session, by=membership)
    chair.session.refresh_from_db(fields=["version"])
    return Status(
        200, {**_dose_out(dose), "session_id": chair.session.pk, "version": chair.session.version}
    )


@router.post(
    "/sessions/{session_id}/readings",
    response={201: ReadingAnswer, **WRITE_ERRORS},
    summary="A reading after the dose; answered with the alerts it raised",
)
def record_reading(request: HttpRequest, session_id: int, payload: ReadingIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.CREATE,
        audit_read=False,
    )
    values = services.ReadingInput(**payload.model_dump(exclude={"version"}))
    outcome = services.record_reading(
        session=chair.session, values=values, version=payload.version, by=membership
    )
    chair.session.refresh_from_db(fields=["version"])
    return Status(
        201,
        {
            **_reading_out(outcome.reading),
            "session_id": chair.session.pk,
            "version": chair.session.version,
            "alerts": [_alert_out(a) for a in outcome.alerts],
            "next_reading_due": outcome.next_reading_due,
        },
    )


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertAnswer, **WRITE_ERRORS},
    summary="Acknowledge an alert with a note (SAFE-AE-GRADE alerts: prescribers)",
)
def acknowledge_alert(request: HttpRequest, alert_id: int, payload: AcknowledgeIn) -> Any:
    membership = membership_for_object(request, SessionAlert, alert_id)
    alert = get_alert_for(membership, alert_id)
    done = services.acknowledge_alert(
        alert=alert, note=payload.note, version=payload.version, by=membership
    )
    done.acknowledged_by = membership.user  # type: ignore[union-attr]
    version = TreatmentSession.objects.values_list("version", flat=True).get(pk=done.session_id)
    return Status(
        200, {**_alert_out(done), "session_id": done.session_id, "session_version": version}
    )


@router.post(
    "/sessions/{session_id}/side-effects",
    response={201: SideEffectAnswer, **WRITE_ERRORS},
    summary="A side effect: term, CTCAE grade, serious, onset, resolution, action",
)
def record_side_effect(request: HttpRequest, session_id: int, payload: SideEffectIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.CREATE,
        audit_read=False,
    )
    row = services.record_side_effect(session=chair.session, by=membership, **payload.model_dump())
    chair.session.refresh_from_db(fields=["version"])
    alert = getattr(row, "alert", None)
    return Status(
        201,
        {
            **_side_effect_out(row),
            "session_id": chair.session.pk,
            "session_version": chair.session.version,
            "alert": _alert_out(alert) if alert is not None else None,
        },
    )


@router.patch(
    "/side-effects/{side_effect_id}",
    response={200: SideEffectAnswer, **WRITE_ERRORS},
    summary="Record when a side effect resolved (and the action taken)",
)
def resolve_side_effect(
    request: HttpRequest, side_effect_id: int, payload: SideEffectUpdate
) -> Any:
    membership = membership_for_object(request, SideEffect, side_effect_id)
    row = get_side_effect_for(membership, side_effect_id)
    done = services.resolve_side_effect(
        side_effect=row,
        resolved_at=payload.resolved_at,
        action=payload.action,
        version=payload.version,
        by=membership,
    )
    version = TreatmentSession.objects.values_list("version", flat=True).get(pk=done.session_id)
    return Status(
        200,
        {
            **_side_effect_out(done),
            "session_id": done.session_id,
            "session_version": version,
            "alert": None,
        },
    )


@router.post(
    "/sessions/{session_id}/discharge",
    response={200: ChairOut, **WRITE_ERRORS},
    summary="Discharge when every DISCH-* criterion holds (or a prescriber overrides it)",
)
def discharge_session(request: HttpRequest, session_id: int, payload: DischargeIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )
    with _fields_under("attestations", ATTESTATION_KEYS):
        done = services.discharge_session(
            session=chair.session,
            at=payload.at,
            dissociation_resolved=payload.attestations.dissociation_resolved,
            no_driving_instructed=payload.attestations.no_driving_instructed,
            override_reason=payload.override_reason,
            ready_without_minimum_min=payload.ready_without_minimum_min,
            version=payload.version,
            by=membership,
        )
    return Status(200, _chair_out(done, now=timezone.now()))


@router.post(
    "/sessions/{session_id}/amendments",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Amend a discharged session (its record no longer changes)",
)
def amend_session(request: HttpRequest, session_id: int, payload: AmendmentIn) -> Any:
    membership = _by(request, session_id)
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.CREATE,
        audit_read=False,
    )
    row = services.amend_session(session=chair.session, text=payload.text, by=membership)
    return Status(201, _amendment_out(row))
