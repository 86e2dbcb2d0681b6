"""The data the web benchmarks run against, built through the application's own services.

Charts, eligibility reviews and plans are entered by the clinic's prescriber, the chair-side
record by its nurse, as the pages and the API would (each service call audited, histories kept),
each step at its own time through the services' `now`. Only the long history of the "chart with
200 sessions" repeats itself by copying (see `long_history`): the first session of each kind goes
through the services, the others get copies of its rows on their own dates, because two hundred
sessions through the services would take minutes. Everything is synthetic and deterministic
(`random.Random` seeded by the caller).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.clinics.services import create_clinic
from ketacare.patients.models import Patient
from ketacare.patients.services import (
    TREATMENT_CONSENT,
    add_trial,
    record_assessment,
    record_consent,
    record_office_vitals,
    record_weight,
    register_patient,
)
from ketacare.screening.services import sign_eligibility_decision
from ketacare.treatment.models import TreatmentPlan, TreatmentSession
from ketacare.treatment.services import create_plan

IV_PROTOCOL = "iv_induction_2x_weekly"
# The registry's default IV order (DOSE-IV-MGKG, DOSE-IV-DURATION), never numbers typed here.
IV_ORDER = {
    "dose_mg_per_kg": DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg"),
    "duration_min": int(DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")),
    # The pharmacy's dilution (a fact of the order, not a rule): 1 mg/mL, as in contracts 2.3.
    "concentration_mg_per_ml": 1,
}
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
FAILED_TRIALS = (("sertraline", 150), ("venlafaxine XR", 225))
PHQ9 = [2, 2, 2, 2, 1, 1, 2, 1, 0]


@dataclass(frozen=True)
class Staff:
    clinic: Clinic
    prescriber: Membership
    nurse: Membership


def _member(clinic: Clinic, username: str, role: str) -> Membership:
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org")
    return Membership.objects.select_related("user", "clinic").get(
        pk=Membership.objects.create(user=user, clinic=clinic, role=role).pk
    )


def open_clinic(label: str) -> Staff:
    """A clinic offering IV ketamine and esketamine, with a prescriber and a nurse (no
    passwords: the bench signs them in directly and gives the nurse an API token)."""
    clinic = create_clinic(
        name=f"Bench clinic {label}",
        address_line="1 Main Street",
        zip_code="02115",
        phone="617-555-0100",
        routes=["iv_ketamine", "esketamine_nasal"],
        esketamine_rems_certified=True,
    )
    return Staff(
        clinic=clinic,
        prescriber=_member(clinic, f"bench-prescriber-{label}", Role.PRESCRIBER),
        nurse=_member(clinic, f"bench-nurse-{label}", Role.NURSE),
    )


def charted_patient(staff: Staff, number: int, rng: random.Random, *, on: dt.datetime) -> Patient:
    """A registered patient with what the IV screen reads: office vitals, two failed adequate
    antidepressant trials, a PHQ-9, a current treatment consent and a weight."""
    by = staff.prescriber
    patient = register_patient(
        by=by,
        given_name=f"Bench{number}",
        family_name=f"Patient{number}",
        date_of_birth=dt.date(1960 + number % 40, 1 + number % 12, 1 + number % 28),
        sex_at_birth="female" if number % 2 else "male",
        diagnosis="mdd",
    )
    record_office_vitals(
        by=by,
        patient=patient,
        systolic=rng.randrange(112, 134),
        diastolic=rng.randrange(68, 84),
        heart_rate=rng.randrange(62, 88),
        spo2=rng.randrange(96, 100),
        at=on,
    )
    for drug, dose in FAILED_TRIALS:
        add_trial(
            by=by,
            patient=patient,
            drug=drug,
            daily_dose_mg=dose,
            weeks=8,
            adherence="good",
            adequate=True,
            outcome="nonresponse",
            current_episode=True,
        )
    record_assessment(by=by, patient=patient, instrument="phq9", answers=PHQ9, completed_at=on)
    record_consent(
        by=by,
        patient=patient,
        document=TREATMENT_CONSENT,
        version="2026-1",
        signed_on=on.date(),
        signed_by="the patient",
    )
    record_weight(
        by=by, patient=patient, weight_kg=round(rng.uniform(55, 105), 1), measured_on=on.date()
    )
    return patient


def iv_plan(staff: Staff, patient: Patient, *, start: dt.date, now: dt.datetime) -> TreatmentPlan:
    """The prescriber's eligible review and an IV induction plan from `start`, every day a
    clinic day (so a plan started today has its first session today)."""
    sign_eligibility_decision(
        by=staff.prescriber,
        patient_id=patient.pk,
        route="iv_ketamine",
        decision="eligible",
        note="Screen reviewed with the patient; benefits and risks discussed.",
        findings="History, medications and vitals reviewed.",
        now=now,
    )
    return create_plan(
        by=staff.prescriber,
        patient=patient,
        protocol=IV_PROTOCOL,
        start=start,
        order=dict(IV_ORDER),
        clinic_days=EVERY_DAY,
        now=now,
    )


def first_session(plan: TreatmentPlan) -> TreatmentSession:
    return TreatmentSession.objects.select_related("plan", "patient").get(plan=plan, number=1)


def patients_with_session_today(
    staff: Staff, count: int, rng: random.Random, *, first_number: int = 1
) -> list[TreatmentSession]:
    """`count` charted patients, each with an IV plan whose first session is today."""
    now = timezone.now()
    sessions = []
    for number in range(first_number, first_number + count):
        patient = charted_patient(staff, number, rng, on=now - dt.timedelta(days=3))
        plan = iv_plan(staff, patient, start=timezone.localdate(now), now=now)
        sessions.append(first_session(plan))
    return sessions


def normal_vitals(rng: random.Random) -> dict[str, int]:
    return {
        "systolic": rng.randrange(114, 132),
        "diastolic": rng.randrange(68, 82),
        "heart_rate": rng.randrange(64, 86),
        "spo2": rng.randrange(96, 100),
    }


def check_in(
    staff: Staff, session: TreatmentSession, rng: random.Random, *, at: dt.datetime
) -> None:
    """The nurse's pre-dose record at `at`: identity and consent confirmed, normal vitals (go)."""
    from ketacare.chair.services import PreDoseInput, record_pre_dose

    record_pre_dose(
        session=session,
        values=PreDoseInput(
            **normal_vitals(rng),
            respiratory_rate=rng.randrange(12, 18),
            identity_confirmed=True,
            consent_current=True,
            chair=f"Chair {session.pk % 40 + 1}",
            escort_confirmed=True,
            escort_phone="555-0100",
            at=at,
        ),
        by=staff.nurse,
        now=at,
    )


def dose(staff: Staff, session: TreatmentSession, *, at: dt.datetime) -> None:
    """The order's dose given at `at` (IV: the chart's weight)."""
    from ketacare.chair.services import record_dose

    record_dose(session=session, lot_number="BENCH-LOT-1", by=staff.nurse, now=at)


def reading(
    staff: Staff,
    session: TreatmentSession,
    rng: random.Random,
    *,
    at: dt.datetime,
    systolic: int | None = None,
    moaas: int | None = None,
) -> None:
    """One post-dose reading at `at` (normal values unless `systolic` is given; MOAA/S 4 or 5
    unless given)."""
    from ketacare.chair.services import ReadingInput, record_reading

    vitals = normal_vitals(rng)
    if systolic is not None:
        vitals["systolic"] = systolic
    record_reading(
        session=session,
        values=ReadingInput(
            at=at,
            **vitals,
            respiratory_rate=rng.randrange(12, 18),
            moaas=moaas or rng.choice((4, 5, 5)),
        ),
        by=staff.nurse,
        now=at,
    )


def dosed_sessions(
    staff: Staff,
    count: int,
    rng: random.Random,
    *,
    dosed_minutes_ago: int = 20,
    readings: int = 2,
    first_number: int = 1,
) -> list[TreatmentSession]:
    """`count` sessions of today, each dosed `dosed_minutes_ago` minutes ago with `readings`
    readings since (every 5 minutes from the dose), as a nurse charts them."""
    now = timezone.now()
    minute = today_minute(now, lead_minutes=dosed_minutes_ago + 10)
    sessions = patients_with_session_today(staff, count, rng, first_number=first_number)
    dosed_at = now - dosed_minutes_ago * minute
    for session in sessions:
        check_in(staff, session, rng, at=dosed_at - 10 * minute)
        dose(staff, session, at=dosed_at)
        for index in range(readings):
            reading(staff, session, rng, at=dosed_at + 5 * (index + 1) * minute)
    return sessions


def today_minute(now: dt.datetime, *, lead_minutes: float) -> dt.timedelta:
    """The length of a minute for a time line of today's sessions that starts `lead_minutes`
    before `now`: a minute, unless the day is younger than that (a run just after midnight),
    when the time line is shortened to fit into today (the chair takes only today's records).
    In the first seconds of a day it waits a little, so that there is a day to fit into."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < 5 * SECOND:
        time.sleep((midnight + 5 * SECOND - now).total_seconds())
        now = timezone.now()
    return min(MINUTE, (now - midnight) * 0.8 / lead_minutes)


def chart_session(
    staff: Staff,
    session: TreatmentSession,
    rng: random.Random,
    *,
    checked_in: dt.datetime,
    readings: int,
    every_min: int = 15,
    hypertensive_at: int | None = None,
    side_effect: bool = False,
    discharge: bool = False,
    minute: dt.timedelta = MINUTE,
) -> None:
    """A session at the chair through the services, each step at its own time: check-in, the
    dose ten minutes later, `readings` readings every `every_min` minutes (the
    `hypertensive_at`-th with a systolic that raises the monitoring rules' alerts, each
    acknowledged two minutes later, unless the session stays open), a side effect, discharge.
    `minute` is the length of a minute of this time line (shorter just after midnight)."""
    from ketacare.chair.models import SessionAlert
    from ketacare.chair.services import (
        acknowledge_alert,
        discharge_session,
        record_side_effect,
    )

    check_in(staff, session, rng, at=checked_in)
    dosed_at = checked_in + 10 * minute
    dose(staff, session, at=dosed_at)
    at = dosed_at
    for index in range(readings):
        at = dosed_at + every_min * (index + 1) * minute
        high = index == hypertensive_at
        # Fully awake again (MOAA/S 5) in the second half of the observation.
        awake = 5 if index >= readings // 2 else None
        reading(staff, session, rng, at=at, systolic=172 if high else None, moaas=awake)
        if high and discharge:
            for alert in SessionAlert.objects.filter(session=session, acknowledged_at=None):
                acknowledge_alert(
                    alert=alert,
                    note="Rechecked after five minutes' rest; prescriber informed.",
                    by=staff.nurse,
                    now=at + 2 * minute,
                )
    if side_effect:
        record_side_effect(
            session=session,
            term="nausea",
            grade=1,
            onset_at=dosed_at + 25 * minute,
            resolved_at=dosed_at + 70 * minute,
            action="Ondansetron given; settled.",
            by=staff.nurse,
            now=dosed_at + 75 * minute,
        )
    if discharge:
        leave = max(at, dosed_at + 120 * minute) + 10 * minute
        discharge_session(
            session=session,
            dissociation_resolved=True,
            no_driving_instructed=True,
            by=staff.nurse,
            now=leave,
        )


def _kind(number: int) -> str:
    """Which of the history's sessions raised an alert (every tenth) or had a side effect
    (every seventh); the others went plainly."""
    return "alert" if number % 10 == 0 else "side_effect" if number % 7 == 0 else "plain"


def long_history(
    staff: Staff, rng: random.Random, *, sessions: int, future: int = 10, readings: int = 8
) -> Patient:
    """A patient whose IV plan holds `sessions` sessions, twice a week: all but the last
    `future` given, the rest still to come.

    The protocol's induction lists six sessions; the ones after it are added to the plan as the
    clinic went on treating (rows inserted with their history, as the schedule services do; no
    service adds sessions beyond a protocol's). The first session of each kind (plain, with an
    alert, with a side effect) is charted at the chair through the services on its date; every
    later one is a copy of its kind's rows (pre-dose, dose, readings, alerts, side effects,
    discharge, with their history) with the times moved to its date: the same rows the services
    write, without minutes of set-up."""
    from simple_history.utils import bulk_create_with_history

    now = timezone.now()
    today = timezone.localdate(now)
    future = min(future, sessions - 1)
    past = sessions - future
    first_day = today - dt.timedelta(days=(past * 7 + 1) // 2)
    began = timezone.make_aware(dt.datetime.combine(first_day, dt.time(8, 0)))
    began -= dt.timedelta(days=1)
    patient = charted_patient(staff, 0, rng, on=began - dt.timedelta(days=3))
    plan = iv_plan(staff, patient, start=first_day, now=began)
    rows = list(TreatmentSession.objects.filter(plan=plan).order_by("number"))[:sessions]
    last = rows[-1]
    added = []
    day = last.date
    for number in range(last.number + 1, sessions + 1):
        day += dt.timedelta(days=3 if number % 2 else 4)
        added.append(
            TreatmentSession(
                clinic_id=plan.clinic_id,
                patient=patient,
                plan=plan,
                number=number,
                phase="maintenance",
                date=day,
                planned_date=day,
                dose_text=last.dose_text,
            )
        )
    bulk_create_with_history(added, TreatmentSession, default_user=staff.prescriber.user)
    templates: dict[str, TreatmentSession] = {}
    copies: list[tuple[TreatmentSession, TreatmentSession]] = []
    for session in TreatmentSession.objects.filter(plan=plan, date__lt=today).order_by("number"):
        kind = _kind(session.number)
        if kind in templates:
            copies.append((session, templates[kind]))
            continue
        start = timezone.make_aware(dt.datetime.combine(session.date, dt.time(9, 0)))
        chart_session(
            staff,
            session,
            rng,
            checked_in=start,
            readings=readings,
            hypertensive_at=2 if kind == "alert" else None,
            side_effect=kind == "side_effect",
            discharge=True,
        )
        templates[kind] = session
    copy_chairs(copies, by=staff.nurse)
    return patient


def copy_chairs(copies: list[tuple[TreatmentSession, TreatmentSession]], *, by: Membership) -> None:
    """Give each (session, template) pair the template's chair-side rows, moved by the days
    between their dates, and the template's status and version."""
    from django.db.models import DateTimeField, Model
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from ketacare.chair.models import Discharge, DoseGiven, PreDose, Reading, SessionAlert
    from ketacare.chair.models import SideEffect as SideEffectRow

    if not copies:
        return
    kinds = (PreDose, DoseGiven, Reading, SessionAlert, SideEffectRow, Discharge)
    # As the services left them (status, version).
    templates = TreatmentSession.objects.in_bulk([template.pk for _, template in copies])
    of_template: dict[tuple[type[Model], int], list[Model]] = {}
    for model in kinds:
        for row in model.objects.filter(session_id__in=templates).order_by("pk"):
            of_template.setdefault((model, row.session_id), []).append(row)

    def moved(row: Model, session: TreatmentSession, shift: dt.timedelta) -> Model:
        values = {}
        for field in row._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(row, field.attname)
            if isinstance(field, DateTimeField) and value is not None:
                value += shift
            values[field.attname] = value
        values["session_id"] = session.pk
        return type(row)(**values)

    new: dict[type[Model], list[Model]] = {model: [] for model in kinds}
    reading_of: list[tuple[Model, Model]] = []  # (template reading, its copy)
    for session, template in copies:
        shift = dt.timedelta(days=(session.date - template.date).days)
        for model in kinds:
            for row in of_template.get((model, template.pk), []):
                copy = moved(row, session, shift)
                new[model].append(copy)
                if model is Reading:
                    reading_of.append((row, copy))
    for model in (PreDose, DoseGiven, Reading, SideEffectRow, Discharge):
        if hasattr(model, "history"):
            bulk_create_with_history(new[model], model, default_user=by.user)
        else:
            model.objects.bulk_create(new[model])
    copied = {(copy.session_id, row.pk): copy.pk for row, copy in reading_of}
    for alert in new[SessionAlert]:
        if alert.reading_id is not None:  # type: ignore[attr-defined]
            alert.reading_id = copied[(alert.session_id, alert.reading_id)]  # type: ignore[attr-defined]
    SessionAlert.objects.bulk_create(new[SessionAlert])
    sessions = []
    for session, template in copies:
        session.status = templates[template.pk].status
        session.version = templates[template.pk].version
        sessions.append(session)
    bulk_update_with_history(
        sessions, TreatmentSession, ["status", "version"], default_user=by.user
    )


def board_sessions(staff: Staff, chairs: int, rng: random.Random) -> list[TreatmentSession]:
    """`chairs` sessions in the chairs now: two in three dosed (the dose 15 minutes to two hours
    ago, readings every 15 minutes, every fifth with an open alert, every seventh overdue for
    its reading), the others checked in and waiting for the dose."""
    now = timezone.now()
    minute = today_minute(now, lead_minutes=15 + 4 * chairs + 10)
    sessions = patients_with_session_today(staff, chairs, rng, first_number=1000)
    for index, session in enumerate(sessions):
        if index % 3 == 2:
            check_in(staff, session, rng, at=now - 5 * minute)
            continue
        dosed_at = now - (15 + 4 * index) * minute
        checked_in = dosed_at - 10 * minute
        due = max(0, int((now - dosed_at) / minute) // 15)
        chart_session(
            staff,
            session,
            rng,
            checked_in=checked_in,
            readings=max(0, due - 1) if index % 7 == 3 else due,
            hypertensive_at=due - 1 if index % 5 == 0 and due else None,
            minute=minute,
        )
    return sessions
