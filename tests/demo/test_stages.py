"""`ketacare demo` fills the Maple Street clinic with patients at every step of the path."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.clinics.demo import DEMO_CLINICS
from ketacare.clinics.models import Clinic
from ketacare.demo.stages import STAGES
from ketacare.intake.models import IntakeRequest
from ketacare.patients.models import AntidepressantTrial, Assessment, Patient, WeightMeasurement
from ketacare.screening.models import EligibilityReview
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession


def _run_demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def maple(db, demo_mode):
    _run_demo()
    return Clinic.objects.get(name=DEMO_CLINICS[0].name)


def _stage_of(patient):
    reviews = EligibilityReview.objects.filter(patient=patient)
    plans = TreatmentPlan.objects.filter(patient=patient)
    if plans.exists():
        phases = set(
            TreatmentSession.objects.filter(
                plan__in=plans, date__lte=timezone.localdate()
            ).values_list("phase", flat=True)
        )
        return "in maintenance" if "maintenance" in phases else "in induction"
    if reviews.exists():
        return "reviewed"
    if WeightMeasurement.objects.filter(patient=patient).exists():
        return "awaiting review"
    return "registered"


def test_the_clinic_has_patients_at_every_stage(maple):
    stages = {_stage_of(p) for p in Patient.objects.filter(clinic=maple, is_active=True)}
    assert {"registered", "awaiting review", "reviewed", "in induction", "in maintenance"} <= stages
    statuses = set(IntakeRequest.objects.filter(clinic=maple).values_list("status", flat=True))
    assert {"new", "contacted", "evaluation_scheduled", "closed"} <= statuses


def test_charts_hold_trial_ledgers_conditions_scales_and_signed_reviews(maple):
    charted = Patient.objects.filter(
        clinic=maple, pk__in=WeightMeasurement.objects.values("patient")
    )
    assert charted.count() >= len(STAGES) - 2
    for patient in charted:
        assert AntidepressantTrial.objects.filter(patient=patient).count() >= 2
        assert Assessment.objects.filter(patient=patient, instrument="phq9").exists()
    reviews = EligibilityReview.objects.filter(clinic=maple)
    assert set(reviews.values_list("decision", flat=True)) == {"eligible", "not_eligible"}
    for plan in TreatmentPlan.objects.filter(clinic=maple):
        review = plan.review
        assert review.decision == "eligible" and review.route == plan.route
        assert review.signed_at <= plan.orders.get(number=1).signed_at
        assert DoseOrder.objects.filter(plan=plan).count() == 1


def test_past_sessions_are_done_and_future_ones_scheduled(maple):
    today = timezone.localdate()
    sessions = TreatmentSession.objects.filter(clinic=maple)
    assert sessions.filter(date__lt=today).exclude(status="discharged").count() == 0
    assert sessions.filter(date__gte=today).exclude(status="scheduled").count() == 0
    assert sessions.filter(date__gte=today).exists() and sessions.filter(date__lt=today).exists()


def test_the_second_clinic_stays_apart(maple):
    lakeside = Clinic.objects.get(name=DEMO_CLINICS[1].name)
    for model in (EligibilityReview, TreatmentPlan, TreatmentSession, WeightMeasurement):
        assert not model.objects.filter(clinic=lakeside).exists()


def test_a_second_run_changes_nothing(maple):
    counts = [
        m.objects.count()
        for m in (AuditEvent, EligibilityReview, TreatmentPlan, TreatmentSession, IntakeRequest)
    ]
    assert "nothing changed" in _run_demo()
    assert counts == [
        m.objects.count()
        for m in (AuditEvent, EligibilityReview, TreatmentPlan, TreatmentSession, IntakeRequest)
    ]


def test_everything_was_entered_by_the_demo_staff_on_the_command_line(maple):
    events = AuditEvent.objects.filter(clinic_id=maple.pk, object_type="eligibility_review")
    assert set(events.values_list("actor_username", flat=True)) == {"demo-prescriber"}
    assert set(events.values_list("channel", flat=True)) == {"cli"}
