"""The demo clinic's patients at every step of the path: new intake requests, charts awaiting
review, signed reviews, courses in induction and in maintenance.

Everything goes through the same services the pages and the API call, acted by the demo staff,
so histories and the audit trail look like a real clinic's. Past events (a review signed last
month, a course that began six weeks ago) are entered with the services' `now`, the way a chart
is completed after the fact; the audit trail still records when the demo wrote them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.demo.chair import load_chair_day
from ketacare.demo.charts import ChartSpec, fill_chart, has_chart, record_progress
from ketacare.demo.outcomes import load_outcomes
from ketacare.intake.models import IntakeRequest, IntakeSource
from ketacare.intake.services import change_intake_status, create_intake_request
from ketacare.patients.models import Patient
from ketacare.screening.models import EligibilityReview
from ketacare.screening.services import sign_eligibility_decision
from ketacare.treatment.models import TreatmentPlan, TreatmentSession
from ketacare.treatment.services import create_plan


@dataclass(frozen=True)
class Stage:
    """Where one demo patient stands: the chart, then (optionally) a review and a course."""

    label: str
    chart: ChartSpec | None
    route: str | None = None
    decision: str | None = None
    note: str = "Screen reviewed with the patient; benefits and risks discussed."
    protocol: str | None = None
    order: dict[str, object] | None = None
    # Days before today the chart was taken, the review signed and the course began.
    started_days_ago: int = 10


# The orders are the registry's: the IV defaults (DOSE-IV-MGKG, DOSE-IV-DURATION) and the label's
# first TRD dose (DOSE-ESK-FIRST-TRD), never numbers typed here.
IV_ORDER = {
    "dose_mg_per_kg": DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg"),
    "duration_min": int(DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min")),
}
ESK_ORDER = {"dose_mg": int(DEFAULT_SETTINGS.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))}
AWAITING = ChartSpec()
OLDER_HIGH_BP = ChartSpec(systolic=148, diastolic=92, madrs_total=31)
PSYCHOSIS = ChartSpec(conditions=("psychotic_disorder",))
ON_BENZODIAZEPINE = ChartSpec(
    medications=(
        ("escitalopram 20 mg daily", "antidepressant"),
        ("lorazepam 0.5 mg at night", "benzodiazepine"),
    ),
    conditions=("hypertension_controlled",),
)

# By MRN number (DEMO-0001 ...). Patients not listed keep their demographics only: newly
# registered, nothing charted yet.
STAGES: dict[int, Stage] = {
    1: Stage("awaiting review", AWAITING, started_days_ago=3),
    2: Stage("awaiting review", ON_BENZODIAZEPINE, started_days_ago=4),
    3: Stage("awaiting review", OLDER_HIGH_BP, started_days_ago=2),
    4: Stage("awaiting review", ChartSpec(failed_trials=1), started_days_ago=5),
    5: Stage("reviewed", AWAITING, "iv_ketamine", "eligible", started_days_ago=6),
    6: Stage(
        "reviewed",
        PSYCHOSIS,
        "iv_ketamine",
        "not_eligible",
        note="Lifetime psychotic disorder: an absolute exclusion. Referred back with options.",
        started_days_ago=8,
    ),
    7: Stage(
        "reviewed",
        ON_BENZODIAZEPINE,
        "esketamine_nasal",
        "eligible",
        note="Lorazepam at night only; closer sedation monitoring agreed with the patient.",
        started_days_ago=5,
    ),
    8: Stage(
        "in induction",
        AWAITING,
        "iv_ketamine",
        "eligible",
        protocol="iv_induction_2x_weekly",
        order=IV_ORDER,
        started_days_ago=9,
    ),
    9: Stage(
        "in induction",
        AWAITING,
        "iv_ketamine",
        "eligible",
        protocol="iv_induction_3x_weekly",
        order=IV_ORDER,
        started_days_ago=4,
    ),
    10: Stage(
        "in induction",
        ON_BENZODIAZEPINE,
        "esketamine_nasal",
        "eligible",
        note="Lorazepam at night only; closer sedation monitoring agreed with the patient.",
        protocol="esketamine_trd_label",
        order=ESK_ORDER,
        started_days_ago=12,
    ),
    11: Stage(
        "in induction",
        AWAITING,
        "esketamine_nasal",
        "eligible",
        protocol="esketamine_trd_label",
        order=ESK_ORDER,
        started_days_ago=1,
    ),
    12: Stage(
        "in maintenance",
        AWAITING,
        "esketamine_nasal",
        "eligible",
        protocol="esketamine_trd_label",
        order=ESK_ORDER,
        started_days_ago=63,
    ),
    13: Stage(
        "in maintenance",
        AWAITING,
        "iv_ketamine",
        "eligible",
        protocol="iv_maintenance_taper",
        order=IV_ORDER,
        started_days_ago=30,
    ),
    14: Stage(
        "in maintenance",
        AWAITING,
        "esketamine_nasal",
        "eligible",
        protocol="esketamine_trd_label",
        order=ESK_ORDER,
        started_days_ago=90,
    ),
    # Courses begun in the last week: with those above, enough patients that every day has
    # someone whose next session the protocol lets come forward to today's chairs.
    **{
        number: Stage(
            "in induction",
            AWAITING,
            route,
            "eligible",
            protocol=protocol,
            order=ESK_ORDER if route == "esketamine_nasal" else IV_ORDER,
            started_days_ago=days,
        )
        for number, route, protocol, days in (
            (15, "esketamine_nasal", "esketamine_trd_label", 2),
            (16, "iv_ketamine", "iv_induction_3x_weekly", 3),
            (17, "esketamine_nasal", "esketamine_trd_label", 6),
            (18, "iv_ketamine", "iv_induction_2x_weekly", 5),
            (19, "esketamine_nasal", "esketamine_trd_label", 4),
        )
    },
}

# Requests in the queue that are nobody's patient yet: (name, contact, status, closed reason).
INTAKE_REQUESTS = (
    ("Robin Fernvale", "robin.fernvale@example.org", "new", ""),
    ("Sam Quillfeather", "555-0142", "new", ""),
    ("Taylor Hazelby", "taylor.hazelby@example.org", "contacted", ""),
    ("Jordan Elmcrest", "555-0187", "evaluation_scheduled", ""),
    ("Casey Dunmoor", "casey.dunmoor@example.org", "closed", "Chose a clinic nearer home."),
)


def load_stages(clinic: Clinic) -> dict[str, int]:
    """Bring the demo clinic's patients to their stages; returns what was created."""
    staff = _staff(clinic)
    if not {Role.PRESCRIBER, Role.NURSE, Role.COORDINATOR} <= set(staff):
        return {}
    created = {"chart": 0, "review": 0, "plan": 0, "intake request": 0}
    rng = random.Random(f"demo-stages-{clinic.pk}")  # noqa: S311 - synthetic data
    now = timezone.now()
    patients = {
        int(p.mrn.rsplit("-", 1)[-1]): p
        for p in Patient.objects.filter(clinic=clinic, is_active=True)
        if p.mrn.rsplit("-", 1)[-1].isdigit()
    }
    for number, stage in STAGES.items():
        patient = patients.get(number)
        if patient is None or stage.chart is None:
            continue
        started = now - dt.timedelta(days=stage.started_days_ago, hours=2)
        if not has_chart(patient):
            fill_chart(
                patient=patient,
                spec=stage.chart,
                prescriber=staff[Role.PRESCRIBER],
                nurse=staff[Role.NURSE],
                coordinator=staff[Role.COORDINATOR],
                rng=rng,
                started=started,
            )
            created["chart"] += 1
        if stage.route and not _reviewed(patient):
            sign_eligibility_decision(
                by=staff[Role.PRESCRIBER],
                patient_id=patient.pk,
                route=stage.route,
                decision=stage.decision,
                note=stage.note,
                findings="History, medications and vitals reviewed with the patient.",
                now=started + dt.timedelta(hours=1),
            )
            created["review"] += 1
        if stage.protocol and not _planned(patient):
            plan = create_plan(
                by=staff[Role.PRESCRIBER],
                patient=patient,
                protocol=stage.protocol,
                start=(started + dt.timedelta(days=1)).date(),
                order=dict(stage.order or {}),
                now=started + dt.timedelta(hours=2),
            )
            _book_times(plan, number)
            record_progress(
                patient=patient,
                nurse=staff[Role.NURSE],
                since=started,
                baseline=sum(stage.chart.phq9),
                responder=number % 3 != 1,
            )
            created["plan"] += 1
    created["intake request"] = _load_intake(clinic, staff[Role.COORDINATOR])
    # Courses begun up to two years ago with their follow-up answers (before the chair day, so
    # their sessions are charted with the rest).
    created.update(load_outcomes(clinic, staff, order=IV_ORDER))
    # The chair-side record of the courses' sessions, and today's chairs, relative to now.
    created.update(load_chair_day(clinic, staff, now=timezone.now()))
    return {kind: count for kind, count in created.items() if count}


def _staff(clinic: Clinic) -> dict[str, Membership]:
    memberships = Membership.objects.filter(clinic=clinic, is_active=True).select_related(
        "user", "clinic"
    )
    return {m.role: m for m in memberships.order_by("pk")}


def _reviewed(patient: Patient) -> bool:
    return EligibilityReview.objects.filter(clinic_id=patient.clinic_id, patient=patient).exists()


def _planned(patient: Patient) -> bool:
    return TreatmentPlan.objects.filter(clinic_id=patient.clinic_id, patient=patient).exists()


def _book_times(plan: TreatmentPlan, number: int) -> None:
    """Give the course a chair time (plans are made by date; the desk books the hour): one
    patient an hour and a half from 08:00, so a day's list reads like a real clinic's."""
    slot = number % 6
    minutes = 8 * 60 + slot * 90
    TreatmentSession.objects.filter(clinic_id=plan.clinic_id, plan=plan).update(
        time=dt.time(minutes // 60, minutes % 60)
    )


def _load_intake(clinic: Clinic, coordinator: Membership) -> int:
    if IntakeRequest.objects.filter(clinic=clinic, patient__isnull=True).exists():
        return 0
    for name, contact, status, reason in INTAKE_REQUESTS:
        by_email = "@" in contact
        request = create_intake_request(
            clinic=clinic,
            source=IntakeSource.STAFF,
            name=name,
            preferred_contact="email" if by_email else "phone",
            email=contact if by_email else "",
            phone="" if by_email else contact,
            best_time="weekday mornings",
            message="Referred by their primary care physician for treatment-resistant depression.",
            by=coordinator,
        )
        path = {
            "new": (),
            "contacted": ("contacted",),
            "evaluation_scheduled": ("contacted", "evaluation_scheduled"),
            "closed": ("contacted", "closed"),
        }[status]
        version = request.version
        for step in path:
            request = change_intake_status(
                by=coordinator,
                intake_request_id=request.pk,
                version=version,
                status=step,
                closed_reason=reason if step == "closed" else "",
            )
            version = request.version
    return len(INTAKE_REQUESTS)
