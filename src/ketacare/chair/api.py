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

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from ketacare.api.acting import membership_for_object
from ketacare.audit.models import Action
from ketacare.chair import services
from ketacare.chair.api_answers import (
    alert_out,
    amendment_out,
    chair_out,
    dose_out,
    fields_under,
    pre_dose_out,
    reading_out,
    side_effect_out,
)
from ketacare.chair.api_schemas import (
    ATTESTATION_KEYS,
    CHECKLIST_KEYS,
    ERRORS,
    WRITE_ERRORS,
    AcknowledgeIn,
    AlertAnswer,
    AmendmentIn,
    AmendmentOut,
    ChairOut,
    CountIn,
    DischargeIn,
    DoseAnswer,
    DoseIn,
    PreDoseAnswer,
    PreDoseIn,
    PreDoseOut,
    ProceedIn,
    ReadingAnswer,
    ReadingIn,
    SideEffectAnswer,
    SideEffectIn,
    SideEffectUpdate,
    WitnessAnswer,
)
from ketacare.chair.models import SessionAlert, SideEffect
from ketacare.chair.queries import (
    get_alert_for,
    get_chair_for,
    get_session_at_chair_for,
    get_side_effect_for,
)
from ketacare.chair.services.predose import hold_reasons
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import acting_membership
from ketacare.treatment.models import TreatmentSession

router = Router(tags=["chair"])


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
    return Status(200, chair_out(chair, now=timezone.now()))


@router.post(
    "/sessions/{session_id}/pre-dose",
    response={200: PreDoseAnswer, **WRITE_ERRORS},
    summary="Check in: the pre-dose checklist and vitals; answered with dosing go or hold",
)
def record_pre_dose(request: HttpRequest, session_id: int, payload: PreDoseIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.CREATE
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
    with fields_under("checklist", CHECKLIST_KEYS):
        outcome = services.record_pre_dose(
            session=session, values=values, version=payload.version, by=membership
        )
    session = outcome.session
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
            "alerts": [alert_out(a) for a in alerts],
            "pre_dose": pre_dose_out(row),
        },
    )


@router.post(
    "/sessions/{session_id}/proceed",
    response={200: PreDoseOut, **WRITE_ERRORS},
    summary="A prescriber's recorded decision to dose over a hold (MON-BP-HOLD, MON-SPO2-HOLD)",
)
def decide_proceed(request: HttpRequest, session_id: int, payload: ProceedIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.DECIDE_SESSION, action=Action.UPDATE
    )
    row = services.decide_proceed(
        session=session, reason=payload.reason, version=payload.version, by=membership
    )
    return Status(200, pre_dose_out(row))


@router.post(
    "/sessions/{session_id}/dose",
    response={200: DoseAnswer, **WRITE_ERRORS},
    summary="Give the dose of the signed order; answered with the arithmetic as steps",
)
def record_dose(request: HttpRequest, session_id: int, payload: DoseIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.CREATE
    )
    outcome = services.record_dose(
        session=session,
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
    session = outcome.session
    return Status(
        200,
        {
            **dose_out(outcome.dose),
            "session_id": session.pk,
            "status": session.status,
            "version": session.version,
            "dose_alerts": [
                {"rule": a.rule, "level": a.level, "message": a.message}
                for a in outcome.result.alerts
            ],
            "alerts": [alert_out(a) for a in outcome.alerts],
        },
    )


@router.post(
    "/sessions/{session_id}/count",
    response={200: WitnessAnswer, **WRITE_ERRORS},
    summary="IV ketamine: the drawn/wasted count after the dose, with the witness named",
)
def record_count(request: HttpRequest, session_id: int, payload: CountIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.UPDATE
    )
    dose = services.record_count(
        session=session,
        drawn_mg=payload.drawn_mg,
        wasted_mg=payload.wasted_mg,
        witness_id=payload.witness_id,
        version=payload.version,
        by=membership,
    )
    session.refresh_from_db(fields=["version"])
    return Status(200, {**dose_out(dose), "session_id": session.pk, "version": session.version})


@router.post(
    "/sessions/{session_id}/witness",
    response={200: WitnessAnswer, **WRITE_ERRORS},
    summary="The witness named on the IV count confirms it, signed in as themselves",
)
def confirm_witness(request: HttpRequest, session_id: int) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.UPDATE
    )
    dose = services.confirm_witness(session=session, by=membership)
    session.refresh_from_db(fields=["version"])
    return Status(200, {**dose_out(dose), "session_id": session.pk, "version": session.version})


@router.post(
    "/sessions/{session_id}/readings",
    response={201: ReadingAnswer, **WRITE_ERRORS},
    summary="A reading after the dose; answered with the alerts it raised",
)
def record_reading(request: HttpRequest, session_id: int, payload: ReadingIn) -> Any:
    # The busiest write at the chair: the session is found in the caller's clinics, locked and
    # read with the caller's membership there in one statement (`record_reading_as`), instead
    # of the memberships, the session's clinic and the session read one by one first.
    values = services.ReadingInput(**payload.model_dump(exclude={"version"}))
    outcome = services.record_reading_as(
        user=request.user,
        session_id=session_id,
        values=values,
        version=payload.version,
        acting=lambda: acting_membership(request),
    )
    return Status(
        201,
        {
            **reading_out(outcome.reading),
            "session_id": outcome.session.pk,
            "version": outcome.session.version,
            "alerts": [alert_out(a) for a in outcome.alerts],
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
        200, {**alert_out(done), "session_id": done.session_id, "session_version": version}
    )


@router.post(
    "/sessions/{session_id}/side-effects",
    response={201: SideEffectAnswer, **WRITE_ERRORS},
    summary="A side effect: term, CTCAE grade, serious, onset, resolution, action",
)
def record_side_effect(request: HttpRequest, session_id: int, payload: SideEffectIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.CREATE
    )
    row = services.record_side_effect(session=session, by=membership, **payload.model_dump())
    session.refresh_from_db(fields=["version"])
    alert = getattr(row, "alert", None)
    return Status(
        201,
        {
            **side_effect_out(row),
            "session_id": session.pk,
            "session_version": session.version,
            "alert": alert_out(alert) if alert is not None else None,
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
            **side_effect_out(done),
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
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.UPDATE
    )
    with fields_under("attestations", ATTESTATION_KEYS):
        done = services.discharge_session(
            session=session,
            at=payload.at,
            dissociation_resolved=payload.attestations.dissociation_resolved,
            no_driving_instructed=payload.attestations.no_driving_instructed,
            override_reason=payload.override_reason,
            ready_without_minimum_min=payload.ready_without_minimum_min,
            version=payload.version,
            by=membership,
        )
    return Status(200, chair_out(done, now=timezone.now()))


@router.post(
    "/sessions/{session_id}/amendments",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Amend a discharged session (its record no longer changes)",
)
def amend_session(request: HttpRequest, session_id: int, payload: AmendmentIn) -> Any:
    membership = _by(request, session_id)
    session = get_session_at_chair_for(
        membership, session_id, permission=Permission.CHART_SESSION, action=Action.CREATE
    )
    row = services.amend_session(session=session, text=payload.text, by=membership)
    return Status(201, amendment_out(row))
