"""The demo clinic's day at the chair: every past session charted, and four chairs in use now.

Everything goes through the chair services, acted by the demo staff, with the services' `now`
set to when each step happened (the way a session is charted as it goes): the monitoring rules
judge every pre-dose record and reading, the alerts they raise are real and acknowledged, the
discharge criteria are checked, esketamine sessions get their REMS form. The vital signs come
from the synthetic-data model of `ketacare seed` (`ketacare.demo.seed.vitals`); when each
reading is due is the clinical core's schedule, as the services report it.

- Past sessions (before today) of the demo courses are charted from check-in to discharge, with
  the occasional side effect; a session left in a chair on an earlier day is finished on its
  day. Of the REMS forms past their deadline all are submitted but the latest (one overdue);
  those not yet due wait (due soon).
- Today, relative to the moment the command runs, four chairs: an esketamine patient dosed
  ~45 min ago with a hypertensive reading and its critical alert open; an IV infusion started
  ~23 min ago whose 20-minute reading is overdue; a patient checked in awaiting the dose; an
  esketamine patient dosed ~2 h 10 min ago, ready for discharge. Their sessions are today's
  (moved to today through the scheduling service when needed).

Running it again the same day changes nothing: past sessions are charted once, and the chairs
are filled only while no session of today has been checked in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import Discharge, RemsForm, SessionAlert, SideEffect
from ketacare.chair.rems import mark_rems_submitted
from ketacare.chair.services import (
    PreDoseInput,
    ReadingInput,
    acknowledge_alert,
    confirm_witness,
    decide_proceed,
    discharge_session,
    record_count,
    record_dose,
    record_pre_dose,
    record_reading,
    record_side_effect,
    resolve_side_effect,
)
from ketacare.chair.services.base import SETTINGS
from ketacare.chair.state import Chair, judge, load_chair, monitor_state
from ketacare.clinical.monitoring import ESKETAMINE, IV_KETAMINE, Dosing, earliest_discharge
from ketacare.clinical.monitoring.decisions import SIDE_EFFECT_RULE
from ketacare.clinical.monitoring.dose_gate import pregnancy_check_applies
from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.demo.seed.course import IV_CONCENTRATION_MG_PER_ML
from ketacare.demo.seed.sessions import ACTIONS, NOTES, PROCEED_REASON, SIDE_EFFECTS
from ketacare.demo.seed.vitals import (
    Baseline,
    Limits,
    SessionCourse,
    Values,
    clamp,
    draw_course,
    values_at,
)
from ketacare.patients.models import OfficeVitals, Patient
from ketacare.patients.queries import age_on
from ketacare.treatment.models import SessionStatus, TreatmentSession
from ketacare.treatment.queries import SESSION
from ketacare.treatment.services import reschedule_session

LIMITS = Limits.of()
ESCORT_PHONE = "555-0123"
MOVED_REASON = "Booked into today's chair list."
# Past sessions: checked in at their booked time, or at 09:00 when none was booked.
DEFAULT_TIME = dt.time(9, 0)
READINGS_CAP = 20


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _later(rng: random.Random, at: dt.datetime, low: float, high: float) -> dt.datetime:
    return at + dt.timedelta(seconds=int(60 * (low + (high - low) * rng.random())))


@dataclass(frozen=True)
class Staff:
    nurse: Membership
    prescriber: Membership
    coordinator: Membership

    def acknowledger(self, alert: SessionAlert) -> Membership:
        # SAFE-AE-GRADE alerts are the prescriber's to acknowledge (DECIDE_SESSION).
        return self.prescriber if alert.rule == SIDE_EFFECT_RULE else self.nurse


def load_chair_day(clinic: Clinic, staff: dict[str, Membership], *, now: dt.datetime) -> dict:
    """Chart the past sessions, fill today's chairs, submit the REMS forms; returns counts."""
    people = Staff(
        nurse=staff[Role.NURSE],
        prescriber=staff[Role.PRESCRIBER],
        coordinator=staff[Role.COORDINATOR],
    )
    return {
        "charted session": _chart_past(clinic, people, now),
        "session in a chair": _fill_chairs(clinic, people, now),
        "REMS form submitted": _submit_rems_forms(clinic, people, now),
    }


# --- past sessions ------------------------------------------------------------------------------


def _chart_past(clinic: Clinic, staff: Staff, now: dt.datetime) -> int:
    today = timezone.localdate(now)
    sessions = (
        TreatmentSession.objects.filter(clinic=clinic, date__lt=today, discharge__isnull=True)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("plan", "patient")
        .order_by("date", "time", "pk")
    )
    # An earlier demo marked past sessions discharged before sessions had a chair-side record:
    # those are opened again (and say so in the audit trail) to be charted as they should be.
    placeholders = list(
        sessions.filter(status=SessionStatus.DISCHARGED).values_list("pk", flat=True)
    )
    if placeholders:
        TreatmentSession.objects.filter(pk__in=placeholders).update(status=SessionStatus.SCHEDULED)
        record_event(
            action=Action.UPDATE,
            membership=staff.nurse,
            object_type=SESSION,
            detail=f"demo sessions reopened to chart count={len(placeholders)}",
        )
    count = 0
    for session in sessions:
        chart_session(session, staff, start=_at(session.date, session.time or DEFAULT_TIME))
        count += 1
    return count


def _rng(session: TreatmentSession) -> random.Random:
    return random.Random(f"demo-chair-{session.patient.mrn}-{session.number}")  # noqa: S311


def _baseline(patient: Patient, rng: random.Random) -> Baseline:
    vitals = (
        OfficeVitals.objects.filter(clinic_id=patient.clinic_id, patient=patient)
        .order_by("-at", "-pk")
        .first()
    )
    systolic = float(vitals.systolic) if vitals else 124.0
    diastolic = float(vitals.diastolic) if vitals else 78.0
    return Baseline(
        systolic=min(systolic, 136.0),
        diastolic=min(diastolic, 86.0),
        heart_rate=float(vitals.heart_rate or 74) if vitals else 74.0,
        spo2=vitals.spo2 if vitals and vitals.spo2 else 98,
        respiratory_rate=15.0,
    )


def _pre_dose_input(
    session: TreatmentSession,
    *,
    at: dt.datetime,
    chair: str,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
) -> PreDoseInput:
    patient = session.patient
    esketamine = session.plan.route == ESKETAMINE
    # The nurse documents pregnancy status wherever the core asks for it (MON-PREG-TEST).
    asked = pregnancy_check_applies(patient.sex_at_birth)
    return PreDoseInput(
        at=at,
        chair=chair,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        respiratory_rate=15,
        identity_confirmed=True,
        consent_current=True,
        rems_patient_enrolled=True if esketamine else None,
        pregnancy_status_documented=True if asked else None,
        escort_confirmed=True,
        escort_phone=ESCORT_PHONE,
        last_food_at=at - dt.timedelta(hours=3),
        last_liquid_at=at - dt.timedelta(minutes=50),
    )


def _check_in(
    session: TreatmentSession,
    staff: Staff,
    *,
    at: dt.datetime,
    chair: str,
    vitals: tuple[int, int, int, int],
) -> dt.datetime:
    """The pre-dose record (and the prescriber's decision over a hold a prescriber may decide);
    returns the time the dose may follow."""
    systolic, diastolic, heart_rate, spo2 = vitals
    values = _pre_dose_input(
        session,
        at=at,
        chair=chair,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
    )
    outcome = record_pre_dose(session=session, values=values, by=staff.nurse, now=at)
    _acknowledge(outcome.alerts, staff, at + dt.timedelta(minutes=1))
    if outcome.result.dosing is Dosing.HOLD:
        at = at + dt.timedelta(minutes=4)
        decide_proceed(session=session, reason=PROCEED_REASON, by=staff.prescriber, now=at)
    return at


def _give_dose(session: TreatmentSession, staff: Staff, at: dt.datetime) -> None:
    iv = session.plan.route == IV_KETAMINE
    order = session.plan.current_order
    concentration = (
        IV_CONCENTRATION_MG_PER_ML
        if iv and order is not None and order.concentration_mg_per_ml is None
        else None
    )
    lot = {"iv_ketamine": "KET", "esketamine_nasal": "ESK", "oral_ketamine": "ORK"}[
        session.plan.route
    ] + f"{at:%y%m}D1"
    outcome = record_dose(
        session=session,
        at=at,
        lot_number=lot,
        concentration_mg_per_ml=concentration,
        by=staff.nurse,
        now=at,
    )
    _acknowledge(outcome.alerts, staff, at + dt.timedelta(minutes=1))
    if iv:
        dose = outcome.dose.dose_mg
        drawn = Decimal(math.ceil(float(dose) / 10) * 10 + (10 if float(dose) % 10 == 0 else 0))
        record_count(
            session=session,
            drawn_mg=drawn,
            wasted_mg=drawn - dose,
            witness_id=staff.prescriber.user_id,
            by=staff.nurse,
            now=at + dt.timedelta(minutes=1),
        )
        confirm_witness(session=session, by=staff.prescriber, now=at + dt.timedelta(minutes=2))


def _acknowledge(alerts: list[SessionAlert], staff: Staff, at: dt.datetime) -> None:
    for alert in alerts:
        acknowledge_alert(
            alert=alert, note=NOTES[alert.level], by=staff.acknowledger(alert), now=at
        )


def _reading(values: Values, at: dt.datetime, *, cadss: bool) -> ReadingInput:
    return ReadingInput(
        at=at,
        systolic=values.systolic,
        diastolic=values.diastolic,
        heart_rate=values.heart_rate,
        spo2=values.spo2,
        respiratory_rate=values.respiratory_rate,
        moaas=values.moaas,
        cadss=values.cadss if cadss else None,
    )


def chart_session(session: TreatmentSession, staff: Staff, *, start: dt.datetime) -> None:
    """Chart `session` on its day from wherever it stands to its discharge."""
    rng = _rng(session)
    base = _baseline(session.patient, rng)
    chair = load_chair(session.pk, session.clinic_id)
    assert chair is not None  # noqa: S101 - the session was just read
    if chair.pre_dose is None:
        vitals = (
            clamp(base.systolic + rng.gauss(0, 5), (90, 145)),
            clamp(base.diastolic + rng.gauss(0, 3), (55, 92)),
            clamp(base.heart_rate + rng.gauss(2, 5), (55, 100)),
            base.spo2,
        )
        ready = _check_in(
            session,
            staff,
            at=start + dt.timedelta(minutes=5),
            chair=_chair_name(rng),
            vitals=vitals,
        )
        chair = load_chair(session.pk, session.clinic_id)
    else:
        ready = chair.pre_dose.at
    assert chair is not None and chair.pre_dose is not None  # noqa: S101
    if chair.dose is None:
        _give_dose(session, staff, _later(rng, ready, 5, 12))
        chair = load_chair(session.pk, session.clinic_id)
    assert chair is not None and chair.dose is not None  # noqa: S101
    _acknowledge(chair.open_alerts, staff, _last_moment(chair) + dt.timedelta(minutes=1))
    _monitor_to_discharge(session, staff, rng, base)


def _chair_name(rng: random.Random) -> str:
    return f"Chair {rng.randrange(1, 7)}"


def _last_moment(chair: Chair) -> dt.datetime:
    moments = [chair.dose.at if chair.dose else chair.pre_dose.at]  # type: ignore[union-attr]
    moments += [r.at for r in chair.readings]
    moments += [a.acknowledged_at for a in chair.alerts if a.acknowledged_at]
    return max(moments)


def _monitor_to_discharge(
    session: TreatmentSession, staff: Staff, rng: random.Random, base: Baseline
) -> None:
    """Readings at the times the schedule gives (each reading's service answers when the next
    is due) until the discharge criteria hold."""
    chair = load_chair(session.pk, session.clinic_id)
    assert chair is not None and chair.dose is not None and chair.pre_dose is not None  # noqa: S101
    route = chair.route
    dose_at = chair.dose.at
    infusion = chair.dose.infusion_duration_min
    older = age_on(session.patient.date_of_birth, session.date) >= 65
    course = draw_course(rng, route=route, older=older, infusion_min=float(infusion or 0))
    earliest = earliest_discharge(monitor_state(chair), dose_at, SETTINGS)
    window_opens = earliest - dt.timedelta(minutes=15)
    moment = _last_moment(chair)
    due = judge(chair, now=moment).next_reading_due
    unresolved = [s for s in chair.side_effects if s.resolved_at is None]
    side_effects_done = bool(chair.side_effects)
    pre_dose = chair.pre_dose
    for _ in range(READINGS_CAP):
        assert due is not None  # noqa: S101 - dosed
        at = max(_later(rng, due, 0, 2), moment + dt.timedelta(minutes=1))
        minutes = (at - dose_at).total_seconds() / 60
        values = values_at(
            rng,
            baseline=base,
            pre_systolic=pre_dose.systolic,
            pre_diastolic=pre_dose.diastolic,
            course=course,
            minutes=minutes,
            limits=LIMITS,
        )
        near_peak = course.dissociation_peak > 0 and abs(minutes - course.peak_min) <= 10
        outcome = record_reading(
            session=session,
            values=_reading(values, at, cadss=near_peak or at >= window_opens),
            by=staff.nurse,
            now=at,
        )
        due = outcome.next_reading_due
        moment = at + dt.timedelta(minutes=1)
        _acknowledge(outcome.alerts, staff, moment)
        if not side_effects_done:
            moment, charted = _side_effects(session, staff, rng, dose_at, moment)
            unresolved += charted
            side_effects_done = True
        if at < window_opens:
            continue
        leave = max(earliest, moment + dt.timedelta(minutes=1))
        if leave - at > dt.timedelta(minutes=15):
            continue
        for side_effect in unresolved:
            resolve_side_effect(
                side_effect=side_effect,
                resolved_at=max(side_effect.onset_at, leave - dt.timedelta(minutes=20)),
                version=side_effect.version,
                by=staff.nurse,
                now=leave - dt.timedelta(minutes=1),
            )
        unresolved = []
        try:
            discharge_session(
                session=session,
                at=leave,
                dissociation_resolved=True,
                no_driving_instructed=True,
                ready_without_minimum_min=_ready_minutes(course, dose_at, leave)
                if route == ESKETAMINE
                else None,
                by=staff.nurse,
                now=leave,
            )
            return
        except ChairConflict:
            moment = leave
    raise RuntimeError(f"demo session {session.pk} could not be discharged")


def _ready_minutes(course: SessionCourse, dose_at: dt.datetime, leave: dt.datetime) -> int:
    """REMS evaluation question (reference 3.2): when the patient would have been ready without
    the 2-hour rule - once sedation and dissociation had resolved."""
    ready = max(course.sedation_ends_min, course.dissociation_ends_min, course.peak_min + 20)
    return max(0, min(math.ceil(ready), math.floor((leave - dose_at).total_seconds() / 60)))


def _side_effects(
    session: TreatmentSession,
    staff: Staff,
    rng: random.Random,
    dose_at: dt.datetime,
    now: dt.datetime,
) -> tuple[dt.datetime, list[SideEffect]]:
    """The occasional side effect: half the per-session rates of the synthetic data (reference
    4.1, see `ketacare.demo.seed.rates`), so the demo's sessions read as ordinary ones; charted
    after the first reading."""
    charted: list[SideEffect] = []
    for term, probability in SIDE_EFFECTS[session.plan.route].items():
        if term == "blood_pressure_increased" or rng.random() >= probability / 2:
            continue
        grade = 2 if rng.random() < 0.12 else 1
        onset = min(_later(rng, dose_at, 5, 25), now - dt.timedelta(minutes=1))
        side_effect = record_side_effect(
            session=session,
            term=term,
            grade=grade,
            serious=False,
            onset_at=onset,
            action=ACTIONS[grade],
            by=staff.nurse,
            now=now,
        )
        charted.append(side_effect)
        alert = getattr(side_effect, "alert", None)
        if alert is not None:
            _acknowledge([alert], staff, now + dt.timedelta(minutes=1))
            now += dt.timedelta(minutes=1)
    return now, charted


# --- today's chairs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChairPlan:
    """One of today's chairs: whose route, and how far along it is, relative to now."""

    chair: str
    route: str | None
    minutes_ago: int  # check-in
    fill: Callable[[TreatmentSession, Staff, dt.datetime], None]


def _hypertensive(session: TreatmentSession, staff: Staff, now: dt.datetime) -> None:
    """Esketamine dosed ~45 min ago; the 40-minute reading is hypertensive (MON-BP-SEVERE's
    critical alert, with MON-BP-ELEVATED and MON-BP-RISE) and nobody has acknowledged it yet."""
    dose_at = now - dt.timedelta(minutes=45)
    _check_in(
        session,
        staff,
        at=dose_at - dt.timedelta(minutes=10),
        chair="Chair 1",
        vitals=(136, 86, 78, 98),
    )
    _give_dose(session, staff, dose_at)
    record_reading(
        session=session,
        values=ReadingInput(
            at=dose_at + dt.timedelta(minutes=40),
            systolic=186,
            diastolic=112,
            heart_rate=96,
            spo2=97,
            respiratory_rate=16,
            moaas=4,
            cadss=18,
        ),
        by=staff.nurse,
        now=dose_at + dt.timedelta(minutes=40),
    )


def _infusion(session: TreatmentSession, staff: Staff, now: dt.datetime) -> None:
    """IV infusion started ~23 min ago; one reading at +10, so the +20 one is overdue."""
    dose_at = now - dt.timedelta(minutes=23)
    _check_in(
        session,
        staff,
        at=dose_at - dt.timedelta(minutes=10),
        chair="Chair 2",
        vitals=(124, 78, 72, 98),
    )
    _give_dose(session, staff, dose_at)
    at = dose_at + dt.timedelta(minutes=10)
    outcome = record_reading(
        session=session,
        values=ReadingInput(
            at=at, systolic=131, diastolic=82, heart_rate=80, spo2=98, respiratory_rate=15, moaas=5
        ),
        by=staff.nurse,
        now=at,
    )
    _acknowledge(outcome.alerts, staff, at + dt.timedelta(minutes=1))


def _checked_in(session: TreatmentSession, staff: Staff, now: dt.datetime) -> None:
    """Checked in ~8 min ago, pre-dose checks done (go), waiting for the dose."""
    _check_in(
        session,
        staff,
        at=now - dt.timedelta(minutes=8),
        chair="Chair 3",
        vitals=(122, 76, 70, 99),
    )


def _ready(session: TreatmentSession, staff: Staff, now: dt.datetime) -> None:
    """Esketamine dosed ~2 h 10 min ago: readings on schedule, the last one a minute ago, every
    discharge criterion met (the nurse attests dissociation resolved at discharge)."""
    dose_at = now - dt.timedelta(minutes=130)
    _check_in(
        session,
        staff,
        at=dose_at - dt.timedelta(minutes=12),
        chair="Chair 4",
        vitals=(126, 80, 74, 98),
    )
    _give_dose(session, staff, dose_at)
    readings = (
        (40, 141, 88, 84, 4, 12),
        (55, 134, 84, 80, 5, None),
        (85, 128, 80, 76, 5, None),
        (105, 126, 79, 74, 5, 2),
        (129, 124, 78, 72, 5, 0),
    )
    for minutes, systolic, diastolic, heart_rate, moaas, cadss in readings:
        at = dose_at + dt.timedelta(minutes=minutes)
        outcome = record_reading(
            session=session,
            values=ReadingInput(
                at=at,
                systolic=systolic,
                diastolic=diastolic,
                heart_rate=heart_rate,
                spo2=98,
                respiratory_rate=15,
                moaas=moaas,
                cadss=cadss,
            ),
            by=staff.nurse,
            now=at,
        )
        _acknowledge(outcome.alerts, staff, min(at + dt.timedelta(seconds=30), now))


CHAIRS = (
    ChairPlan("Chair 1", ESKETAMINE, 55, _hypertensive),
    ChairPlan("Chair 2", IV_KETAMINE, 33, _infusion),
    ChairPlan("Chair 3", None, 8, _checked_in),
    ChairPlan("Chair 4", ESKETAMINE, 142, _ready),
)


def _fill_chairs(clinic: Clinic, staff: Staff, now: dt.datetime) -> int:
    today = timezone.localdate(now)
    if TreatmentSession.objects.filter(clinic=clinic, date=today, pre_dose__isnull=False).exists():
        return 0  # today's chairs were filled by an earlier run
    midnight = _at(today, dt.time(0, 0))
    used: set[int] = set()
    filled = 0
    for plan in CHAIRS:
        if now - dt.timedelta(minutes=plan.minutes_ago + 5) < midnight:
            continue  # too early in the day for a session this far along
        session = _today_session(clinic, staff, plan, now, used)
        if session is None:
            continue
        used.add(session.patient_id)
        plan.fill(session, staff, now)
        filled += 1
    return filled


def _today_session(
    clinic: Clinic, staff: Staff, plan: ChairPlan, now: dt.datetime, used: set[int]
) -> TreatmentSession | None:
    """A course's session for today: one dated today, else the next one moved to today (the
    scheduling service asks the clinical core whether the move keeps the protocol's spacing and
    the esketamine limit; the first patient for whom it does is taken)."""
    today = timezone.localdate(now)
    booked = (
        (now - dt.timedelta(minutes=plan.minutes_ago + 5)).time().replace(second=0, microsecond=0)
    )
    candidates = (
        TreatmentSession.objects.filter(
            clinic=clinic, status=SessionStatus.SCHEDULED, date__gte=today
        )
        .exclude(patient_id__in=used)
        .select_related("plan", "patient")
        .order_by("date", "patient__mrn", "number")
    )
    if plan.route is not None:
        candidates = candidates.filter(plan__route=plan.route)
    seen: set[int] = set()
    for session in candidates:
        if session.patient_id in seen:
            continue  # only a patient's next session may come forward
        seen.add(session.patient_id)
        try:
            moved = reschedule_session(
                session=session,
                date=today,
                time=booked,
                reason=MOVED_REASON,
                version=session.version,
                by=staff.coordinator,
            )
        except (Conflict, ValidationError):
            continue
        return TreatmentSession.objects.select_related("plan", "patient").get(pk=moved.session.pk)
    return None


# --- REMS forms ---------------------------------------------------------------------------------


def _submit_rems_forms(clinic: Clinic, staff: Staff, now: dt.datetime) -> int:
    """Forms past their deadline are submitted, all but the latest (left overdue); forms not yet
    due wait (due soon)."""
    today = timezone.localdate(now)
    past_due = list(
        RemsForm.objects.filter(clinic=clinic, due_on__lt=today).order_by("due_on", "pk")
    )
    count = 0
    for form in past_due[:-1]:
        if form.submitted_at is not None:
            continue
        discharged = (
            Discharge.objects.filter(session_id=form.session_id)
            .values_list("at", flat=True)
            .first()
            or now
        )
        at = min(discharged + dt.timedelta(days=1), now)
        mark_rems_submitted(form=form, version=form.version, by=staff.nurse, now=at)
        count += 1
    return count
