"""A course of treatment for a patient signed eligible: the plan, its signed orders, the sessions
of the protocol's schedule, the chair-side record of those already past, and the PHQ-9s taken
along the way.

Everything medical is the clinical core's: the schedule (`generate_schedule` on the clinic's
days, reference 1.6), the orders and their alerts (`ketacare.treatment.orders.check_order`, the
plan service's own check: DOSE-* limits, DOSE-ESK-FIRST-TRD), the dose numbers (DOSE-IV-MGKG,
DOSE-IV-DURATION, DOSE-ESK-* and DOSE-ORAL-RANGE settings), and every session's monitoring
(`sessions.chart_session`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

from ketacare.clinical.monitoring import ESKETAMINE, IV_KETAMINE
from ketacare.clinical.protocols import (
    Schedule,
    Titration,
    choose_intervals,
    generate_schedule,
    get_protocol,
)
from ketacare.clinical.rules import ClinicalSettings
from ketacare.demo.seed import rates
from ketacare.demo.seed.answers import CourseSession, seed_answers
from ketacare.demo.seed.charts import Story, percent, weighted
from ketacare.demo.seed.context import ClinicStaff, Run
from ketacare.demo.seed.sessions import Order, chart_session
from ketacare.demo.seed.sink import Sink
from ketacare.demo.seed.tables import decimal1
from ketacare.patients.models import Patient, WeightMeasurement
from ketacare.treatment.models import (
    DoseOrder,
    PlanStatus,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.treatment.orders import alert_documents, check_order

# The reference's worked example of DOSE-IV-CALC (1.2): a bag at 1.0 mg/mL.
IV_CONCENTRATION_MG_PER_ML = Decimal("1.00")
CANCELLED_REASON = "Patient unwell on the day; session cancelled."
DROPOUT_REASON = "Course ended at the patient's request."


@lru_cache(maxsize=4096)
def _schedule(
    protocol: str, start: dt.date, clinic_days: tuple[int, ...], every: tuple[tuple[str, int], ...]
) -> Schedule:
    return generate_schedule(protocol, start=start, clinic_days=clinic_days, every_days=dict(every))


def _order_values(
    route: str, protocol: str, rng: random.Random, settings: ClinicalSettings
) -> dict[str, object]:
    """The first signed order of a plan, every number from the DOSE-* settings."""
    if route == IV_KETAMINE:
        default = settings.value("DOSE-IV-MGKG", "default_mg_per_kg")
        per_kg = {
            "default": default,
            "warn": settings.value("DOSE-IV-MGKG", "warn_above_mg_per_kg"),
            "low": (settings.value("DOSE-IV-MGKG", "minimum_mg_per_kg") + default) / 2,
        }[str(weighted(rng, rates.IV_DOSE_WEIGHTS))]
        duration = settings.value("DOSE-IV-DURATION", "default_min")
        if percent(rng, rates.IV_LONGER_INFUSION_PERCENT):
            duration = (duration + settings.value("DOSE-IV-DURATION", "maximum_min")) / 2
        return {
            "dose_mg_per_kg": Decimal(f"{per_kg:.2f}"),
            "duration_min": int(duration),
            "concentration_mg_per_ml": IV_CONCENTRATION_MG_PER_ML,
        }
    if route == ESKETAMINE:
        if protocol == "esketamine_mdsi_label":
            return {"dose_mg": int(settings.value("DOSE-ESK-FIRST-MDSI", "dose_mg"))}
        return {"dose_mg": int(settings.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))}
    return {"dose_mg": int(_titration(protocol).first_mg(settings))}


def _titration(protocol: str) -> Titration:
    titration = get_protocol(protocol).phases[0].titration
    assert titration is not None  # noqa: S101 - the oral protocol titrates
    return titration


def _sign(
    sink: Sink,
    run: Run,
    *,
    clinic: ClinicStaff,
    plan_id: int,
    protocol: str,
    story: Story,
    values: Mapping[str, object],
    number: int,
    signed_at: dt.datetime,
    by: int,
    supersedes: int | None,
) -> Order:
    """One signed order, checked as the plan service checks it (its alerts kept)."""
    checked = check_order(
        get_protocol(protocol),
        values,
        first_session=number == 1,
        patient=Patient(date_of_birth=story.date_of_birth),
        today=signed_at.date(),
    )
    order_id = sink.new_id(DoseOrder)
    sink.add(
        DoseOrder,
        id=order_id,
        clinic_id=clinic.id,
        plan_id=plan_id,
        number=number,
        dose_mg_per_kg=checked.dose_mg_per_kg,
        duration_min=checked.duration_min,
        concentration_mg_per_ml=checked.concentration_mg_per_ml,
        dose_mg=checked.dose_mg,
        signed_by_id=by,
        signed_at=signed_at,
        reason="" if number == 1 else "Dose adjusted as tolerated.",
        supersedes_id=supersedes,
        alerts=alert_documents(checked.alerts),
    )
    return Order(
        id=order_id,
        number=number,
        route=get_protocol(protocol).route.value,
        dose_mg_per_kg=checked.dose_mg_per_kg,
        duration_min=checked.duration_min,
        concentration_mg_per_ml=checked.concentration_mg_per_ml,
        dose_mg=checked.dose_mg,
    )


def seed_course(sink: Sink, run: Run, clinic: ClinicStaff, story: Story, number: int) -> None:
    """Maybe a course for patient `number` (signed eligible, consented), with its sessions."""
    if story.route is None or story.reviewed_at is None or not story.consented:
        return
    rng = run.rng("course", clinic.index, number)
    if not percent(rng, rates.PLANNED_PERCENT):
        return
    settings = run.settings
    route = story.route
    protocol = str(weighted(rng, rates.PROTOCOL_WEIGHTS[route]))
    latest = run.now - dt.timedelta(minutes=1)
    created_at = min(story.reviewed_at + dt.timedelta(minutes=rng.randrange(60, 2880)), latest)
    start = created_at.date() + dt.timedelta(days=rng.randrange(2, 15))
    every = {}
    if protocol == "esketamine_trd_label" and percent(rng, rates.WEEKLY_MAINTENANCE_PERCENT):
        every = {"maintenance": 7}
    intervals = choose_intervals(protocol, every)
    schedule = _schedule(protocol, start, clinic.clinic_days, tuple(sorted(intervals.items())))
    prescriber = rng.choice(clinic.prescribers)
    plan_id = sink.new_id(TreatmentPlan)
    order = _sign(
        sink,
        run,
        clinic=clinic,
        plan_id=plan_id,
        protocol=protocol,
        story=story,
        values=_order_values(route, protocol, rng, settings),
        number=1,
        signed_at=created_at,
        by=prescriber,
        supersedes=None,
    )
    raised = protocol == "esketamine_trd_label" and percent(rng, rates.ESKETAMINE_RAISED_PERCENT)
    slot = rng.randrange(16)
    time = dt.time(8 + slot // 2, 30 * (slot % 2))
    dropout_after = (
        rng.randrange(2, len(schedule.sessions))
        if len(schedule.sessions) > 2 and percent(rng, rates.DROPOUT_PERCENT)
        else None
    )
    ended = False
    weight = story.weight_kg
    course_sessions: list[CourseSession] = []
    for session in schedule.sessions:
        session_id = sink.new_id(TreatmentSession)
        status, reason, version = SessionStatus.SCHEDULED, "", 1
        past = session.date < run.today
        if dropout_after is not None and session.number > dropout_after and past:
            ended = True
        if ended:
            status, reason, version = SessionStatus.CANCELLED, DROPOUT_REASON, 2
        elif past and percent(rng, rates.CANCELLED_SESSION_PERCENT):
            status, reason, version = SessionStatus.CANCELLED, CANCELLED_REASON, 2
        elif past:
            order = _next_order(
                sink,
                run,
                clinic,
                story,
                plan_id,
                protocol,
                order,
                session.number,
                raised,
                session.date,
                rng,
            )
            if route == IV_KETAMINE and session.number % 4 == 1:
                weight = round(max(45.0, weight + rng.gauss(0, 0.8)), 1)
                sink.add(
                    WeightMeasurement,
                    id=sink.new_id(WeightMeasurement),
                    clinic_id=clinic.id,
                    patient_id=story.patient_id,
                    recorded_by_id=rng.choice(clinic.nurses),
                    created_at=run.at(session.date, time),
                    weight_kg=decimal1(weight),
                    measured_on=session.date,
                )
            outcome = chart_session(
                sink,
                run,
                clinic,
                story,
                session_id=session_id,
                day=session.date,
                time=time,
                order=order,
                weight_kg=weight,
                rng=run.rng("session", clinic.index, number, session.number),
            )
            status, version = outcome.status, outcome.version
            reason = "" if status == SessionStatus.DISCHARGED else "Dosing held at the chair."
        given = status in (SessionStatus.DOSED, SessionStatus.DISCHARGED)
        course_sessions.append(
            CourseSession(session_id, session.number, session.date, session.phase, given)
        )
        sink.add(
            TreatmentSession,
            id=session_id,
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            plan_id=plan_id,
            number=session.number,
            phase=session.phase,
            date=session.date,
            planned_date=session.date,
            time=time,
            dose_text=session.dose[:200],
            status=status,
            change_reason=reason,
            version=version,
        )
    sink.add(
        TreatmentPlan,
        id=plan_id,
        clinic_id=clinic.id,
        patient_id=story.patient_id,
        protocol=protocol,
        route=route,
        start=start,
        clinic_days=list(clinic.clinic_days),
        every_days=intervals,
        review_id=story.review_id,
        status=PlanStatus.ENDED if ended else PlanStatus.ACTIVE,
        created_by_id=prescriber,
        created_at=created_at,
        version=2 if ended else 1,
    )
    # The PHQ-9 timepoints and answers draw from their own generator, so the course's draws
    # (and every earlier seed's sessions) stay as they were.
    seed_answers(
        sink, run, clinic, story, plan_id, course_sessions, run.rng("answers", clinic.index, number)
    )


def _next_order(
    sink: Sink,
    run: Run,
    clinic: ClinicStaff,
    story: Story,
    plan_id: int,
    protocol: str,
    order: Order,
    number: int,
    raised: bool,
    day: dt.date,
    rng: random.Random,
) -> Order:
    """The order session `number` is dosed by: esketamine TRD raised to the most per session
    (DOSE-ESK-ALLOWED) for some patients; oral titration up by a step each session."""
    settings = run.settings
    values: dict[str, object] | None = None
    if raised and number == rates.ESKETAMINE_RAISED_AT_SESSION:
        values = {"dose_mg": int(settings.value("DOSE-ESK-ALLOWED", "maximum_mg"))}
    elif protocol == "oral_titration_example" and number > 1:
        titration = _titration(protocol)
        dose = min(
            titration.first_mg(settings) + titration.step_mg * (number - 1),
            titration.highest_mg(settings),
        )
        if dose != order.dose_mg:
            values = {"dose_mg": int(dose)}
    if values is None:
        return order
    return _sign(
        sink,
        run,
        clinic=clinic,
        plan_id=plan_id,
        protocol=protocol,
        story=story,
        values=values,
        number=order.number + 1,
        signed_at=run.at(day, dt.time(7, rng.randrange(0, 50))),
        by=rng.choice(clinic.prescribers),
        supersedes=order.id,
    )
