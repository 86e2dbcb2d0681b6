"""A test per role and action of the JSON API (issue 8, point 7).

`ACTIONS` maps every route of /api/v1/ to the permissions it needs; the expected answer of each
role of clinic A comes from `ROLE_PERMISSIONS` at run time, so a change of the role table flows
through: 2xx when the role holds every permission the action needs, else exactly 403
`{"detail": ...}` with nothing stored and one denied audit event naming a permission it lacks.
Bob (clinic B's admin) gets 404 on each of them, the clinic named where the path names none.

Two guards keep the table whole: every route the API serves has a row (a new endpoint without
one fails), and every permission the API's apps check appears in some row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from ketacare.api.site import api
from ketacare.audit.models import AuditEvent
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.clinics.models import Role
from ketacare.clinics.permissions import ROLE_PERMISSIONS, Permission

P = Permission
VIEW = P.VIEW_PATIENT
PREFIX = "/api/v1"

# The named people of tests/conftest.py, one per role of clinic A.
ROLE_FIXTURES = {
    Role.CLINIC_ADMIN: "adam",
    Role.PRESCRIBER: "alice",
    Role.NURSE: "nora",
    Role.COORDINATOR: "cora",
    Role.AUDITOR: "audrey",
}

# Routes no permission decides: who the caller is.
UNGUARDED_ROUTES = {("GET", "/api/v1/me")}
# Routes without sign-in: the patient's link is its own credential (tests/outcomes/test_links.py).
PUBLIC_ROUTES = {
    ("POST", "/api/v1/responses/{token}"),
    # The public intake request (tests/public/test_intake_request.py).
    ("POST", "/api/v1/public/clinics/{clinic_id}/intake-requests"),
    # The self-check and the clinic finder (tests/public/test_self_check.py, test_finder.py).
    ("POST", "/api/v1/public/self-check"),
    ("GET", "/api/v1/public/clinics"),
}
# Permissions of the role table that no API route checks (pages and admin only).
# Pages only: the admin site, the clinic's details and listing, the audit report, and the release of
# a progress report (a PDF handed to a referring clinician from the chart).
NOT_IN_API = {P.USE_ADMIN, P.CHANGE_CLINIC, P.VIEW_AUDIT_REPORT, P.RELEASE_REPORT}
# Where the API's use cases check permissions.
API_APPS = ("patients", "intake", "screening", "treatment", "staff", "chair", "outcomes")
SOURCE = Path(__file__).resolve().parents[2] / "src" / "ketacare"
# Tables a refused request must leave exactly as they were (rows and values).
SNAPSHOT_APPS = (
    "patients",
    "intake",
    "screening",
    "treatment",
    "chair",
    "outcomes",
    "clinics",
    "staff",
    "otp_totp",
)

IV_ORDER = {
    "dose_mg_per_kg": DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg"),
    "duration_min": DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min"),
}


@dataclass
class World:
    """Clinic A with one of everything the API acts on."""

    clinic: Any
    patient: Any
    condition_code: str
    allergy_id: int
    medication_id: int
    consent_id: int
    note_id: int
    review_id: int
    intake: Any
    plan: Any
    session: Any
    colleague: Any
    next_monday: dt.date
    # Eligible for IV and without a plan: a patient has one active plan at most.
    unplanned: Any
    # A discharged esketamine session and its REMS form (tests/chair/rems_data.py).
    rems_session: Any
    rems_form: Any
    # Sessions dated today at each step of the chair (tests/chair/matrix.py).
    chair: Any
    # What the patient wrote through a questionnaire link (outcomes).
    patient_report_id: int = 0
    # An open suicidality alert of the patient (outcomes, SAFE-ITEM9).
    outcome_alert_id: int = 0


@dataclass(frozen=True)
class Act:
    """One action: its route (as the OpenAPI schema names it), what it needs, one valid call."""

    name: str
    method: str
    route: str
    needs: frozenset[Permission]
    path: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None
    ok: int = 200

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def act(
    name: str,
    method: str,
    route: str,
    needs: set[Permission],
    path: Callable[[World], str],
    body: Callable[[World], dict[str, Any]] | None = None,
    ok: int | None = None,
) -> Act:
    default_ok = 201 if method == "POST" else 200
    return Act(name, method, PREFIX + route, frozenset(needs), path, body, ok or default_ok)


def _patient(w: World, tail: str = "") -> str:
    return f"/patients/{w.patient.pk}{tail}"


def _new_patient(w: World) -> dict[str, Any]:
    return {
        "clinic_id": w.clinic.pk,
        "given_name": "Robin",
        "family_name": "Matrix",
        "date_of_birth": "1984-05-06",
        "sex_at_birth": "female",
    }


ACTIONS: list[Act] = [
    # --- patients (contracts 2.1) ---
    act("register a patient", "POST", "/patients", {P.ADD_PATIENT}, lambda w: "/patients",
        _new_patient),
    act("register a patient with a diagnosis", "POST", "/patients",
        {P.ADD_PATIENT, P.CHART_CLINICAL}, lambda w: "/patients",
        lambda w: {**_new_patient(w), "diagnosis": "mdd"}),
    act("list patients", "GET", "/patients", {P.VIEW_PATIENT_LIST}, lambda w: "/patients",
        lambda w: {"clinic_id": w.clinic.pk, "q": ""}),
    act("read the chart", "GET", "/patients/{patient_id}", {VIEW}, _patient),
    act("correct demographics", "PATCH", "/patients/{patient_id}", {VIEW, P.CHANGE_PATIENT},
        _patient, lambda w: {"version": w.patient.version, "phone": "617-555-0142"}),
    act("record pregnancy status on the record", "PATCH", "/patients/{patient_id}",
        {VIEW, P.CHART_CLINICAL}, _patient,
        lambda w: {"version": w.patient.version, "pregnant": False, "breastfeeding": False,
                   "pregnancy_status_on": timezone.localdate().isoformat()}),
    act("correct demographics and the diagnosis at once", "PATCH", "/patients/{patient_id}",
        {VIEW, P.CHANGE_PATIENT, P.CHART_CLINICAL}, _patient,
        lambda w: {"version": w.patient.version, "phone": "617-555-0143",
                   "psychiatric_history": "Two episodes."}),
    # --- chart sections ---
    act("list weights", "GET", "/patients/{patient_id}/weights", {VIEW, P.VIEW_CLINICAL},
        lambda w: _patient(w, "/weights")),
    act("record a weight", "POST", "/patients/{patient_id}/weights", {VIEW, P.CHART_CLINICAL},
        lambda w: _patient(w, "/weights"), lambda w: {"weight_kg": 71.5}),
    act("list office vitals", "GET", "/patients/{patient_id}/vitals", {VIEW, P.VIEW_CLINICAL},
        lambda w: _patient(w, "/vitals")),
    act("record office vitals", "POST", "/patients/{patient_id}/vitals",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, "/vitals"),
        lambda w: {"systolic": 124, "diastolic": 78, "heart_rate": 70, "spo2": 98}),
    act("list conditions", "GET", "/patients/{patient_id}/conditions", {VIEW, P.VIEW_CLINICAL},
        lambda w: _patient(w, "/conditions")),
    act("chart a condition", "POST", "/patients/{patient_id}/conditions",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, "/conditions"),
        lambda w: {"code": "obstructive_sleep_apnea"}),
    act("resolve a condition", "DELETE", "/patients/{patient_id}/conditions/{code}",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, f"/conditions/{w.condition_code}")),
    act("list allergies", "GET", "/patients/{patient_id}/allergies", {VIEW, P.VIEW_CLINICAL},
        lambda w: _patient(w, "/allergies")),
    act("chart an allergy", "POST", "/patients/{patient_id}/allergies", {VIEW, P.CHART_CLINICAL},
        lambda w: _patient(w, "/allergies"), lambda w: {"substance": "Latex"}),
    act("mark an allergy inactive", "DELETE", "/patients/{patient_id}/allergies/{allergy_id}",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, f"/allergies/{w.allergy_id}")),
    act("list medications", "GET", "/patients/{patient_id}/medications",
        {VIEW, P.VIEW_CLINICAL}, lambda w: _patient(w, "/medications")),
    act("chart a medication", "POST", "/patients/{patient_id}/medications",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, "/medications"),
        lambda w: {"name": "Lorazepam", "medication_class": "benzodiazepine"}),
    act("stop a medication", "POST",
        "/patients/{patient_id}/medications/{medication_id}/stop", {VIEW, P.CHART_CLINICAL},
        lambda w: _patient(w, f"/medications/{w.medication_id}/stop"), lambda w: {}, ok=200),
    act("list consents", "GET", "/patients/{patient_id}/consents", {VIEW},
        lambda w: _patient(w, "/consents")),
    act("record a consent", "POST", "/patients/{patient_id}/consents",
        {VIEW, P.RECORD_CONSENT}, lambda w: _patient(w, "/consents"),
        lambda w: {"document": "ketamine_treatment", "version": "2026-02",
                   "signed_on": timezone.localdate().isoformat()}),
    act("withdraw a consent", "POST",
        "/patients/{patient_id}/consents/{consent_id}/withdraw", {VIEW, P.RECORD_CONSENT},
        lambda w: _patient(w, f"/consents/{w.consent_id}/withdraw"), lambda w: {}, ok=200),
    act("read the consent status", "GET", "/patients/{patient_id}/consent-status", {VIEW},
        lambda w: _patient(w, "/consent-status")),
    act("list antidepressant trials", "GET", "/patients/{patient_id}/antidepressant-trials",
        {VIEW, P.VIEW_CLINICAL}, lambda w: _patient(w, "/antidepressant-trials")),
    act("add an antidepressant trial", "POST", "/patients/{patient_id}/antidepressant-trials",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, "/antidepressant-trials"),
        lambda w: {"drug": "escitalopram", "daily_dose_mg": 20, "weeks": 8, "adequate": True,
                   "outcome": "nonresponse", "current_episode": True}),
    act("list assessments", "GET", "/patients/{patient_id}/assessments",
        {VIEW, P.VIEW_CLINICAL}, lambda w: _patient(w, "/assessments")),
    act("record an assessment", "POST", "/patients/{patient_id}/assessments",
        {VIEW, P.CHART_CLINICAL}, lambda w: _patient(w, "/assessments"),
        lambda w: {"instrument": "phq9", "answers": [2, 2, 2, 2, 1, 1, 2, 1, 0]}),
    act("read a patient's outcomes on a scale", "GET", "/patients/{patient_id}/outcomes",
        {VIEW, P.VIEW_CLINICAL}, lambda w: _patient(w, "/outcomes"),
        lambda w: {"instrument": "phq9"}),
    act("list care-team notes", "GET", "/patients/{patient_id}/notes", {VIEW, P.VIEW_CLINICAL},
        lambda w: _patient(w, "/notes")),
    act("sign a care-team note", "POST", "/patients/{patient_id}/notes", {VIEW, P.SIGN_NOTE},
        lambda w: _patient(w, "/notes"), lambda w: {"title": "Call", "text": "Spoke today."}),
    act("amend a care-team note", "POST", "/patients/{patient_id}/notes/{note_id}/amendments",
        {VIEW, P.SIGN_NOTE}, lambda w: _patient(w, f"/notes/{w.note_id}/amendments"),
        lambda w: {"text": "Spoke today, twice.", "reason": "Second call"}),
    # --- eligibility (contracts 2.2) ---
    act("screen the chart", "GET", "/patients/{patient_id}/screen", {VIEW, P.VIEW_ELIGIBILITY},
        lambda w: _patient(w, "/screen"), lambda w: {"route": "iv_ketamine"}),
    act("sign an eligibility review", "POST", "/patients/{patient_id}/eligibility-reviews",
        {VIEW, P.SIGN_ELIGIBILITY}, lambda w: _patient(w, "/eligibility-reviews"),
        lambda w: {"route": "oral_ketamine", "decision": "not_eligible", "note": "Reviewed."}),
    act("list a patient's reviews", "GET", "/patients/{patient_id}/eligibility-reviews",
        {VIEW, P.VIEW_ELIGIBILITY}, lambda w: _patient(w, "/eligibility-reviews")),
    act("read a review", "GET", "/eligibility-reviews/{review_id}", {P.VIEW_ELIGIBILITY},
        lambda w: f"/eligibility-reviews/{w.review_id}"),
    # --- intake queue ---
    act("list the intake queue", "GET", "/intake-requests", {P.VIEW_INTAKE},
        lambda w: "/intake-requests", lambda w: {"clinic_id": w.clinic.pk}),
    act("enter an intake request", "POST", "/intake-requests", {P.MANAGE_INTAKE},
        lambda w: "/intake-requests",
        lambda w: {"clinic_id": w.clinic.pk, "name": "Sam Caller", "phone": "617-555-0177",
                   "preferred_contact": "phone"}),
    act("read an intake request", "GET", "/intake-requests/{intake_request_id}",
        {P.VIEW_INTAKE}, lambda w: f"/intake-requests/{w.intake.pk}"),
    act("move an intake request on", "PATCH", "/intake-requests/{intake_request_id}",
        {P.MANAGE_INTAKE}, lambda w: f"/intake-requests/{w.intake.pk}",
        lambda w: {"version": w.intake.version, "status": "contacted"}),
    act("register the patient of an intake request", "POST",
        "/intake-requests/{intake_request_id}/register", {P.MANAGE_INTAKE, P.ADD_PATIENT},
        lambda w: f"/intake-requests/{w.intake.pk}/register",
        lambda w: {"version": w.intake.version, "given_name": "Sam", "family_name": "Caller",
                   "date_of_birth": "1979-03-04", "sex_at_birth": "male"}),
    act("register the patient of an intake request with a diagnosis", "POST",
        "/intake-requests/{intake_request_id}/register",
        {P.MANAGE_INTAKE, P.ADD_PATIENT, P.CHART_CLINICAL},
        lambda w: f"/intake-requests/{w.intake.pk}/register",
        lambda w: {"version": w.intake.version, "given_name": "Sam", "family_name": "Caller",
                   "date_of_birth": "1979-03-04", "sex_at_birth": "male", "diagnosis": "mdd"}),
    # --- treatment plans and the schedule ---
    act("create a plan", "POST", "/patients/{patient_id}/plans", {VIEW, P.SIGN_PLAN},
        lambda w: f"/patients/{w.unplanned.pk}/plans",
        lambda w: {"protocol": "iv_induction_3x_weekly", "start": w.next_monday.isoformat(),
                   "order": IV_ORDER}),
    act("list a patient's plans", "GET", "/patients/{patient_id}/plans", {VIEW, P.VIEW_PLAN},
        lambda w: _patient(w, "/plans")),
    act("read a plan", "GET", "/plans/{plan_id}", {P.VIEW_PLAN}, lambda w: f"/plans/{w.plan.pk}"),
    act("sign a changed order", "POST", "/plans/{plan_id}/orders", {P.SIGN_PLAN},
        lambda w: f"/plans/{w.plan.pk}/orders",
        lambda w: {**IV_ORDER, "duration_min": 45, "reason": "Slower infusion",
                   "version": w.plan.version}),
    act("end a plan", "POST", "/plans/{plan_id}/end", {P.SIGN_PLAN},
        lambda w: f"/plans/{w.plan.pk}/end",
        lambda w: {"reason": "Course stopped", "version": w.plan.version}, ok=200),
    act("list a patient's sessions", "GET", "/patients/{patient_id}/sessions",
        {VIEW, P.VIEW_SCHEDULE}, lambda w: _patient(w, "/sessions")),
    act("read the clinic's schedule", "GET", "/schedule", {P.VIEW_SCHEDULE},
        lambda w: "/schedule", lambda w: {"clinic_id": w.clinic.pk}),
    act("move a session", "POST", "/sessions/{session_id}/reschedule", {P.SCHEDULE_SESSION},
        lambda w: f"/sessions/{w.session.pk}/reschedule",
        lambda w: {"date": (w.session.date + dt.timedelta(days=7)).isoformat(),
                   "reason": "Patient asked", "version": w.session.version}, ok=200),
    act("cancel a session", "POST", "/sessions/{session_id}/cancel", {P.SCHEDULE_SESSION},
        lambda w: f"/sessions/{w.session.pk}/cancel",
        lambda w: {"reason": "Patient travelling", "version": w.session.version}, ok=200),
    # --- REMS forms (contracts 2.3, SAFE-REMS-FORM) ---
    act("download a REMS form", "GET", "/sessions/{session_id}/rems-form.pdf", {P.VIEW_SESSION},
        lambda w: f"/sessions/{w.rems_session.pk}/rems-form.pdf"),
    act("list the REMS forms", "GET", "/rems-forms", {P.VIEW_SESSION}, lambda w: "/rems-forms",
        lambda w: {"clinic_id": w.clinic.pk, "status": "due"}),
    act("mark a REMS form submitted", "POST", "/rems-forms/{form_id}/submitted",
        {P.SUBMIT_REMS_FORM}, lambda w: f"/rems-forms/{w.rems_form.pk}/submitted",
        lambda w: {"version": w.rems_form.version}, ok=200),
    # --- the nurse board (contracts 2.3) ---
    act("read the nurse board", "GET", "/board", {P.VIEW_SESSION}, lambda w: "/board",
        lambda w: {"clinic_id": w.clinic.pk}),
    # --- sessions at the chair (contracts 2.3) ---
    act("read a session at the chair", "GET", "/sessions/{session_id}", {P.VIEW_SESSION},
        lambda w: f"/sessions/{w.chair.dosed.pk}"),
    act("record the pre-dose checks", "POST", "/sessions/{session_id}/pre-dose",
        {P.CHART_SESSION}, lambda w: f"/sessions/{w.chair.scheduled.pk}/pre-dose",
        lambda w: {"systolic": 124, "diastolic": 80, "heart_rate": 70, "spo2": 98,
                   "checklist": {"identity_confirmed": True, "consent_current": True}}, ok=200),
    act("decide to dose over a hold", "POST", "/sessions/{session_id}/proceed",
        {P.DECIDE_SESSION}, lambda w: f"/sessions/{w.chair.held.pk}/proceed",
        lambda w: {"reason": "Benefit outweighs a transient rise."}, ok=200),
    act("give the dose", "POST", "/sessions/{session_id}/dose", {P.CHART_SESSION},
        lambda w: f"/sessions/{w.chair.ready.pk}/dose", lambda w: {"lot_number": "LOT-7"}, ok=200),
    act("record the IV count", "POST", "/sessions/{session_id}/count", {P.CHART_SESSION},
        lambda w: f"/sessions/{w.chair.dosed.pk}/count",
        lambda w: {"drawn_mg": 40, "wasted_mg": 5, "witness_id": w.chair.colleague_id}, ok=200),
    act("witness the IV count", "POST", "/sessions/{session_id}/witness", {P.CHART_SESSION},
        lambda w: f"/sessions/{w.chair.counted.pk}/witness", lambda w: {}, ok=200),
    act("record a reading", "POST", "/sessions/{session_id}/readings", {P.CHART_SESSION},
        lambda w: f"/sessions/{w.chair.dosed.pk}/readings",
        lambda w: {"systolic": 126, "diastolic": 78, "spo2": 98, "moaas": 5}),
    act("acknowledge an alert", "POST", "/alerts/{alert_id}/acknowledge", {P.CHART_SESSION},
        lambda w: f"/alerts/{w.chair.alert.pk}/acknowledge",
        lambda w: {"note": "Re-checked; falling."}, ok=200),
    act("record a side effect", "POST", "/sessions/{session_id}/side-effects",
        {P.CHART_SESSION}, lambda w: f"/sessions/{w.chair.dosed.pk}/side-effects",
        lambda w: {"term": "dizziness", "grade": 1, "serious": False}),
    act("resolve a side effect", "PATCH", "/side-effects/{side_effect_id}", {P.CHART_SESSION},
        lambda w: f"/side-effects/{w.chair.side_effect.pk}",
        lambda w: {"resolved_at": timezone.now().isoformat(), "version": 1}),
    act("discharge", "POST", "/sessions/{session_id}/discharge", {P.CHART_SESSION},
        lambda w: f"/sessions/{w.chair.dosed.pk}/discharge",
        lambda w: {"attestations": {"dissociation_resolved": True,
                                    "no_driving_instructed": True}}, ok=200),
    act("amend a discharged session", "POST", "/sessions/{session_id}/amendments",
        {P.CHART_SESSION}, lambda w: f"/sessions/{w.chair.discharged.pk}/amendments",
        lambda w: {"text": "Escort confirmed the patient got home."}),
    # --- staff ---
    act("list the staff", "GET", "/staff", {P.MANAGE_MEMBERSHIPS}, lambda w: "/staff",
        lambda w: {"clinic_id": w.clinic.pk}),
    act("invite a colleague", "POST", "/staff/invitations", {P.MANAGE_MEMBERSHIPS},
        lambda w: "/staff/invitations",
        lambda w: {"clinic_id": w.clinic.pk, "email": "newhire@example.org",
                   "given_name": "New", "family_name": "Hire", "role": "nurse"}),
    act("change a colleague's role", "PATCH", "/staff/{membership_id}", {P.MANAGE_MEMBERSHIPS},
        lambda w: f"/staff/{w.colleague.pk}", lambda w: {"role": "coordinator"}),
    act("reset a colleague's authenticator", "POST", "/staff/{membership_id}/authenticator-reset",
        {P.MANAGE_MEMBERSHIPS}, lambda w: f"/staff/{w.colleague.pk}/authenticator-reset",
        lambda w: {"reason": "Lost phone"}, ok=200),
    # --- patient links and what patients report through them (contracts 2.4) ---
    act("make a questionnaire link", "POST", "/patients/{patient_id}/assessment-links",
        {VIEW, P.SEND_ASSESSMENT_LINK}, lambda w: _patient(w, "/assessment-links"),
        lambda w: {"instrument": "phq9", "expires_in_hours": 24}),
    act("list what the patient reported", "GET", "/patients/{patient_id}/patient-reports",
        {VIEW, P.VIEW_CLINICAL}, lambda w: _patient(w, "/patient-reports")),
    act("mark a patient's report reviewed", "POST",
        "/patients/{patient_id}/patient-reports/{report_id}/review", {VIEW, P.CHART_CLINICAL},
        lambda w: _patient(w, f"/patient-reports/{w.patient_report_id}/review"),
        lambda w: {"note": "Called back."}, ok=200),
    # --- follow-up of patient scales and "send now" (docs/reminders.md) ---
    act("list the follow-up", "GET", "/follow-up", {P.VIEW_FOLLOWUP}, lambda w: "/follow-up",
        lambda w: {"clinic_id": w.clinic.pk, "status": "due"}),
    act("e-mail a timepoint's link now", "POST", "/timepoints/{timepoint_id}/send",
        {P.SEND_ASSESSMENT_LINK}, lambda w: f"/timepoints/{_patient_timepoint(w)}/send"),
    # --- outcome alerts (docs/measurement-schedule.md) ---
    act("list the outcome alerts", "GET", "/outcome-alerts", {P.VIEW_CLINICAL},
        lambda w: "/outcome-alerts", lambda w: {"clinic_id": w.clinic.pk, "open": "true"}),
    act("acknowledge an outcome alert", "POST", "/outcome-alerts/{alert_id}/acknowledge",
        {P.ACKNOWLEDGE_OUTCOME_ALERT},
        lambda w: f"/outcome-alerts/{w.outcome_alert_id}/acknowledge",
        lambda w: {"note": "Called; safety plan reviewed."}, ok=200),
    # --- clinic outcomes (docs/clinic-outcomes.md) ---
    act("read the clinic's outcomes", "GET", "/outcomes", {P.VIEW_CLINIC_OUTCOMES},
        lambda w: "/outcomes", lambda w: {"clinic_id": w.clinic.pk, "route": "iv_ketamine"}),
]  # fmt: skip


def _patient_timepoint(w: World) -> int:
    """The plan's first timepoint a patient answers (the schedule lays them out with the plan)."""
    from ketacare.outcomes.models import Timepoint

    return Timepoint.objects.filter(plan=w.plan, audience="patient").order_by("due_on", "pk")[0].pk


def _outcome_alert(patient: Any, nurse: Any) -> int:
    """A PHQ-9 with item 9 above zero, entered by the nurse: its SAFE-ITEM9 alert."""
    from ketacare.outcomes.models import OutcomeAlert
    from ketacare.patients.services.records import record_assessment

    flagged = record_assessment(
        by=nurse, patient=patient, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1]
    )
    return OutcomeAlert.objects.get(assessment=flagged).pk


def _id(value: object) -> str:
    return value.name.replace(" ", "_").replace("'", "") if isinstance(value, Act) else str(value)


def allowed(role: str, action: Act) -> bool:
    return action.needs <= ROLE_PERMISSIONS[role]


# --- the world and the calls ---------------------------------------------------------------


@pytest.fixture
def world(request, clinic_a, alice, nora) -> World:
    from ketacare.outcomes.links import issue_link
    from ketacare.outcomes.models import PatientReport
    from ketacare.outcomes.responses import submit_answers
    from ketacare.treatment.models import TreatmentSession
    from ketacare.treatment.services import create_plan
    from tests.accounts.helpers import confirmed_device
    from tests.chair.matrix import build_chair_world
    from tests.chair.rems_data import discharged_session
    from tests.factories import (
        AllergyFactory,
        AntidepressantTrialFactory,
        AssessmentFactory,
        CareNoteFactory,
        ConditionFactory,
        ConsentFactory,
        EligibilityReviewFactory,
        IntakeRequestFactory,
        MedicationFactory,
        MembershipFactory,
        OfficeVitalsFactory,
        PatientFactory,
        UserFactory,
        WeightMeasurementFactory,
    )

    patient = PatientFactory(clinic=clinic_a, date_of_birth=dt.date(1980, 1, 1), diagnosis="mdd")
    WeightMeasurementFactory(patient=patient)
    OfficeVitalsFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient)
    AssessmentFactory(patient=patient)
    condition = ConditionFactory(patient=patient)
    review = EligibilityReviewFactory(patient=patient, signed_by=alice.user)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    plan = create_plan(patient=patient, protocol="iv_induction_3x_weekly", start=monday,
                       order=IV_ORDER, by=alice)  # fmt: skip
    unplanned = PatientFactory(clinic=clinic_a, date_of_birth=dt.date(1975, 3, 4), diagnosis="mdd")
    EligibilityReviewFactory(patient=unplanned, signed_by=alice.user)
    colleague = MembershipFactory(
        user=UserFactory(username="nina"), clinic=clinic_a, role=Role.NURSE
    )
    confirmed_device(colleague.user)
    rems_session = discharged_session(clinic_a, colleague, alice)
    issued = issue_link(by=alice, patient=patient, instrument="phq2")
    submit_answers(issued.token, [0, 1], "Slept badly after the session.", client=None)
    # Only the witness named on a count confirms it: name the role's own person where it charts.
    callspec = getattr(request.node, "callspec", None)
    role = callspec.params.get("role") if callspec is not None else None
    witness = alice if role == Role.PRESCRIBER else nora
    chair = build_chair_world(
        clinic_a, giver=nora if witness is alice else alice, witness=witness, colleague=colleague
    )
    return World(
        clinic=clinic_a,
        patient=patient,
        condition_code=condition.code,
        allergy_id=AllergyFactory(patient=patient).pk,
        medication_id=MedicationFactory(patient=patient).pk,
        consent_id=ConsentFactory(patient=patient).pk,
        note_id=CareNoteFactory(patient=patient).pk,
        review_id=review.pk,
        intake=IntakeRequestFactory(clinic=clinic_a),
        plan=plan,
        session=TreatmentSession.objects.filter(plan=plan).order_by("-number").first(),
        colleague=colleague,
        next_monday=monday + dt.timedelta(weeks=4),
        unplanned=unplanned,
        rems_session=rems_session,
        rems_form=rems_session.rems_form,
        chair=chair,
        patient_report_id=PatientReport.objects.get(link=issued.link).pk,
        outcome_alert_id=_outcome_alert(patient, nora),
    )


def call(client, person, action: Act, w: World) -> Any:
    from ketacare.accounts.services import create_api_token

    token = create_api_token(user=person.user, name="matrix").value
    headers = {"Authorization": f"Bearer {token}"}
    path = PREFIX + action.path(w)
    data = action.body(w) if action.body is not None else None
    if action.method == "GET":
        return client.get(path, data or {}, headers=headers)
    return client.generic(
        action.method,
        path,
        "" if data is None else json.dumps(data),
        content_type="application/json",
        headers=headers,
    )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables a refused request must not touch."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    }


def events_of(person, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor_user_id=person.user_id, **filters))


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_FIXTURES), ids=str)
@pytest.mark.parametrize("action", ACTIONS, ids=_id)
def test_each_role_may_do_exactly_what_the_role_table_grants(request, client, world, action, role):
    person = request.getfixturevalue(ROLE_FIXTURES[role])
    before = snapshot()
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = call(client, person, action, world)

    new = AuditEvent.objects.filter(pk__gt=start, actor_user_id=person.user_id)
    if allowed(role, action):
        assert response.status_code == action.ok, response.content
        assert new.filter(allowed=True).exists(), "the action left no audit event"
        assert not new.filter(allowed=False).exists()
        return
    assert response.status_code == 403, response.content
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
    assert snapshot() == before, "a refused request changed stored data"
    denied = list(new.filter(allowed=False))
    assert len(denied) == 1, [(e.object_type, e.detail) for e in denied]
    (event,) = denied
    assert event.clinic_id == world.clinic.pk
    lacking = {p.value for p in action.needs - ROLE_PERMISSIONS[role]}
    assert event.detail.startswith("role_lacks:")
    assert event.detail.removeprefix("role_lacks:").split()[0] in lacking
    assert not new.filter(allowed=True).exists()


@pytest.mark.parametrize("action", ACTIONS, ids=_id)
def test_bob_of_clinic_b_gets_404_on_every_action_over_clinic_a(client, world, bob, action):
    before = snapshot()
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = call(client, bob, action, world)

    assert response.status_code == 404, response.content
    assert set(response.json()) == {"detail"}
    assert snapshot() == before
    new = AuditEvent.objects.filter(pk__gt=start, actor_user_id=bob.user_id)
    assert [e.allowed for e in new] == [False]
    assert new.get().detail.startswith("not_found_in_clinic")


# --- the table is whole --------------------------------------------------------------------


def test_the_matrix_names_a_fixture_for_every_role():
    assert set(ROLE_FIXTURES) == set(Role.values) == set(ROLE_PERMISSIONS)


def test_every_route_of_the_api_has_a_row_in_the_matrix():
    schema = api.get_openapi_schema()
    served = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith(PREFIX + "/")
    }
    covered = {(a.method, a.route) for a in ACTIONS}
    uncovered = served - UNGUARDED_ROUTES - PUBLIC_ROUTES - covered
    assert uncovered == set(), "routes without a row in ACTIONS"
    assert covered - served == set(), "rows for routes the API does not serve"


def test_every_permission_the_api_checks_has_a_row_and_the_rest_are_named():
    used_in_source = set()
    for app in API_APPS:
        for path in (SOURCE / app).rglob("*.py"):
            page_module = path.name.startswith(("views", "forms")) or path.name == "admin.py"
            if page_module or "migrations" in path.parts:
                continue
            used_in_source |= set(re.findall(r"Permission\.([A-Z_]+)", path.read_text()))
    in_rows = {p for a in ACTIONS for p in a.needs}
    assert {P[name] for name in used_in_source} - NOT_IN_API <= in_rows
    assert set(Permission) - in_rows == NOT_IN_API


# --- what the issue says of the roles, checked against the table ------------------------------


def test_the_auditor_writes_nothing_and_reads_every_record_but_the_staff_list_and_outcomes():
    for action in ACTIONS:
        # The clinic's outcomes are for prescribers and clinic admins (contracts 2.4).
        not_auditors = {P.MANAGE_MEMBERSHIPS, P.VIEW_CLINIC_OUTCOMES}
        reads_records = not action.writes and not (not_auditors & set(action.needs))
        assert allowed(Role.AUDITOR, action) == reads_records, action.name


def test_a_nurse_charts_but_signs_no_review_order_or_plan():
    signs = {"sign an eligibility review", "create a plan", "sign a changed order", "end a plan"}
    charting = [a for a in ACTIONS if a.needs == {VIEW, P.CHART_CLINICAL}]
    assert len(charting) == 12
    assert all(allowed(Role.NURSE, a) for a in charting)
    assert not any(allowed(Role.NURSE, a) for a in ACTIONS if a.name in signs)


def test_a_coordinator_schedules_but_reads_no_clinical_section():
    for action in ACTIONS:
        desk_work = action.needs & {P.SCHEDULE_SESSION, P.MANAGE_INTAKE}
        if desk_work and P.CHART_CLINICAL not in action.needs:
            assert allowed(Role.COORDINATOR, action), action.name
        if action.needs & {P.VIEW_CLINICAL, P.VIEW_ELIGIBILITY, P.VIEW_PLAN}:
            assert not allowed(Role.COORDINATOR, action), action.name


# --- reads that show less to roles that read less ----------------------------------------------

CLINICAL_CHART_FIELDS = (
    "diagnosis",
    "pregnant",
    "breastfeeding",
    "weight_kg",
    "conditions",
    "failed_adequate_trials",
    "psychiatric_history",
)


@pytest.mark.parametrize("role", list(ROLE_FIXTURES), ids=str)
def test_the_chart_shows_clinical_fields_only_to_roles_that_read_the_clinical_chart(
    request, client, world, role
):
    person = request.getfixturevalue(ROLE_FIXTURES[role])
    read = act("read", "GET", "/patients/{patient_id}", {VIEW}, _patient)

    chart = call(client, person, read, world).json()

    clinical = P.VIEW_CLINICAL in ROLE_PERMISSIONS[role]
    shown = {name for name in CLINICAL_CHART_FIELDS if chart[name] is not None}
    assert shown == (set(CLINICAL_CHART_FIELDS) if clinical else set())
    assert chart["given_name"] == world.patient.given_name


@pytest.mark.parametrize("role", list(ROLE_FIXTURES), ids=str)
def test_sessions_show_the_dose_only_to_roles_that_read_plans(request, client, world, role):
    person = request.getfixturevalue(ROLE_FIXTURES[role])
    read = act("sessions", "GET", "/patients/{patient_id}/sessions", {VIEW}, _patient_sessions)

    items = call(client, person, read, world).json()["items"]

    assert items
    reads_plans = P.VIEW_PLAN in ROLE_PERMISSIONS[role]
    for item in items:
        assert (item["dose"] is not None, item["protocol_dose"] is not None) == (
            reads_plans,
            reads_plans,
        )


def _patient_sessions(w: World) -> str:
    return _patient(w, "/sessions")
