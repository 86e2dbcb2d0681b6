"""One synthetic patient: the record, the chart, and (for most) a signed eligibility review.

The review is signed over the clinical core's screen of the chart as generated
(`ketacare.clinical.eligibility.screen_chart` on the facts `chart_facts` would read), so its
decision follows the same rules a prescriber signs over: an exclusion is never signed eligible
(SAFE-ABS-EXCLUSION), a screen that needs review is signed with a note.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ketacare.clinical.eligibility import screen_chart
from ketacare.clinical.eligibility.chart import (
    TrialRecord,
    conditions_from_medications,
    failed_adequate_trials,
)
from ketacare.clinical.instruments.scoring import score
from ketacare.clinics.demo import FAMILY_NAMES, GIVEN_NAMES
from ketacare.demo.charts import ANTIDEPRESSANTS, PSYCH_HISTORY
from ketacare.demo.seed import rates
from ketacare.demo.seed.context import ClinicStaff, Run
from ketacare.demo.seed.sink import Sink
from ketacare.demo.seed.tables import decimal1
from ketacare.demo.seed.vitals import Baseline, clamp, draw_baseline
from ketacare.patients.models import (
    Allergy,
    AntidepressantTrial,
    Assessment,
    CareNote,
    Condition,
    Consent,
    Medication,
    OfficeVitals,
    Patient,
    WeightMeasurement,
)
from ketacare.patients.queries import age_on
from ketacare.patients.services import TREATMENT_CONSENT
from ketacare.screening.models import EligibilityReview

CONSENT_VERSION = "2026-1"
REPRODUCTIVE_AGES = range(12, 56)  # [D] ages at which the pregnancy checklist item is asked


@dataclass(frozen=True)
class Story:
    """What the course and its sessions need to know about a generated patient."""

    patient_id: int
    date_of_birth: dt.date
    sex: str
    registered: dt.datetime
    baseline: Baseline
    weight_kg: float
    consented: bool
    phq9: tuple[int, ...]
    route: str | None = None
    review_id: int | None = None
    reviewed_at: dt.datetime | None = None

    def age_on(self, day: dt.date) -> int:
        return age_on(self.date_of_birth, day)

    def reproductive_potential(self, day: dt.date) -> bool:
        return self.sex == "female" and self.age_on(day) in REPRODUCTIVE_AGES


def weighted(rng: random.Random, weights: dict[str, float] | dict[int, float]) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def percent(rng: random.Random, value: float) -> bool:
    return rng.random() * 100 < value


def phq9_answers(rng: random.Random, total: int, item9: int) -> tuple[int, ...]:
    """PHQ-9 answers (items 0-3) adding up to `total`, item 9 as given."""
    answers = [0] * 8
    remaining = max(0, min(total - item9, 24))
    while remaining:
        index = rng.randrange(8)
        if answers[index] < 3:
            answers[index] += 1
            remaining -= 1
    return (*answers, item9)


def madrs_answers(rng: random.Random, total: int) -> list[int]:
    answers = [0] * 10
    remaining = max(0, min(total, 60))
    while remaining:
        index = rng.randrange(10)
        if answers[index] < 6:
            answers[index] += 1
            remaining -= 1
    return answers


def add_assessment(
    sink: Sink,
    *,
    clinic_id: int,
    patient_id: int,
    by: int | None,
    instrument: str,
    answers: list[int],
    at: dt.datetime,
    source: str = "staff",
) -> int:
    """A rating scale scored by the clinical core, exactly as `ketacare score`; its (chunk-local)
    id. `source` "patient_link" for an answer a patient gave by link (no staff recorded it)."""
    result = score(instrument, answers)
    assessment_id = sink.new_id(Assessment)
    sink.add(
        Assessment,
        id=assessment_id,
        clinic_id=clinic_id,
        patient_id=patient_id,
        recorded_by_id=by,
        created_at=at,
        instrument=result.instrument,
        answers=list(answers),
        total=result.total,
        severity=result.severity or "",
        flags=list(result.flags),
        completed_at=at,
        source=source,
    )
    return assessment_id


def _moment(run: Run, day: dt.date, rng: random.Random) -> dt.datetime:
    return run.at(day, dt.time(rng.randrange(8, 17), rng.randrange(0, 60, 5)))


def seed_patient(sink: Sink, run: Run, clinic: ClinicStaff, number: int) -> Story:
    """Generate patient `number` of `clinic`: record, chart, and perhaps a signed review."""
    rng = run.rng("patient", clinic.index, number)
    span = (run.today - run.first_day).days
    registered_on = run.first_day + dt.timedelta(days=rng.randrange(span))
    registered = _moment(run, registered_on, rng)
    sex = str(weighted(rng, rates.SEX_WEIGHTS))
    age = clamp(rng.gauss(44, 13), (18, 82))
    born = registered_on - dt.timedelta(days=age * 365 + rng.randrange(365))
    coordinator = rng.choice(clinic.coordinators)
    prescriber = rng.choice(clinic.prescribers)
    nurse = rng.choice(clinic.nurses)
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    patient_id = sink.new_id(Patient)
    phone = f"555-01{rng.randrange(100):02d}"
    pregnant = sex == "female" and age < 45 and percent(rng, rates.PREGNANT_PERCENT)
    diagnosis = str(weighted(rng, rates.DIAGNOSIS_WEIGHTS))
    sink.add(
        Patient,
        id=patient_id,
        clinic_id=clinic.id,
        mrn=f"SYN{run.seed}-{clinic.index}-{number:06d}",
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex_at_birth=sex,
        email=f"{given}.{family}.{clinic.index}-{number}@example.org".lower(),
        phone=phone,
        address_line=f"{rng.randrange(1, 999)} {rng.choice(FAMILY_NAMES)} Street",
        city=clinic.city,
        state=clinic.state,
        zip_code=clinic.zip_code,
        preferred_contact=rng.choice(("phone", "email", "text")),
        emergency_contact_name=f"{rng.choice(GIVEN_NAMES)} {family}",
        emergency_contact_relationship=rng.choice(("partner", "parent", "sibling", "friend")),
        emergency_contact_phone=f"555-01{rng.randrange(100):02d}",
        diagnosis=diagnosis,
        pregnant=pregnant,
        pregnancy_status_on=registered_on if sex == "female" and age < 56 else None,
        psychiatric_history=PSYCH_HISTORY,
        created_at=registered,
        updated_at=registered,
    )

    def chart_row(model: type, by: int, **values: object) -> None:
        sink.add(
            model,
            id=sink.new_id(model),
            clinic_id=clinic.id,
            patient_id=patient_id,
            recorded_by_id=by,
            created_at=registered,
            **values,
        )

    # Conditions (reference 2.8 codes) and medications; hypertension is one of two codes.
    conditions = [code for code, p in rates.CONDITION_PERCENT.items() if percent(rng, p)]
    if "uncontrolled_hypertension" in conditions and "hypertension_controlled" in conditions:
        conditions.remove("hypertension_controlled")
    for code in conditions:
        chart_row(Condition, prescriber, code=code)
    classes = [c for c, p in rates.MEDICATION_PERCENT.items() if percent(rng, p)]
    for medication_class in classes:
        chart_row(
            Medication,
            prescriber,
            name=rng.choice(rates.MEDICATIONS[medication_class]),
            medication_class=medication_class,
            started_on=registered_on - dt.timedelta(days=rng.randrange(30, 900)),
        )
    if percent(rng, rates.ALLERGY_PERCENT):
        substance, reaction = rng.choice(rates.ALLERGIES)
        chart_row(Allergy, nurse, substance=substance, reaction=reaction, severity="mild")

    # The trial ledger (ELIG-TRD, reference 2.1): failed adequate trials, then others.
    failed = int(weighted(rng, rates.FAILED_TRIALS_WEIGHTS))  # type: ignore[call-overload]
    others = rng.randrange(0, 3)
    drugs = rng.sample(ANTIDEPRESSANTS, k=min(len(ANTIDEPRESSANTS), failed + others))
    trials: list[TrialRecord] = []
    for index, (drug, dose) in enumerate(drugs):
        if index < failed:
            kind = ("nonresponse", True, True, rng.randrange(6, 13), "good")
        else:
            kind = rng.choice(
                (
                    ("intolerance", False, True, rng.randrange(1, 4), "partial"),
                    ("partial_response", True, True, rng.randrange(6, 13), "good"),
                    ("response", True, False, rng.randrange(8, 30), "good"),
                )
            )
        outcome, adequate, current, weeks, adherence = kind
        trials.append(TrialRecord(adequate=adequate, outcome=outcome, current_episode=current))
        chart_row(
            AntidepressantTrial,
            prescriber,
            drug=drug,
            daily_dose_mg=decimal1(dose),
            weeks=weeks,
            adherence=adherence,
            adequate=adequate,
            outcome=outcome,
            current_episode=current,
        )

    hypertension = (
        "uncontrolled"
        if "uncontrolled_hypertension" in conditions
        else "controlled"
        if "hypertension_controlled" in conditions
        else None
    )
    baseline = draw_baseline(rng, hypertension=hypertension, older=age >= 65)
    systolic = round(baseline.systolic + rng.gauss(2, 5))
    office = (systolic, min(round(baseline.diastolic + rng.gauss(1, 4)), systolic - 20))
    chart_row(
        OfficeVitals,
        nurse,
        at=registered,
        systolic=office[0],
        diastolic=office[1],
        heart_rate=round(baseline.heart_rate),
        spo2=baseline.spo2,
    )
    # [D] adult weights, within DOSE-IV-WEIGHT's limits whatever the clinic set.
    low = max(45, run.settings.value("DOSE-IV-WEIGHT", "minimum_kg"))
    high = min(160, run.settings.value("DOSE-IV-WEIGHT", "maximum_kg"))
    weight = max(low, min(high, rng.gauss(80, 17)))
    chart_row(WeightMeasurement, nurse, weight_kg=decimal1(weight), measured_on=registered_on)

    consented = percent(rng, rates.CONSENT_PERCENT)
    if consented:
        sink.add(
            Consent,
            id=sink.new_id(Consent),
            clinic_id=clinic.id,
            patient_id=patient_id,
            recorded_by_id=coordinator,
            created_at=registered,
            document=TREATMENT_CONSENT,
            version=CONSENT_VERSION,
            signed_on=registered_on,
            signed_by="the patient",
        )
    item9 = rng.choice((1, 1, 2)) if percent(rng, rates.SUICIDAL_ITEM_PERCENT) else 0
    total = clamp(rng.gauss(18, 4), (6, 27))
    phq9 = phq9_answers(rng, total, item9)
    add_assessment(
        sink,
        clinic_id=clinic.id,
        patient_id=patient_id,
        by=nurse,
        instrument="phq9",
        answers=list(phq9),
        at=registered,
    )
    story = Story(
        patient_id=patient_id,
        date_of_birth=born,
        sex=sex,
        registered=registered,
        baseline=baseline,
        weight_kg=float(decimal1(weight)),
        consented=consented,
        phq9=phq9,
    )

    reviewed_on = registered_on + dt.timedelta(days=rng.randrange(3, 22))
    if reviewed_on >= run.today or not percent(rng, rates.REVIEWED_PERCENT):
        return story  # still awaiting review
    reviewed_at = _moment(run, reviewed_on, rng)
    madrs_total = None
    if percent(rng, rates.MADRS_PERCENT):
        madrs_total = clamp(rng.gauss(30, 6), (12, 50))
        add_assessment(
            sink,
            clinic_id=clinic.id,
            patient_id=patient_id,
            by=prescriber,
            instrument="madrs",
            answers=madrs_answers(rng, madrs_total),
            at=reviewed_at - dt.timedelta(minutes=30),
        )
    routes = {r: w for r, w in rates.ROUTE_WEIGHTS.items() if r in clinic.routes}
    route = str(weighted(rng, routes))
    facts = {
        "age": age_on(born, reviewed_on),
        "diagnosis": diagnosis,
        "failed_adequate_trials": failed_adequate_trials(trials),
        "phq9": list(phq9),
        "madrs_total": madrs_total,
        "blood_pressure": {"systolic": office[0], "diastolic": office[1]},
        "conditions": sorted(set(conditions) | set(conditions_from_medications(classes))),
        "pregnant": pregnant,
        "breastfeeding": False,
    }
    result = screen_chart({"route": route, **facts})
    decision = result.decision.value
    if decision == "not_eligible":
        signed, note = "not_eligible", "The screen names an exclusion; other options discussed."
    elif decision == "needs_review" and percent(rng, rates.NOT_ELIGIBLE_OVER_REVIEW_PERCENT):
        signed, note = "not_eligible", "Benefit does not outweigh the risks named by the screen."
    else:
        signed = "eligible"
        note = (
            "Rules needing review discussed with the patient; benefit judged to outweigh risk."
            if decision == "needs_review"
            else "Screen reviewed with the patient; benefits and risks discussed."
        )
    sink.add(
        CareNote,
        id=(note_id := sink.new_id(CareNote)),
        clinic_id=clinic.id,
        patient_id=patient_id,
        recorded_by_id=prescriber,
        created_at=reviewed_at - dt.timedelta(minutes=20),
        thread_id=note_id,
        title="Initial evaluation",
        text="Referred for treatment-resistant depression. History, medications and the "
        "treatment options reviewed with the patient, with the monitoring and no-driving rules.",
        signed_at=reviewed_at - dt.timedelta(minutes=20),
    )
    review_id = sink.new_id(EligibilityReview)
    sink.add(
        EligibilityReview,
        id=review_id,
        clinic_id=clinic.id,
        patient_id=patient_id,
        route=route,
        decision=signed,
        screen_decision=decision,
        screen=result.as_document(),
        chart_snapshot=facts,
        findings="History, medications and vitals reviewed with the patient.",
        note=note,
        signed_by_id=prescriber,
        signed_at=reviewed_at,
    )
    if signed != "eligible":
        return story
    return Story(
        **{**story.__dict__, "route": route, "review_id": review_id, "reviewed_at": reviewed_at}
    )
