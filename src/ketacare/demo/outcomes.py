"""The demo clinic's long-term results: patients whose courses began up to two years ago, with
their PHQ-9 and QIDS-SR16 answered at the timepoints of the measurement schedule, and one
questionnaire link e-mailed when the demo runs (the console e-mail backend prints it).

Everything goes through the services the pages use: the chart, the review and the plan as in
`ketacare.demo.stages` (the plan lays out its timepoints), each answer through the chart's scale
service, so the clinical core scores it, the answer is tied to its timepoint and a suicidality
flag raises its alert, as for any answer. Only the answers are chosen here, never a total:

- remitters fall below the remission threshold after induction and stay there;
- responders halve their baseline and stay; a non-responder barely moves;
- relapses remit, then score in the moderate band on consecutive follow-ups;
- one patient, after responding, worsens at the latest follow-up (an early warning);
- one answered PHQ-9 item 9 above 0 long ago (its alert acknowledged by the prescriber), one at
  the latest follow-up (its alert open).

Idempotent: a patient whose course exists is left as it is. The e-mailed link is the exception,
on purpose: each run sends a fresh one (replacing the last, whose token nobody kept), so the
console of every `make run` shows a link to open.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.demo.charts import ChartSpec, fill_chart, has_chart, phq9_answers
from ketacare.outcomes.delivery import DELIVERY_OBJECT_TYPE, send_invitation
from ketacare.outcomes.links import OBJECT_TYPE as LINK_OBJECT_TYPE
from ketacare.outcomes.models import AlertKind, OutcomeAlert, Timepoint
from ketacare.outcomes.services_alerts import acknowledge_alert
from ketacare.patients.models import Patient
from ketacare.patients.services.records import record_assessment
from ketacare.screening.services import sign_eligibility_decision
from ketacare.treatment.models import TreatmentPlan
from ketacare.treatment.services import create_plan

DEMO_SITE_URL = "http://127.0.0.1:8000/"
# What the e-mailed link adds to the audit trail at each run (the rest of the demo, nothing).
DEMO_LINK_OBJECT_TYPES = (LINK_OBJECT_TYPE, DELIVERY_OBJECT_TYPE)
ANSWERED_INSTRUMENTS = ("phq9", "qids_sr16")
# The patient whose next PHQ-9 is e-mailed when the demo runs (DEMO-0023).
LINK_PATIENT = 23
ITEM9_ACKNOWLEDGED_NOTE = (
    "Called the same day: passive thoughts only, no plan; safety plan reviewed."
)

# A trajectory: the PHQ-9 total at `days` after the course began, from the baseline.
Trajectory = Callable[[int, int, random.Random], int]


def _settle(baseline: int, target: int, days: int) -> float:
    """From the baseline to `target` over the three weeks of induction."""
    return baseline + (target - baseline) * min(max(days, 0), 21) / 21


def remitter(baseline: int, days: int, rng: random.Random) -> int:
    return round(_settle(baseline, 3, days)) + (rng.randrange(2) if days > 21 else 0)


def responder(baseline: int, days: int, rng: random.Random) -> int:
    return round(_settle(baseline, baseline * 0.42, days)) + rng.randrange(2)


def non_responder(baseline: int, days: int, rng: random.Random) -> int:
    return round(_settle(baseline, baseline * 0.85, days)) + rng.randrange(2)


def relapse_after(day: int) -> Trajectory:
    """Remits, then from `day` on scores in the moderate band (PHQ-9 12-15)."""

    def trajectory(baseline: int, days: int, rng: random.Random) -> int:
        if days < day:
            return remitter(baseline, days, rng)
        return 12 + rng.randrange(4)

    return trajectory


@dataclass(frozen=True)
class Course:
    """One long-term demo patient: when the course began, its protocol and how they fare."""

    label: str
    started_days_ago: int
    protocol: str
    trajectory: Trajectory
    baseline: int
    # Answered PHQ-9 item 9 above 0: at the latest follow-up (alert left open), or at the
    # follow-up nearest `item9_days` after the start (alert acknowledged).
    item9_latest: bool = False
    item9_days: int | None = None
    # The latest follow-up worsens by this much above the course's lowest score.
    worsens_at_latest: int = 0


COURSES: dict[int, Course] = {
    20: Course("remitter", 720, "iv_maintenance_taper", remitter, 21),
    21: Course("responder", 650, "iv_induction_2x_weekly", responder, 19),
    22: Course("relapse", 560, "iv_induction_3x_weekly", relapse_after(300), 22),
    23: Course("remitter", 470, "iv_induction_2x_weekly", remitter, 18),
    24: Course("non-responder", 400, "iv_induction_3x_weekly", non_responder, 20),
    25: Course("early warning", 330, "iv_maintenance_taper", responder, 20, worsens_at_latest=6),
    26: Course("relapse", 260, "iv_induction_2x_weekly", relapse_after(150), 19),
    27: Course(
        "responder, item 9 once", 210, "iv_induction_3x_weekly", responder, 21, item9_days=40
    ),
    28: Course(
        "remitter, item 9 now", 160, "iv_induction_2x_weekly", remitter, 20, item9_latest=True
    ),
}


def load_outcomes(
    clinic: Clinic, staff: dict[str, Membership], *, order: dict[str, object]
) -> dict[str, int]:
    """Bring the long-term demo patients to today; returns what was created."""
    created = {"long-term course": 0, "questionnaire answer": 0}
    patients = {
        int(p.mrn.rsplit("-", 1)[-1]): p
        for p in Patient.objects.filter(clinic=clinic, is_active=True)
        if p.mrn.rsplit("-", 1)[-1].isdigit()
    }
    now = timezone.now()
    for number, course in COURSES.items():
        patient = patients.get(number)
        if patient is None or TreatmentPlan.objects.filter(patient=patient).exists():
            continue
        rng = random.Random(f"demo-outcomes-{clinic.pk}-{number}")  # noqa: S311 - synthetic data
        plan = _begin_course(patient, course, staff, order=order, rng=rng, now=now)
        created["long-term course"] += 1
        created["questionnaire answer"] += _answer(
            plan, course, staff, rng=rng, now=now, leave_latest=number == LINK_PATIENT
        )
    return {kind: count for kind, count in created.items() if count}


def _begin_course(
    patient: Patient,
    course: Course,
    staff: dict[str, Membership],
    *,
    order: dict[str, object],
    rng: random.Random,
    now: dt.datetime,
) -> TreatmentPlan:
    started = now - dt.timedelta(days=course.started_days_ago, hours=2)
    if not has_chart(patient):
        baseline = phq9_answers(course.baseline)
        fill_chart(
            patient=patient,
            spec=ChartSpec(phq9=tuple(baseline)),
            prescriber=staff[Role.PRESCRIBER],
            nurse=staff[Role.NURSE],
            coordinator=staff[Role.COORDINATOR],
            rng=rng,
            started=started,
        )
    sign_eligibility_decision(
        by=staff[Role.PRESCRIBER],
        patient_id=patient.pk,
        route="iv_ketamine",
        decision="eligible",
        note="Screen reviewed with the patient; benefits and risks discussed.",
        findings="History, medications and vitals reviewed with the patient.",
        now=started + dt.timedelta(hours=1),
    )
    return create_plan(
        by=staff[Role.PRESCRIBER],
        patient=patient,
        protocol=course.protocol,
        start=(started + dt.timedelta(days=1)).date(),
        order=dict(order),
        now=started + dt.timedelta(hours=2),
    )


def _answer(
    plan: TreatmentPlan,
    course: Course,
    staff: dict[str, Membership],
    *,
    rng: random.Random,
    now: dt.datetime,
    leave_latest: bool,
) -> int:
    """Answer the plan's PHQ-9 and QIDS-SR16 timepoints that have come due, as the patient
    would have on the day each was due."""
    today = timezone.localdate(now)
    due = list(
        Timepoint.objects.filter(
            plan=plan, instrument__in=ANSWERED_INSTRUMENTS, due_on__lte=today
        ).order_by("due_on", "pk")
    )
    phq9_due = [t for t in due if t.instrument == "phq9"]
    if leave_latest and phq9_due:
        # Left for the patient to answer from the e-mailed link.
        due = [t for t in due if t.due_on < phq9_due[-1].due_on]
    latest_day = max((t.due_on for t in due), default=today)
    start = min((t.due_on for t in due), default=today)
    item9_day = _nearest(
        [t.due_on for t in due if t.instrument == "phq9"],
        start + dt.timedelta(days=course.item9_days) if course.item9_days is not None else None,
    )
    lowest = course.baseline
    count = 0
    for timepoint in due:
        days = (timepoint.due_on - start).days
        total = max(0, min(24, course.trajectory(course.baseline, days, rng)))
        lowest = min(lowest, total)
        if course.worsens_at_latest and timepoint.due_on == latest_day:
            total = min(24, lowest + course.worsens_at_latest)
        item9 = timepoint.instrument == "phq9" and (
            timepoint.due_on == item9_day
            or (course.item9_latest and timepoint.due_on == latest_day)
        )
        answers = _answers(timepoint.instrument, total, item9=item9)
        when = dt.datetime.combine(
            timepoint.due_on, dt.time(9 + rng.randrange(10), rng.randrange(60))
        )
        completed_at = min(timezone.make_aware(when), now - dt.timedelta(minutes=5))
        record_assessment(
            by=staff[Role.NURSE],
            patient=plan.patient,
            instrument=timepoint.instrument,
            answers=answers,
            completed_at=completed_at,
        )
        count += 1
    if item9_day is not None:
        _acknowledge_item9(plan.patient, staff[Role.PRESCRIBER])
    return count


def _nearest(days: list[dt.date], wanted: dt.date | None) -> dt.date | None:
    if wanted is None or not days:
        return None
    return min(days, key=lambda day: abs((day - wanted).days))


def _answers(instrument: str, total: int, *, item9: bool) -> list[int]:
    if instrument == "phq9":
        answers = phq9_answers(max(0, total - 1) if item9 else total)
        if item9:
            answers[8] = 1  # "thoughts that you would be better off dead": several days
        return answers
    return qids_answers(round(total * 0.9))


# QIDS-SR16 items (0-based) standing for eight of its nine domains: sleep (item 1), sad mood,
# appetite/weight (item 6), concentration, self-view, interest, energy, psychomotor (item 15).
# Item 12 (thoughts of death or suicide) stays 0.
_QIDS_DOMAIN_ITEMS = (0, 4, 5, 9, 10, 12, 13, 14)


def qids_answers(total: int) -> list[int]:
    """QIDS-SR16 answers (16 items, 0-3) whose domain total is `total` (0-24), item 12 at 0."""
    answers = [0] * 16
    for index in range(max(0, min(total, 24))):
        answers[_QIDS_DOMAIN_ITEMS[index % len(_QIDS_DOMAIN_ITEMS)]] += 1
    return answers


def _acknowledge_item9(patient: Patient, prescriber: Membership) -> None:
    for alert in OutcomeAlert.objects.filter(
        patient=patient, kind=AlertKind.SUICIDALITY, acknowledged_at__isnull=True
    ):
        acknowledge_alert(by=prescriber, alert_id=alert.pk, note=ITEM9_ACKNOWLEDGED_NOTE)


def email_demo_link(clinic: Clinic) -> str:
    """E-mail the link patient a fresh link to their latest due PHQ-9 (the console backend
    prints it), sent by the coordinator; returns the MRN, or "" when nothing was sent."""
    coordinator = (
        Membership.objects.filter(clinic=clinic, role=Role.COORDINATOR, is_active=True)
        .order_by("pk")
        .first()
    )
    patient = (
        Patient.objects.filter(clinic=clinic, mrn__endswith=f"-{LINK_PATIENT:04d}")
        .order_by("pk")
        .first()
    )
    if patient is None or coordinator is None:
        return ""
    timepoint = (
        Timepoint.objects.filter(
            patient=patient,
            instrument="phq9",
            audience="patient",
            assessment__isnull=True,
            due_on__lte=timezone.localdate(),
        )
        .order_by("-due_on", "-pk")
        .first()
    )
    if timepoint is None:
        return ""
    site_url = os.environ.get("KETACARE_SITE_URL") or DEMO_SITE_URL
    done = send_invitation.call(
        timepoint_id=timepoint.pk,
        site_url=site_url,
        requested_by_id=coordinator.pk,
    )
    return patient.mrn if done["status"] == "sent" else ""
