"""The chair-side record of one past session, as the nurse would have charted it.

The clinical core decides everything a service would ask it: the pre-dose go/hold
(`evaluate` on the pre-dose state), the dose and its arithmetic (`compute_dose`), when each
reading is due (`next_reading_due`, reference 3.5), the earliest discharge
(`earliest_discharge`), and finally the alerts and the discharge criteria (`evaluate` over the
whole session at the discharge time). Alerts are stored as `persist_alerts` stores them (a
pre-dose rule's at the pre-dose record, a reading's at the reading, a missed check once), so the
alert rows of a seeded session are exactly what the monitoring rules say of it. Side effects
follow `rates` (reference 4.1); SAFE-AE-GRADE alerts follow `side_effect_alert_level`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ketacare.chair.models import (
    Discharge,
    DoseGiven,
    PreDose,
    Reading,
    RemsForm,
    SessionAlert,
    SideEffect,
)
from ketacare.chair.services.dose import step_sentences
from ketacare.clinical.adverse import TERMS, notification_message, rems_form_due
from ketacare.clinical.dosing import (
    DoseResult,
    EsketamineDoseOrder,
    IvDoseOrder,
    OralDoseOrder,
    compute_dose,
)
from ketacare.clinical.monitoring import (
    ESKETAMINE,
    IV_KETAMINE,
    PREDOSE_RULES,
    Alert,
    Attestations,
    Checklist,
    Dosing,
    MonitorResult,
    SessionState,
    Vitals,
    earliest_discharge,
    evaluate,
    next_reading_due,
    overridable_unmet,
    side_effect_alert_level,
    undecidable_holds,
)
from ketacare.clinical.monitoring import Reading as CoreReading
from ketacare.clinical.monitoring.decisions import SIDE_EFFECT_RULE
from ketacare.clinical.monitoring.postdose import is_elevated
from ketacare.clinical.monitoring.predose import dosing_decision, predose_alerts
from ketacare.clinical.rules import ClinicalSettings
from ketacare.demo.seed import rates
from ketacare.demo.seed.charts import Story, percent
from ketacare.demo.seed.context import LIMITS, ClinicStaff, Run
from ketacare.demo.seed.sink import Sink
from ketacare.demo.seed.tables import decimal1
from ketacare.demo.seed.vitals import SessionCourse, clamp, draw_course, values_at
from ketacare.treatment.models import SessionStatus

# How many readings a session may take before the prescriber overrides what still does not hold.
READINGS_CAP = 30
NOTES = {
    "info": "Noted.",
    "warning": "Re-checked and observed; the prescriber was informed.",
    "critical": "Prescriber at the chair; managed and observed until settled.",
}
PROCEED_REASON = (
    "Blood pressure above the pre-dose threshold re-checked after rest; benefit judged to "
    "outweigh the short-term rise. Closer monitoring agreed."
)
HELD_REASON = "Dosing held by the pre-dose checks; rebooked."
OVERRIDE_REASON = "Stable and accompanied; reviewed at the chair by the prescriber."
ACTIONS = {
    1: "Observed until resolved.",
    2: "Rested in the chair with reassurance; symptomatic treatment given.",
    3: "Prescriber called to the chair; treated and observed.",
    4: "Emergency response; transferred for care.",
}


@dataclass(frozen=True)
class Order:
    """The signed order a session is dosed by."""

    id: int
    route: str
    number: int = 1
    dose_mg_per_kg: Decimal | None = None
    duration_min: int | None = None
    concentration_mg_per_ml: Decimal | None = None
    dose_mg: int | None = None


@dataclass
class Outcome:
    status: str
    version: int


@lru_cache(maxsize=16_384)
def _dose(order: Order, weight_kg: float | None) -> DoseResult:
    if order.route == IV_KETAMINE:
        return compute_dose(
            IvDoseOrder(
                weight_kg=float(weight_kg or 0),
                dose_mg_per_kg=float(order.dose_mg_per_kg or 0),
                duration_min=float(order.duration_min or 0),
                concentration_mg_per_ml=float(order.concentration_mg_per_ml or 0),
            )
        )
    if order.route == ESKETAMINE:
        return compute_dose(EsketamineDoseOrder(int(order.dose_mg or 0)))
    return compute_dose(OralDoseOrder(float(order.dose_mg or 0)))


def _minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


_SECOND = dt.timedelta(seconds=1)


def _after(rng: random.Random, at: dt.datetime, low: float, high: float) -> dt.datetime:
    """A moment `low`-`high` minutes after `at`, to the second."""
    return at + _SECOND * int(60 * (low + (high - low) * rng.random()))


def _side_effect_terms(route: str) -> dict[str, float]:
    """Per-session probability of each term (see `rates`)."""
    if route == ESKETAMINE:
        base = rates.ESKETAMINE_LABEL_PERCENT
        factor = 1.0
    else:
        base = rates.IV_PERCENT
        factor = 1.0 if route == IV_KETAMINE else rates.ORAL_FACTOR
    return {
        term: value / 100 * rates.SESSIONS_PER_PATIENT_RATIO * factor
        for term, value in base.items()
        if term in TERMS
    }


SIDE_EFFECTS = {route: _side_effect_terms(route) for route in rates.DISSOCIATION_PERCENT}


def chart_session(
    sink: Sink,
    run: Run,
    clinic: ClinicStaff,
    story: Story,
    *,
    session_id: int,
    day: dt.date,
    time: dt.time,
    order: Order,
    weight_kg: float | None,
    rng: random.Random,
) -> Outcome:
    """Chart one past session from check-in to discharge; returns its final status."""
    route = order.route
    settings = run.settings
    nurse = rng.choice(clinic.nurses)
    prescriber = rng.choice(clinic.prescribers)
    chair = f"Chair {rng.randrange(1, clinic.chairs + 1)}"
    booked = run.at(day, time)
    checked_in = _after(rng, booked, -8, 4)
    pre_at = _after(rng, checked_in, 3, 10)
    older = story.age_on(day) >= 65
    base = story.baseline
    systolic = clamp(base.systolic + rng.gauss(2, 5), LIMITS.systolic)
    pre = Vitals(
        systolic=systolic,
        diastolic=min(clamp(base.diastolic + rng.gauss(1, 3), LIMITS.diastolic), systolic - 20),
        heart_rate=clamp(base.heart_rate + rng.gauss(4, 6), LIMITS.heart_rate),
        spo2=base.spo2,
        respiratory_rate=clamp(base.respiratory_rate, LIMITS.respiratory_rate),
    )
    esketamine = route == ESKETAMINE
    checklist = Checklist(
        rems_setting_certified=clinic.rems_certified if esketamine else None,
        rems_patient_enrolled=True if esketamine else None,
        pregnancy_status_documented=True if story.reproductive_potential(day) else None,
        escort_confirmed=True,
        last_food_at=_after(rng, pre_at, -330, -150),
        last_liquid_at=(
            _after(rng, pre_at, -25, -5) if percent(rng, 2) else _after(rng, pre_at, -120, -40)
        ),
        nasal_medication_at=(
            _after(rng, pre_at, -240, -70) if esketamine and percent(rng, 4) else None
        ),
    )
    version = 1
    # The pre-dose rules as the pre-dose service judges them (at check-in, before any dose): the
    # go/hold, and the alerts that stay with the pre-dose record.
    pre_alerts = tuple(
        predose_alerts(
            SessionState(route=route, pre_dose=pre, checklist=checklist),
            now=pre_at,
            settings=settings,
        )
    )
    dosing = dosing_decision(pre_alerts)
    version += 1
    proceed_at: dt.datetime | None = None
    if dosing is Dosing.HOLD and not undecidable_holds(pre_alerts):
        proceed_at = _after(rng, pre_at, 3, 12)
        version += 1
    _pre_dose(
        sink,
        clinic,
        story,
        session_id,
        nurse=nurse,
        chair=chair,
        checked_in=checked_in,
        pre_at=pre_at,
        pre=pre,
        checklist=checklist,
        dosing=dosing,
        proceed=(prescriber, proceed_at) if proceed_at else None,
    )
    if dosing is Dosing.HOLD and proceed_at is None:
        # A hold nobody may dose over (SAFE-REMS-GATE, the critical pre-dose blood pressure):
        # the session does not go ahead; its pre-dose alerts stay with it.
        _alerts(sink, clinic, story, session_id, pre_alerts, pre_at, {}, nurse, pre_at)
        return Outcome(SessionStatus.CANCELLED, version + 1)

    dose_at = _after(rng, proceed_at or pre_at, 4, 15)
    result = _dose(order, weight_kg if route == IV_KETAMINE else None)
    infusion = order.duration_min if route == IV_KETAMINE else None
    version += 1
    _dose_row(sink, clinic, story, session_id, order, result, dose_at, nurse, weight_kg, rng)
    if route == IV_KETAMINE:
        version += 1  # the witness confirms the count

    course = draw_course(rng, route=route, older=older, infusion_min=float(infusion or 0))
    readings, discharge_at, final = _monitor(
        run, rng, story, course, route, pre, checklist, dose_at, infusion
    )
    overridden: tuple[str, ...] = ()
    discharged_by = nurse
    if final.discharge is None or not final.discharge.ready:
        # Still not met after a long stay: the prescriber reviews and overrides what may be
        # overridden (DISCH-OVERRIDE); DISCH-ESK-MIN-TIME always holds by then.
        assert final.discharge is not None  # noqa: S101 - dosed sessions always have one
        overridden, _never = overridable_unmet(final.discharge)
        final = evaluate(
            _state(route, dose_at, pre, readings, infusion, checklist, acknowledged=True),
            now=discharge_at,
            settings=settings,
            overrides=overridden,
        )
        discharged_by = prescriber
    reading_ids: dict[dt.datetime, int] = {}
    for reading in readings:
        reading_id = sink.new_id(Reading)
        reading_ids[reading.at] = reading_id
        sink.add(
            Reading,
            id=reading_id,
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            session_id=session_id,
            at=reading.at,
            systolic=reading.systolic,
            diastolic=reading.diastolic,
            heart_rate=reading.heart_rate,
            spo2=reading.spo2,
            respiratory_rate=reading.respiratory_rate,
            moaas=reading.moaas,
            cadss=reading.cadss,
            symptoms=list(reading.symptoms),
            recorded_by_id=nurse,
            recorded_at=reading.at + dt.timedelta(seconds=30),
        )
    version += len(readings)
    acknowledged = _alerts(
        sink,
        clinic,
        story,
        session_id,
        (*pre_alerts, *final.alerts),
        pre_at,
        reading_ids,
        nurse,
        discharge_at,
        rng=rng,
        prescriber=prescriber,
    )
    version += acknowledged
    version += _side_effects(
        sink,
        clinic,
        story,
        session_id,
        route=route,
        course=course,
        elevated=any(is_elevated(r, settings) for r in readings),
        dose_at=dose_at,
        discharge_at=discharge_at,
        rng=rng,
        settings=settings,
    )
    assert final.discharge is not None  # noqa: S101
    sink.add(
        Discharge,
        id=sink.new_id(Discharge),
        clinic_id=clinic.id,
        patient_id=story.patient_id,
        session_id=session_id,
        at=discharge_at,
        by_id=discharged_by,
        dissociation_resolved=True,
        no_driving_instructed=True,
        criteria=[
            {
                "rule": c.rule,
                "status": c.status.value,
                "overridable": c.overridable,
                "sentence": c.sentence,
            }
            for c in final.discharge.criteria
        ],
        overridden=list(overridden),
        override_reason=OVERRIDE_REASON if overridden else "",
        ready_without_minimum_min=_ready_without_minimum(course, readings, dose_at)
        if esketamine
        else None,
        recorded_at=discharge_at,
    )
    version += 1
    if esketamine:
        _rems_form(sink, run, clinic, story, session_id, day, discharge_at, rng)
    return Outcome(SessionStatus.DISCHARGED, version)


def _fields(vitals: Vitals) -> dict[str, int | None]:
    return {
        "systolic": vitals.systolic,
        "diastolic": vitals.diastolic,
        "heart_rate": vitals.heart_rate,
        "spo2": vitals.spo2,
        "respiratory_rate": vitals.respiratory_rate,
    }


def _state(
    route: str,
    dose_at: dt.datetime,
    pre: Vitals,
    readings: list[CoreReading],
    infusion: int | None,
    checklist: Checklist,
    *,
    acknowledged: bool | None = None,
) -> SessionState:
    return SessionState(
        route=route,
        dose_at=dose_at,
        pre_dose=pre,
        readings=tuple(readings),
        infusion_duration_min=infusion,
        checklist=checklist,
        attestations=Attestations(
            dissociation_resolved=True if acknowledged else None,
            critical_alerts_acknowledged=acknowledged,
        ),
    )


def _monitor(
    run: Run,
    rng: random.Random,
    story: Story,
    course: SessionCourse,
    route: str,
    pre: Vitals,
    checklist: Checklist,
    dose_at: dt.datetime,
    infusion: int | None,
) -> tuple[list[CoreReading], dt.datetime, MonitorResult]:
    """Readings at the schedule's times until the discharge criteria hold (or the cap)."""
    settings = run.settings
    readings: list[CoreReading] = []
    earliest = earliest_discharge(
        _state(route, dose_at, pre, [], infusion, checklist), dose_at, settings
    )
    within = min(
        settings.value(rule, "reading_within_min")
        for rule in ("DISCH-BP", "DISCH-SEDATION", "DISCH-RESP")
    )
    window_opens = earliest - _minutes(within)
    severe = settings.value("MON-BP-SEVERE", "systolic_at_or_above_mmhg")
    cadss_taken = False
    result: MonitorResult | None = None
    discharge_at = earliest
    for _ in range(READINGS_CAP):
        state = _state(route, dose_at, pre, readings, infusion, checklist)
        due = next_reading_due(state, settings)
        assert due is not None  # noqa: S101 - dosed
        late = percent(rng, rates.LATE_READING_PERCENT)
        at = _after(rng, due, 5, 15) if late else _after(rng, due, 0, 3)
        if readings and at <= readings[-1].at:
            at = readings[-1].at + dt.timedelta(minutes=1)
        minutes = (at - dose_at).total_seconds() / 60
        values = values_at(
            rng,
            baseline=story.baseline,
            pre_systolic=pre.systolic or 0,
            pre_diastolic=pre.diastolic or 0,
            course=course,
            minutes=minutes,
            limits=LIMITS,
        )
        before_discharge = at >= window_opens
        # The CADSS is taken when the patient dissociates: near the peak, and again before
        # discharge to show it resolved (each one is a MON-DISSOCIATION note).
        record_cadss = course.dissociation_peak > 0 and (
            (not cadss_taken and minutes >= course.peak_min - 5) or before_discharge
        )
        cadss_taken = cadss_taken or record_cadss
        symptoms: tuple[str, ...] = ()
        if values.systolic >= severe and percent(rng, 30):
            symptoms = ("severe_headache",)
        readings.append(
            CoreReading(
                at=at,
                systolic=values.systolic,
                diastolic=values.diastolic,
                heart_rate=values.heart_rate,
                spo2=values.spo2,
                respiratory_rate=values.respiratory_rate if percent(rng, 60) else None,
                moaas=values.moaas,
                cadss=values.cadss if record_cadss else None,
                symptoms=symptoms,
            )
        )
        if not before_discharge:
            continue
        discharge_at = max(earliest, _after(rng, at, 1, 4))
        if discharge_at - at > _minutes(within):
            continue  # the schedule books a reading within the window first
        result = evaluate(
            _state(route, dose_at, pre, readings, infusion, checklist, acknowledged=True),
            now=discharge_at,
            settings=settings,
        )
        if result.discharge is not None and result.discharge.ready:
            return readings, discharge_at, result
    if result is None or readings[-1].at > discharge_at:
        discharge_at = max(earliest, readings[-1].at + dt.timedelta(minutes=2))
        result = evaluate(
            _state(route, dose_at, pre, readings, infusion, checklist, acknowledged=True),
            now=discharge_at,
            settings=settings,
        )
    return readings, discharge_at, result


def _ready_without_minimum(
    course: SessionCourse, readings: list[CoreReading], dose_at: dt.datetime
) -> int:
    """REMS evaluation question (reference 3.2): minutes from the dose at which the patient
    would have been ready to leave, had there been no 2-hour rule: the first reading after which
    sedation had resolved and the blood pressure was no longer rising."""
    ready = readings[-1].at
    for index, reading in enumerate(readings):
        later = readings[index:]
        if all(
            r.moaas in (None, LIMITS.moaas[1]) for r in later
        ) and reading.at >= dose_at + _minutes(course.peak_min):
            ready = reading.at
            break
    return max(0, math.ceil((ready - dose_at).total_seconds() / 60))


def _pre_dose(
    sink: Sink,
    clinic: ClinicStaff,
    story: Story,
    session_id: int,
    *,
    nurse: int,
    chair: str,
    checked_in: dt.datetime,
    pre_at: dt.datetime,
    pre: Vitals,
    checklist: Checklist,
    dosing: Dosing,
    proceed: tuple[int, dt.datetime] | None,
) -> None:
    sink.add(
        PreDose,
        id=sink.new_id(PreDose),
        clinic_id=clinic.id,
        patient_id=story.patient_id,
        session_id=session_id,
        checked_in_at=checked_in,
        chair=chair,
        nurse_id=nurse,
        at=pre_at,
        **_fields(pre),
        identity_confirmed=True,
        consent_current=True,
        rems_setting_certified=checklist.rems_setting_certified,
        rems_patient_enrolled=checklist.rems_patient_enrolled,
        pregnancy_status_documented=checklist.pregnancy_status_documented,
        escort_confirmed=checklist.escort_confirmed,
        escort_phone="555-0123" if checklist.escort_confirmed else "",
        last_food_at=checklist.last_food_at,
        last_liquid_at=checklist.last_liquid_at,
        nasal_medication_at=checklist.nasal_medication_at,
        dosing=dosing.value,
        proceed_by_id=proceed[0] if proceed else None,
        proceed_at=proceed[1] if proceed else None,
        proceed_reason=PROCEED_REASON if proceed else "",
        recorded_by_id=nurse,
        recorded_at=pre_at,
    )


def _dose_row(
    sink: Sink,
    clinic: ClinicStaff,
    story: Story,
    session_id: int,
    order: Order,
    result: DoseResult,
    dose_at: dt.datetime,
    nurse: int,
    weight_kg: float | None,
    rng: random.Random,
) -> None:
    iv = order.route == IV_KETAMINE
    witness: int | None = None
    drawn = wasted = None
    if iv:
        others = [n for n in clinic.nurses if n != nurse] or list(clinic.prescribers)
        witness = rng.choice(others)
        dose = Decimal(str(result.dose_mg))
        # [D] the bag is made up to the next whole 10 mg; the rest is wasted, witnessed.
        drawn = Decimal(math.ceil(float(dose) / 10) * 10)
        if drawn == dose:
            drawn += 10
        wasted = drawn - dose
    prefix = {"iv_ketamine": "KET", "esketamine_nasal": "ESK", "oral_ketamine": "ORK"}[order.route]
    sink.add(
        DoseGiven,
        id=sink.new_id(DoseGiven),
        clinic_id=clinic.id,
        patient_id=story.patient_id,
        session_id=session_id,
        order_id=order.id,
        at=dose_at,
        lot_number=f"{prefix}{dose_at:%y%m}{clinic.index:02d}{rng.randrange(1, 4)}",
        weight_kg=decimal1(weight_kg) if iv and weight_kg is not None else None,
        dose_mg=decimal1(float(result.dose_mg)),
        volume_ml=decimal1(result.volume_ml) if result.volume_ml is not None else None,
        rate_ml_per_h=decimal1(result.rate_ml_per_h) if result.rate_ml_per_h is not None else None,
        devices=result.devices,
        infusion_duration_min=order.duration_min if iv else None,
        steps=step_sentences(result),
        given_by_id=nurse,
        recorded_at=dose_at + dt.timedelta(seconds=rng.randrange(20, 120)),
        drawn_mg=drawn,
        wasted_mg=wasted,
        witness_id=witness,
        witness_confirmed_at=_after(rng, dose_at, 1, 6) if iv else None,
    )


def _alerts(
    sink: Sink,
    clinic: ClinicStaff,
    story: Story,
    session_id: int,
    alerts: tuple[Alert, ...],
    pre_at: dt.datetime,
    reading_ids: dict[dt.datetime, int],
    nurse: int,
    closes: dt.datetime,
    *,
    rng: random.Random | None = None,
    prescriber: int | None = None,
) -> int:
    """Store the alerts as `persist_alerts` would; acknowledge each before `closes` (the
    discharge) when an `rng` is given. Returns how many were acknowledged."""
    stored: set[tuple[str, dt.datetime]] = set()
    rules: set[str] = set()
    reading_times = sorted(reading_ids)
    acknowledged = 0
    for alert in alerts:
        reading_id = None
        if alert.rule in PREDOSE_RULES:
            at = raised = pre_at
        elif alert.at in reading_ids:
            at = raised = alert.at
            reading_id = reading_ids[alert.at]
        elif alert.rule in rules:
            continue
        else:
            # Something missing (MON-BP-40MIN): noticed when the next reading was charted.
            at = alert.at
            raised = next((t for t in reading_times if t >= at), closes)
        if (alert.rule, at) in stored:
            continue
        stored.add((alert.rule, at))
        rules.add(alert.rule)
        ack_at = ack_by = None
        note = ""
        if rng is not None:
            ack_at = min(_after(rng, raised, 1, 6), closes)
            ack_by = nurse
            note = NOTES[alert.level.value]
            acknowledged += 1
        sink.add(
            SessionAlert,
            id=sink.new_id(SessionAlert),
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            session_id=session_id,
            rule=alert.rule,
            level=alert.level.value,
            at=at,
            message=alert.message[:500],
            reading_id=reading_id,
            raised_at=raised,
            acknowledged_at=ack_at,
            acknowledged_by_id=ack_by,
            note=note,
            version=2 if ack_at else 1,
        )
    return acknowledged


def _side_effects(
    sink: Sink,
    clinic: ClinicStaff,
    story: Story,
    session_id: int,
    *,
    route: str,
    course: SessionCourse,
    elevated: bool,
    dose_at: dt.datetime,
    discharge_at: dt.datetime,
    rng: random.Random,
    settings: ClinicalSettings,
) -> int:
    """Side effects at the rates of reference 4.1 (see `rates`); returns the version bumps."""
    bumps = 0
    taken: set[dt.datetime] = set()
    for term, probability in SIDE_EFFECTS[route].items():
        # Tie the terms that the readings measure to what they showed, at the same overall rate.
        if term == "blood_pressure_increased":
            probability = probability / rates.ELEVATED_SESSION_SHARE if elevated else 0.0
        elif term == "dissociation":
            probability = probability / (rates.DISSOCIATION_PERCENT[route] / 100)
            probability = probability if course.dissociation_peak else 0.0
        elif term == "sedation":
            probability = probability if course.sedation_depth else 0.0
        if rng.random() >= probability:
            continue
        grade = int(
            rng.choices(list(rates.GRADE_WEIGHTS), weights=list(rates.GRADE_WEIGHTS.values()))[0]
        )
        serious = percent(rng, rates.SERIOUS_PERCENT)
        onset = _after(rng, dose_at, 5, 35)
        recorded_at = min(_after(rng, onset, 2, 12), discharge_at)
        resolved: dt.datetime | None = _after(rng, onset, 10, 75)
        if resolved is not None and resolved > discharge_at:
            resolved = discharge_at
        if percent(rng, rates.UNRESOLVED_AT_DISCHARGE_PERCENT):
            resolved = None
        version = 2 if resolved is not None and resolved > recorded_at else 1
        bumps += version
        sink.add(
            SideEffect,
            id=sink.new_id(SideEffect),
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            session_id=session_id,
            term=term,
            grade=grade,
            serious=serious,
            onset_at=onset,
            resolved_at=resolved,
            action=ACTIONS[min(grade + (1 if serious else 0), 4)],
            recorded_by_id=rng.choice(clinic.nurses),
            recorded_at=recorded_at,
            version=version,
        )
        level = side_effect_alert_level(grade, serious, settings)
        if level is None:
            continue
        at = onset
        while at in taken:
            at += dt.timedelta(microseconds=1)
        taken.add(at)
        sink.add(
            SessionAlert,
            id=sink.new_id(SessionAlert),
            clinic_id=clinic.id,
            patient_id=story.patient_id,
            session_id=session_id,
            rule=SIDE_EFFECT_RULE,
            level=level.value,
            at=at,
            message=notification_message(TERMS[term], grade, serious, route)[:500],
            raised_at=recorded_at,
            acknowledged_at=min(_after(rng, recorded_at, 2, 10), discharge_at),
            acknowledged_by_id=rng.choice(clinic.prescribers),
            note="Seen by the prescriber at the chair.",
            version=2,
        )
        bumps += 1
    return bumps


def _rems_form(
    sink: Sink,
    run: Run,
    clinic: ClinicStaff,
    story: Story,
    session_id: int,
    day: dt.date,
    discharge_at: dt.datetime,
    rng: random.Random,
) -> None:
    """SAFE-REMS-FORM: the form is due within the REMS deadline; most are submitted in time."""
    due = rems_form_due(day, run.settings)
    past_due = due < run.today
    chance = (
        rates.REMS_SUBMITTED_PAST_DUE_PERCENT
        if past_due
        else rates.REMS_SUBMITTED_NOT_YET_DUE_PERCENT
    )
    submitted_at: dt.datetime | None = None
    if percent(rng, chance):
        latest = min(run.at(due, dt.time(17, 0)), run.now - dt.timedelta(minutes=1))
        span = max(60.0, (latest - discharge_at).total_seconds() / 60)
        submitted_at = min(_after(rng, discharge_at, 30, span), latest)
    sink.add(
        RemsForm,
        id=sink.new_id(RemsForm),
        clinic_id=clinic.id,
        patient_id=story.patient_id,
        session_id=session_id,
        due_on=due,
        submitted_at=submitted_at,
        submitted_by_id=rng.choice(clinic.nurses) if submitted_at else None,
        version=2 if submitted_at else 1,
    )
