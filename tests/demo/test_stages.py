"""`ketacare demo` fills the Maple Street clinic with patients at every step of the path.

The demo runs once per class (`setUpTestData`), at a fixed moment on a Wednesday morning, and
each test looks at the result (rolled back after each test).
"""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.clinical.outcomes.series import Assessment as ScoredDay
from ketacare.clinical.outcomes.series import OutcomeSeries
from ketacare.clinical.outcomes.summary import OutcomeSummary, evaluate_outcomes
from ketacare.clinics.demo import DEMO_CLINICS
from ketacare.clinics.models import Clinic
from ketacare.demo.outcomes import COURSES, DEMO_LINK_OBJECT_TYPES, LINK_PATIENT
from ketacare.demo.stages import STAGES
from ketacare.intake.models import IntakeRequest
from ketacare.outcomes.links import is_open, usable_link
from ketacare.outcomes.models import AssessmentLink, OutcomeAlert, Timepoint
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
        # Each test starts with an empty outbox: keep what the demo e-mailed.
        cls.demo_mail = list(mail.outbox)

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
        models = (EligibilityReview, TreatmentPlan, TreatmentSession, IntakeRequest, Assessment)
        # But the questionnaire link it e-mails afresh each run (ketacare.demo.outcomes).
        events = AuditEvent.objects.exclude(object_type__in=DEMO_LINK_OBJECT_TYPES)
        counts = [m.objects.count() for m in models] + [events.count()]

        assert "nothing changed" in run_demo()

        assert counts == [m.objects.count() for m in models] + [events.count()]

    def test_everything_was_entered_by_the_demo_staff_on_the_command_line(self) -> None:
        events = AuditEvent.objects.filter(
            clinic_id=self.maple.pk, object_type="eligibility_review"
        )
        assert set(events.values_list("actor_username", flat=True)) == {"demo-prescriber"}
        assert set(events.values_list("channel", flat=True)) == {"cli"}

    # --- long-term results (ketacare.demo.outcomes) ---

    def _patient(self, number: int) -> Patient:
        return Patient.objects.get(clinic=self.maple, mrn=f"DEMO-{number:04d}")

    def _status(self, number: int) -> OutcomeSummary:
        answers = Assessment.objects.filter(patient=self._patient(number), instrument="phq9")
        series = OutcomeSeries(
            instrument="phq9",
            assessments=tuple(
                ScoredDay(date=timezone.localdate(a.completed_at), total=a.total)
                for a in answers.order_by("completed_at")
            ),
        )
        return evaluate_outcomes(series)

    def test_long_term_patients_answered_two_years_of_scales_at_their_timepoints(self) -> None:
        answered = Timepoint.objects.filter(clinic=self.maple, assessment__isnull=False)
        first = Assessment.objects.filter(patient=self._patient(20), timepoint__isnull=False)
        span = (
            first.order_by("-completed_at")[0].completed_at
            - first.order_by("completed_at")[0].completed_at
        )

        assert span.days >= 690
        assert answered.filter(instrument="phq9").count() >= 150
        assert answered.filter(instrument="qids_sr16").count() >= 150
        for timepoint in answered.select_related("assessment")[:200]:
            assert timepoint.assessment.instrument == timepoint.instrument
            assert timepoint.assessment.patient_id == timepoint.patient_id

    def test_outcomes_vary_as_the_courses_say_by_the_clinical_core(self) -> None:
        statuses = {number: self._status(number) for number in COURSES}

        assert statuses[20].remission.met and not statuses[20].relapse.met
        assert statuses[21].response.met and not statuses[21].remission.met
        assert not statuses[24].response.met
        assert statuses[22].relapse.met and statuses[26].relapse.met

    def test_item9_alerts_one_acknowledged_one_open_and_an_early_warning(self) -> None:
        suicidality = OutcomeAlert.objects.filter(clinic=self.maple, kind="suicidality")

        assert suicidality.get(patient=self._patient(27)).acknowledged_at is not None
        assert suicidality.get(patient=self._patient(28)).acknowledged_at is None
        assert OutcomeAlert.objects.filter(patient=self._patient(25), kind="early_warning").exists()

    def test_the_demo_emails_one_working_link_to_the_demo_patient(self) -> None:
        patient = self._patient(LINK_PATIENT)
        [message] = self.demo_mail
        token = message.body.split("/r/", 1)[1].split("/", 1)[0]

        assert message.to == [patient.email]
        assert f"e-mailed to the demo patient {patient.mrn}" in self.output
        assert patient.email not in self.output
        link = usable_link(token)
        assert link is not None and link.patient_id == patient.pk
        assert link.timepoint is not None and link.timepoint.assessment_id is None

    def test_a_second_run_emails_a_fresh_link_and_closes_the_first(self) -> None:
        first = AssessmentLink.objects.get(patient=self._patient(LINK_PATIENT))

        run_demo()

        first.refresh_from_db()
        assert len(mail.outbox) == 1 and not is_open(first)
        assert AssessmentLink.objects.filter(patient=first.patient_id).count() == 2
