"""factory-boy factories, one per model (style guide, "Tests")."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from faker import Faker

from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.patients.models import Patient
from ketacare.staff.tokens import digest_invitation_token

TEST_PASSWORD = "correct horse battery staple 42"
_FAKER = Faker()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    address_line = "1 Main Street"
    city = "Boston"
    state = "MA"
    zip_code = "02115"
    phone = "617-555-0100"
    offers_iv_ketamine = True
    offers_esketamine_nasal = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.NURSE


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = factory.Faker("first_name")
    # A real surname plus a number: tests that check a name is NOT on a page never meet it as
    # an ordinary word of the page ("Young", "May", "Price").
    family_name = factory.LazyAttributeSequence(lambda _, n: f"{_FAKER.last_name()}{n}")
    date_of_birth = factory.Faker(
        "date_between", start_date=dt.date(1940, 1, 1), end_date=dt.date(2005, 1, 1)
    )
    sex_at_birth = "female"


# --- patient chart (added by the chart helper) -----------------------------------------------
# Each chart record repeats its patient's clinic (the tenant key): pass `patient=` and the clinic
# follows.


class _ChartRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")


class WeightMeasurementFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.WeightMeasurement"

    weight_kg = 72.5
    measured_on = factory.LazyFunction(
        lambda: dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    )


class OfficeVitalsFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.OfficeVitals"

    at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    systolic = 128
    diastolic = 80
    heart_rate = 72
    spo2 = 98


class AllergyFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.Allergy"

    substance = factory.Sequence(lambda n: f"Substance {n}")
    reaction = "rash"
    severity = "mild"


class MedicationFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.Medication"

    name = factory.Sequence(lambda n: f"Medication {n}")
    medication_class = "antidepressant"
    dose = "20 mg daily"


class ConditionFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.Condition"

    code = "hypertension_controlled"


class AntidepressantTrialFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.AntidepressantTrial"

    drug = "sertraline"
    daily_dose_mg = 150
    weeks = 8
    adherence = "good"
    adequate = True
    outcome = "nonresponse"
    current_episode = True


class ConsentFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.Consent"

    document = "ketamine_treatment"
    version = "2026-01"
    signed_on = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2))
    signed_by = "patient"


class CareNoteFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.CareNote"

    title = "Progress note"
    text = "Seen today."
    signed_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))


class AssessmentFactory(_ChartRecordFactory):
    class Meta:
        model = "patients.Assessment"

    instrument = "phq9"
    answers = factory.LazyFunction(lambda: [2, 2, 2, 2, 1, 1, 2, 1, 0])
    total = 13
    severity = "moderate"
    flags = factory.LazyFunction(list)
    completed_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))


# --- intake (added by the intake helper) ------------------------------------------------------


class IntakeRequestFactory(factory.django.DjangoModelFactory):
    """A new request entered by staff; pass `clinic=` (and `status=`, `source=` as needed)."""

    class Meta:
        model = "intake.IntakeRequest"

    clinic = factory.SubFactory(ClinicFactory)
    source = "staff"
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    phone = "617-555-0199"
    preferred_contact = "phone"
    best_time = "Weekday mornings"
    message = "Asked about IV ketamine after two antidepressants."
    status = "new"
    closed_reason = factory.LazyAttribute(lambda o: "Not reachable" if o.status == "closed" else "")


# --- staff (added by the staff helper) --------------------------------------------------------


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation link; its token is `token` (pass `token=` to choose it)."""

    class Meta:
        model = "staff.Invitation"
        exclude = ("token",)

    membership = factory.SubFactory(MembershipFactory)
    clinic = factory.SelfAttribute("membership.clinic")
    token = factory.Sequence(lambda n: f"test-invitation-token-{n:08d}")
    token_sha256 = factory.LazyAttribute(lambda o: digest_invitation_token(o.token))
    expires_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=72))


class AuthenticatorResetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "staff.AuthenticatorReset"

    membership = factory.SubFactory(MembershipFactory)
    clinic = factory.SelfAttribute("membership.clinic")
    reason = "Lost phone"


# --- eligibility review (added by the screening helper) --------------------------------------
# A signed review as the service stores it: build it over a screen with
# `ketacare.screening.queries.chart_screen(patient, route)` for a real one; the default is an
# empty eligible screen. Rows are insert-only (the model refuses a save of an existing row).


class EligibilityReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.EligibilityReview"

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    route = "iv_ketamine"
    decision = "eligible"
    screen_decision = "eligible"
    screen = factory.LazyAttribute(
        lambda r: {"route": r.route, "decision": r.screen_decision, "rules": []}
    )
    chart_snapshot = factory.LazyFunction(dict)
    findings = ""
    note = ""
    signed_by = factory.SubFactory(UserFactory)
    signed_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    supersedes = None


# --- treatment (added by the treatment helper) -----------------------------------------------
# A plan over an eligible review of its route, its first signed order, and sessions; each row
# repeats its plan's clinic and patient. The service (`ketacare.treatment.services.create_plan`)
# is the way to build a real schedule; these are for reads, pages and query counts.


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment.TreatmentPlan"

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    protocol = "iv_induction_3x_weekly"
    route = "iv_ketamine"
    start = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC).date())
    clinic_days = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])
    review = factory.SubFactory(
        EligibilityReviewFactory,
        patient=factory.SelfAttribute("..patient"),
        route=factory.SelfAttribute("..route"),
    )
    created_by = factory.SubFactory(UserFactory)


class DoseOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment.DoseOrder"

    plan = factory.SubFactory(TreatmentPlanFactory)
    clinic = factory.SelfAttribute("plan.clinic")
    number = 1
    dose_mg_per_kg = "0.50"
    duration_min = 40
    signed_by = factory.SubFactory(UserFactory)
    signed_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class TreatmentSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "treatment.TreatmentSession"

    plan = factory.SubFactory(TreatmentPlanFactory)
    clinic = factory.SelfAttribute("plan.clinic")
    patient = factory.SelfAttribute("plan.patient")
    number = factory.Sequence(lambda n: n + 1)
    phase = "induction"
    date = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC).date())
    planned_date = factory.SelfAttribute("date")
    dose_text = "0.5 mg/kg over 40 min"
