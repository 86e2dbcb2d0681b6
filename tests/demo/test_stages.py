"""`ketacare demo` fills the Maple Street clinic with patients at every step of the path.

The demo runs once per class (`setUpTestData`), at a fixed moment on a Wednesday morning, and
each test looks at the result (rolled back after each test).
"""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.clinics.demo import DEMO_CLINICS
from ketacare.clinics.models import Clinic
from ketacare.demo.stages import STAGES
from ketacare.intake.models import IntakeRequest
from ketacare.patients.models import AntidepressantTrial, Assessment, Patient, WeightMeasurement
from ketacare.screening.models import EligibilityReview
from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession

MORNING = dt.datetime(2026, 11, 11, 11, 0, tzinfo=dt.UTC)  # a Wednesday


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--force", stdout=out)
    return out.getvalue()


def stage_of(patient: Patient) -> str:
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


@time_machine.travel(MORNING, tick=False)
class DemoStagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo()
        cls.maple = Clinic.objects.get(name=DEMO_CLINICS[0].name)

    def test_the_clinic_has_patients_at_every_stage(self) -> None:
        stages = {stage_of(p) for p in Patient.objects.filter(clinic=self.maple, is_active=True)}
        assert {
            "registered",
            "awaiting review",
            "reviewed",
            "in induction",
            "in maintenance",
        } <= stages
        statuses = set(
            IntakeRequest.objects.filter(clinic=self.maple).values_list("status", flat=True)
        )
        assert {"new", "contacted", "evaluation_scheduled", "closed"} <= statuses

    def test_charts_hold_trial_ledgers_conditions_scales_and_signed_reviews(self) -> None:
        charted = Patient.objects.filter(
            clinic=self.maple, pk__in=WeightMeasurement.objects.values("patient")
        )
        assert charted.count() >= len(STAGES) - 2
        for patient in charted:
            assert AntidepressantTrial.objects.filter(patient=patient).count() >= 2
            assert Assessment.objects.filter(patient=patient, instrument="phq9").exists()
        reviews = EligibilityReview.objects.filter(clinic=self.maple)
        assert set(reviews.values_list("decision", flat=True)) == {"eligible", "not_eligible"}
        for plan in TreatmentPlan.objects.filter(clinic=self.maple):
            review = plan.review
            assert review.decision == "eligible" and review.route == plan.route
            assert review.signed_at <= plan.orders.get(number=1).signed_at

    def test_past_sessions_are_done_todays_in_progress_and_later_ones_scheduled(self) -> None:
        today = timezone.localdate()
        sessions = TreatmentSession.objects.filter(clinic=self.maple)
        assert (
            not sessions.filter(date__lt=today)
            .exclude(status__in=("discharged", "cancelled"))
            .exists()
        )
        assert sessions.filter(date__lt=today, status="discharged").exists()
        assert not sessions.filter(date__gt=today).exclude(status="scheduled").exists()
        assert sessions.filter(date__gt=today).exists()
        assert sessions.filter(date=today, status__in=("in_chair", "dosed")).count() == 4

    def test_each_plan_has_its_one_signed_order(self) -> None:
        for plan in TreatmentPlan.objects.filter(clinic=self.maple):
            assert DoseOrder.objects.filter(plan=plan).count() == 1

    def test_the_second_clinic_stays_apart(self) -> None:
        lakeside = Clinic.objects.get(name=DEMO_CLINICS[1].name)
        for model in (EligibilityReview, TreatmentPlan, TreatmentSession, WeightMeasurement):
            assert not model.objects.filter(clinic=lakeside).exists()

    def test_a_second_run_changes_nothing(self) -> None:
        models = (AuditEvent, EligibilityReview, TreatmentPlan, TreatmentSession, IntakeRequest)
        counts = [m.objects.count() for m in models]

        assert "nothing changed" in run_demo()

        assert counts == [m.objects.count() for m in models]

    def test_everything_was_entered_by_the_demo_staff_on_the_command_line(self) -> None:
        events = AuditEvent.objects.filter(
            clinic_id=self.maple.pk, object_type="eligibility_review"
        )
        assert set(events.values_list("actor_username", flat=True)) == {"demo-prescriber"}
        assert set(events.values_list("channel", flat=True)) == {"cli"}
