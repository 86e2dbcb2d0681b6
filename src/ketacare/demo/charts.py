"""Demo charts: the clinical history of the demo patients, entered through the chart services by
the demo staff, so the audit trail and history read as a real clinic's would.

Which patient gets what is fixed by their MRN number (see `STAGES` in `ketacare.demo.stages`):
the same charts on every machine. A patient whose chart already holds a weight is skipped, so
a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from ketacare.clinics.models import Membership
from ketacare.patients.models import Patient, WeightMeasurement
from ketacare.patients.services import (
    TREATMENT_CONSENT,
    add_allergy,
    add_condition,
    add_medication,
    add_trial,
    record_assessment,
    record_consent,
    record_office_vitals,
    record_weight,
    sign_note,
    update_patient,
)

# A few made-up histories (synthetic; not anyone's record).
ANTIDEPRESSANTS = (
    ("sertraline", 150),
    ("escitalopram", 20),
    ("bupropion XL", 300),
    ("venlafaxine XR", 225),
    ("mirtazapine", 45),
    ("duloxetine", 60),
)
PSYCH_HISTORY = (
    "First depressive episode at 24; current episode 14 months. One brief hospitalisation "
    "(2019). Weekly psychotherapy (CBT). No prior ECT or TMS."
)


@dataclass(frozen=True)
class ChartSpec:
    """What a demo chart holds: enough failed trials, a severe-enough PHQ-9, and so on."""

    failed_trials: int = 2
    phq9: tuple[int, ...] = (2, 2, 2, 2, 1, 1, 2, 1, 0)
    madrs_total: int | None = None
    conditions: tuple[str, ...] = ()
    medications: tuple[tuple[str, str], ...] = (("sertraline 150 mg daily", "antidepressant"),)
    systolic: int = 126
    diastolic: int = 80
    diagnosis: str = "mdd"
    consent: bool = True


# MADRS answers (10 items, 0-6) whose total is the given number, for the demo's clinician scale.
def _madrs_answers(total: int) -> list[int]:
    answers = [0] * 10
    for index in range(total):
        answers[index % 10] += 1
    return answers


def phq9_answers(total: int) -> list[int]:
    """PHQ-9 answers (items 1-8 from 0 to 3, item 9 kept at 0) adding up to `total` (0-24)."""
    answers = [0] * 9
    for index in range(min(total, 24)):
        answers[index % 8] += 1
    return answers


def record_progress(
    *,
    patient: Patient,
    nurse: Membership,
    since: dt.datetime,
    baseline: int,
    responder: bool,
) -> int:
    """Weekly PHQ-9s from `since` to now: falling by half within a month for a responder, a few
    points for a partial one. Returns how many were recorded."""
    now = timezone.now()
    week, count = 1, 0
    while since + dt.timedelta(weeks=week) < now:
        drop = (0.6 if responder else 0.25) * min(week, 4) / 4
        total = max(2, round(baseline * (1 - drop)) + (week % 2))
        record_assessment(
            by=nurse,
            patient=patient,
            instrument="phq9",
            answers=phq9_answers(total),
            completed_at=since + dt.timedelta(weeks=week),
        )
        week, count = week + 1, count + 1
    return count


def has_chart(patient: Patient) -> bool:
    """Whether the demo chart was completed (its weight is entered last)."""
    return WeightMeasurement.objects.filter(clinic_id=patient.clinic_id, patient=patient).exists()


def fill_chart(
    *,
    patient: Patient,
    spec: ChartSpec,
    prescriber: Membership,
    nurse: Membership,
    coordinator: Membership,
    rng: random.Random,
    started: dt.datetime,
) -> None:
    """Enter one synthetic chart as the clinic's staff would, dated from `started` on."""
    today = timezone.localdate()
    patient = update_patient(
        by=prescriber,
        patient=patient,
        version=patient.version,
        changes={
            "diagnosis": spec.diagnosis,
            "psychiatric_history": PSYCH_HISTORY,
            "emergency_contact_name": "Alex Demo-Contact",
            "emergency_contact_relationship": "partner",
            "emergency_contact_phone": "555-0199",
            "preferred_contact": "phone",
        },
    )
    record_office_vitals(
        by=nurse,
        patient=patient,
        systolic=spec.systolic,
        diastolic=spec.diastolic,
        heart_rate=rng.randrange(62, 88),
        spo2=rng.randrange(96, 100),
        at=started,
    )
    if rng.random() < 0.3:
        add_allergy(by=nurse, patient=patient, substance="penicillin", reaction="rash")
    for name, medication_class in spec.medications:
        add_medication(
            by=prescriber,
            patient=patient,
            name=name,
            medication_class=medication_class,
            started_on=today - dt.timedelta(days=200),
        )
    for code in spec.conditions:
        add_condition(by=prescriber, patient=patient, code=code)
    drugs = rng.sample(ANTIDEPRESSANTS, k=min(len(ANTIDEPRESSANTS), spec.failed_trials + 1))
    for index, (drug, dose) in enumerate(drugs):
        failed = index < spec.failed_trials
        add_trial(
            by=prescriber,
            patient=patient,
            drug=drug,
            daily_dose_mg=dose,
            weeks=8 if failed else 3,
            adherence="good" if failed else "partial",
            adequate=failed,
            outcome="nonresponse" if failed else "intolerance",
            current_episode=True,
        )
    record_assessment(
        by=nurse, patient=patient, instrument="phq9", answers=list(spec.phq9), completed_at=started
    )
    if spec.madrs_total is not None:
        record_assessment(
            by=prescriber,
            patient=patient,
            instrument="madrs",
            answers=_madrs_answers(spec.madrs_total),
            completed_at=started,
        )
    if spec.consent:
        record_consent(
            by=coordinator,
            patient=patient,
            document=TREATMENT_CONSENT,
            version="2026-1",
            signed_on=started.date(),
            signed_by="the patient",
        )
    sign_note(
        by=prescriber,
        patient=patient,
        title="Initial evaluation",
        text="Referred for treatment-resistant depression. History and medications reviewed "
        "with the patient; discussed the treatment options, monitoring and the no-driving rule.",
    )
    # Last: a chart with a weight is complete (`has_chart`), so an interrupted run resumes.
    record_weight(
        by=nurse,
        patient=patient,
        weight_kg=round(rng.uniform(55, 105), 1),
        measured_on=started.date(),
    )
