"""Issue 8's "Done when", through the JSON API alone (contracts.md 2.1-2.2), with tokens only.

A clinic admin invites a colleague, a coordinator turns an intake request into a patient, a nurse
charts, and a prescriber reads the chart, screens it, signs an eligible review and creates a plan.
Each answer is checked against the contract's field names and status codes; the refusals of 2.2
(an exclusion signed eligible, an order outside the reference's limits) and the list bounds of
2.0 are checked beside it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.cli.conftest import run_ketacare

API = "/api/v1"
IV_ORDER = {
    "dose_mg_per_kg": DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg"),
    "duration_min": DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min"),
}
PHQ9_MODERATE = [2, 2, 2, 2, 1, 1, 2, 1, 0]  # total 13

# Contract field names (contracts.md 2.1, 2.2, 2.5).
CHART_FIELDS = {
    "id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth", "age",
    "sex_at_birth", "diagnosis", "pregnant", "breastfeeding", "weight_kg", "conditions",
    "failed_adequate_trials", "version",
}  # fmt: skip
INTAKE_FIELDS = {
    "id", "name", "email", "phone", "preferred_contact", "best_time", "message", "self_check",
    "status", "created_at", "closed_reason",
}  # fmt: skip
REVIEW_FIELDS = {"id", "route", "decision", "screen", "signed_by", "signed_at"}
PLAN_FIELDS = {"id", "protocol", "route", "order", "sessions"}
PLAN_SESSION_FIELDS = {"id", "number", "date", "phase", "status"}


class Caller:
    """One person's bearer token (as `ketacare token create --user NAME` issues it)."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.generic(
            method,
            API + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.send("POST", path, body)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.send("PATCH", path, body)


def ok(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def monday_ahead(weeks: int) -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks)


def is_aware(value: str) -> bool:
    return dt.datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture
def caller(client):
    from ketacare.accounts.services import create_api_token

    def make(membership: Any) -> Caller:
        return Caller(client, create_api_token(user=membership.user, name="desk journey").value)

    return make


def registered_patient(cora: Any, caller: Any) -> int:
    """A coordinator's intake request turned into a patient: the patient's id."""
    desk = caller(cora)
    entered = ok(
        desk.post(
            "/intake-requests",
            {"name": "Jamie Rivera", "phone": "617-555-0123", "preferred_contact": "phone",
             "message": "Asked about IV ketamine."},
        ),
        201,
    )  # fmt: skip
    registered = ok(
        desk.post(
            f"/intake-requests/{entered['id']}/register",
            {"version": entered["version"], "given_name": "Jamie", "family_name": "Rivera",
             "date_of_birth": "1981-07-14", "sex_at_birth": "female"},
        ),
        201,
    )  # fmt: skip
    return registered["patient_id"]


def chart_for_treatment(nora: Any, caller: Any, patient_id: int, *, conditions=()) -> None:
    """A nurse charts what the screen reads: diagnosis and pregnancy status, weight, office
    vitals, two failed adequate trials (and one inadequate), a PHQ-9, conditions."""
    nurse = caller(nora)
    chart = ok(nurse.get(f"/patients/{patient_id}"), 200)
    ok(
        nurse.patch(
            f"/patients/{patient_id}",
            {"version": chart["version"], "diagnosis": "mdd", "pregnant": False,
             "breastfeeding": False},
        ),
        200,
    )  # fmt: skip
    ok(nurse.post(f"/patients/{patient_id}/weights", {"weight_kg": 72.4}), 201)
    ok(
        nurse.post(
            f"/patients/{patient_id}/vitals",
            {"systolic": 128, "diastolic": 80, "heart_rate": 72, "spo2": 98},
        ),
        201,
    )
    for drug, adequate in (("sertraline", True), ("bupropion", True), ("citalopram", False)):
        ok(
            nurse.post(
                f"/patients/{patient_id}/antidepressant-trials",
                {"drug": drug, "daily_dose_mg": 150, "weeks": 8 if adequate else 2,
                 "adequate": adequate, "outcome": "nonresponse", "current_episode": True},
            ),
            201,
        )  # fmt: skip
    ok(
        nurse.post(
            f"/patients/{patient_id}/assessments", {"instrument": "phq9", "answers": PHQ9_MODERATE}
        ),
        201,
    )
    for code in conditions:
        ok(nurse.post(f"/patients/{patient_id}/conditions", {"code": code}), 201)


# --- the journey ---------------------------------------------------------------------------


def test_a_clinic_does_its_desk_work_through_the_api_alone(
    caller, adam, cora, nora, alice, django_capture_on_commit_callbacks
):
    from ketacare.audit.models import AuditEvent

    # Given: a clinic admin invites a colleague, who gets the one-time link by e-mail.
    admin = caller(adam)
    with django_capture_on_commit_callbacks(execute=True):
        invited = ok(
            admin.post(
                "/staff/invitations",
                {"email": "nell@example.org", "given_name": "Nell", "family_name": "Hart",
                 "role": "nurse"},
            ),
            201,
        )  # fmt: skip
    assert set(invited) == {"member", "new_account", "invitation_expires_at"}
    assert invited["new_account"] is True and is_aware(invited["invitation_expires_at"])
    member = invited["member"]
    assert (member["role"], member["is_active"], member["invitation_pending"]) == (
        "nurse",
        True,
        True,
    )
    (message,) = mail.outbox
    assert message.to == ["nell@example.org"]
    staff = ok(admin.get("/staff"), 200)
    assert set(staff) == {"items", "count"}
    assert "nell@example.org" in {item["email"] for item in staff["items"]}

    # When: a coordinator enters an intake request, moves it on and registers the patient.
    desk = caller(cora)
    entered = ok(
        desk.post(
            "/intake-requests",
            {"name": "Jamie Rivera", "phone": "617-555-0123", "preferred_contact": "phone",
             "best_time": "Mornings", "message": "Asked about IV ketamine."},
        ),
        201,
    )  # fmt: skip
    assert set(entered) >= INTAKE_FIELDS
    assert (entered["status"], entered["self_check"], is_aware(entered["created_at"])) == (
        "new",
        None,
        True,
    )
    contacted = ok(
        desk.patch(
            f"/intake-requests/{entered['id']}",
            {"version": entered["version"], "status": "contacted"},
        ),
        200,
    )
    assert contacted["status"] == "contacted"
    queue = ok(desk.get("/intake-requests"), 200)
    assert (set(queue), queue["count"], queue["items"][0]["id"]) == (
        {"items", "count"},
        1,
        entered["id"],
    )
    registered = ok(
        desk.post(
            f"/intake-requests/{entered['id']}/register",
            {"version": contacted["version"], "given_name": "Jamie", "family_name": "Rivera",
             "date_of_birth": "1981-07-14", "sex_at_birth": "female"},
        ),
        201,
    )  # fmt: skip
    patient_id = registered["patient_id"]
    assert registered["intake_request"]["patient_id"] == patient_id
    seen_by_desk = ok(desk.get(f"/patients/{patient_id}"), 200)
    assert seen_by_desk["intake_request_id"] == entered["id"]
    assert seen_by_desk["phone"] == "617-555-0123"  # the request's contact came along
    assert seen_by_desk["failed_adequate_trials"] is None  # no clinical field for the desk

    # And: a nurse charts weight, vitals, the trial ledger and a PHQ-9.
    chart_for_treatment(nora, caller, patient_id, conditions=["hypertension_controlled"])

    # Then: the prescriber reads the chart as the contract names it.
    prescriber = caller(alice)
    chart = ok(prescriber.get(f"/patients/{patient_id}"), 200)
    assert set(chart) >= CHART_FIELDS
    assert {
        name: chart[name]
        for name in ("given_name", "family_name", "date_of_birth", "sex_at_birth", "diagnosis",
                     "pregnant", "breastfeeding", "weight_kg", "conditions",
                     "failed_adequate_trials")
    } == {
        "given_name": "Jamie",
        "family_name": "Rivera",
        "date_of_birth": "1981-07-14",
        "sex_at_birth": "female",
        "diagnosis": "mdd",
        "pregnant": False,
        "breastfeeding": False,
        "weight_kg": 72.4,
        "conditions": ["hypertension_controlled"],
        "failed_adequate_trials": 2,
    }  # fmt: skip
    assert chart["clinic_id"] == adam.clinic_id and chart["mrn"]
    assert isinstance(chart["age"], int) and isinstance(chart["version"], int)

    # And the screen of the chart is what `ketacare screen` says of the same candidate.
    screen = ok(prescriber.get(f"/patients/{patient_id}/screen", route="iv_ketamine"), 200)
    assert set(screen) == {"route", "decision", "rules"}
    assert (screen["route"], screen["decision"]) == ("iv_ketamine", "eligible")
    assert all(set(rule) == {"id", "outcome", "message", "source"} for rule in screen["rules"])
    candidate = {
        "route": "iv_ketamine",
        "age": chart["age"],
        "diagnosis": "mdd",
        "failed_adequate_trials": 2,
        "phq9": PHQ9_MODERATE,
        "madrs_total": None,
        "blood_pressure": {"systolic": 128, "diastolic": 80},
        "conditions": ["hypertension_controlled"],
        "pregnant": False,
        "breastfeeding": False,
    }
    cli = run_ketacare("screen", "-", stdin=candidate)
    assert cli.returncode == 0, cli.stderr
    assert screen == cli.document

    # And signs the review eligible: 201 with the contract's fields, over that screen.
    review = ok(
        prescriber.post(
            f"/patients/{patient_id}/eligibility-reviews",
            {"route": "iv_ketamine", "decision": "eligible", "note": ""},
        ),
        201,
    )
    assert set(review) >= REVIEW_FIELDS
    assert (review["route"], review["decision"], review["signed_by"]) == (
        "iv_ketamine",
        "eligible",
        "alice",
    )
    assert review["screen"] == screen and is_aware(review["signed_at"])

    # And creates the plan: 201 with its signed order and sessions.
    start = monday_ahead(weeks=1)
    plan = ok(
        prescriber.post(
            f"/patients/{patient_id}/plans",
            {"protocol": "iv_induction_3x_weekly", "start": start.isoformat(),
             "order": IV_ORDER},
        ),
        201,
    )  # fmt: skip
    assert set(plan) >= PLAN_FIELDS
    assert (plan["protocol"], plan["route"]) == ("iv_induction_3x_weekly", "iv_ketamine")
    assert plan["order"]["dose_mg_per_kg"] == IV_ORDER["dose_mg_per_kg"]
    assert plan["order"]["duration_min"] == IV_ORDER["duration_min"]
    sessions = plan["sessions"]
    assert sessions and all(set(s) >= PLAN_SESSION_FIELDS for s in sessions)
    assert [s["number"] for s in sessions] == list(range(1, len(sessions) + 1))
    assert {s["status"] for s in sessions} == {"scheduled"}
    days = [dt.date.fromisoformat(s["date"]) for s in sessions]
    assert days == sorted(days) and days[0] == start
    assert all(day.weekday() < 5 for day in days)  # Monday-Friday, the default clinic days

    # And reads it back.
    again = ok(prescriber.get(f"/plans/{plan['id']}"), 200)
    assert (again["id"], again["sessions"], again["order"]) == (
        plan["id"],
        sessions,
        plan["order"],
    )

    # And every step is in the clinic's audit trail, under the person who took it.
    acted = set(
        AuditEvent.objects.filter(clinic_id=adam.clinic_id, allowed=True, channel="api")
        .values_list("actor_username", "object_type")
        .distinct()
    )
    assert {
        ("adam", "membership"),
        ("cora", "intake_request"),
        ("cora", "patient"),
        ("nora", "weight"),
        ("nora", "antidepressant_trial"),
        ("nora", "assessment"),
        ("alice", "eligibility_review"),
        ("alice", "treatment_plan"),
    } <= acted
    assert not AuditEvent.objects.filter(allowed=False).exists()


def test_from_the_demo_the_desk_work_is_done_with_tokens_from_the_command_line(
    db, client, demo_mode, django_capture_on_commit_callbacks
):
    from ketacare.clinics.demo import DEMO_CLINICS

    call_command("demo", stdout=io.StringIO())

    def person(username: str) -> Caller:
        out = io.StringIO()
        call_command("token", "create", "--user", username, stdout=out, stderr=io.StringIO())
        return Caller(client, out.getvalue().strip())

    admin, desk, nurse, prescriber = (
        person(f"demo-{role}") for role in ("admin", "coordinator", "nurse", "prescriber")
    )
    # The admin adds a colleague (the demo itself e-mailed a questionnaire link before).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ok(
            admin.post(
                "/staff/invitations",
                {"email": "new.nurse@example.org", "given_name": "New", "family_name": "Nurse",
                 "role": "nurse"},
            ),
            201,
        )  # fmt: skip
    assert [m.to for m in mail.outbox] == [["new.nurse@example.org"]]
    # The coordinator turns the oldest new request of the queue into a patient.
    queue = ok(desk.get("/intake-requests", status="new"), 200)
    assert queue["count"] >= 1
    request = queue["items"][-1]
    registered = ok(
        desk.post(
            f"/intake-requests/{request['id']}/register",
            {"version": request["version"], "given_name": "Demo", "family_name": "Newcomer",
             "date_of_birth": "1985-02-03", "sex_at_birth": "male"},
        ),
        201,
    )  # fmt: skip
    patient_id = registered["patient_id"]
    chart = ok(prescriber.get(f"/patients/{patient_id}"), 200)
    assert chart["clinic_id"] == request["clinic_id"]
    # The nurse charts; the prescriber signs the review and the plan.
    ok(
        nurse.patch(f"/patients/{patient_id}", {"version": chart["version"], "diagnosis": "mdd"}),
        200,
    )
    ok(nurse.post(f"/patients/{patient_id}/weights", {"weight_kg": 80.0}), 201)
    ok(
        nurse.post(f"/patients/{patient_id}/vitals", {"systolic": 122, "diastolic": 76}),
        201,
    )
    for drug in ("sertraline", "venlafaxine"):
        ok(
            nurse.post(
                f"/patients/{patient_id}/antidepressant-trials",
                {"drug": drug, "weeks": 8, "adequate": True, "outcome": "nonresponse",
                 "current_episode": True},
            ),
            201,
        )  # fmt: skip
    ok(
        nurse.post(
            f"/patients/{patient_id}/assessments", {"instrument": "phq9", "answers": PHQ9_MODERATE}
        ),
        201,
    )
    screen = ok(prescriber.get(f"/patients/{patient_id}/screen", route="iv_ketamine"), 200)
    assert screen["decision"] == "eligible", screen
    ok(
        prescriber.post(
            f"/patients/{patient_id}/eligibility-reviews",
            {"route": "iv_ketamine", "decision": "eligible"},
        ),
        201,
    )
    plan = ok(
        prescriber.post(
            f"/patients/{patient_id}/plans",
            {"protocol": "iv_induction_3x_weekly", "start": monday_ahead(1).isoformat(),
             "order": IV_ORDER},
        ),
        201,
    )  # fmt: skip
    assert ok(prescriber.get(f"/plans/{plan['id']}"), 200)["sessions"] == plan["sessions"]
    # The other demo clinic's admin reaches none of it.
    outsider = person("demo-lakeside-admin")
    assert outsider.get(f"/patients/{patient_id}").status_code == 404
    assert outsider.get(f"/plans/{plan['id']}").status_code == 404
    assert DEMO_CLINICS[1].staff[0][0] == "demo-lakeside-admin"


# --- the refusals of 2.2 --------------------------------------------------------------------


def test_signing_eligible_over_an_exclusion_is_a_409_naming_the_rules(caller, cora, nora, alice):
    from ketacare.screening.models import EligibilityReview

    patient_id = registered_patient(cora, caller)
    chart_for_treatment(nora, caller, patient_id, conditions=["aneurysmal_vascular_disease"])
    prescriber = caller(alice)
    screen = ok(prescriber.get(f"/patients/{patient_id}/screen", route="iv_ketamine"), 200)
    excluded = [r["id"] for r in screen["rules"] if r["outcome"] == "exclude"]
    assert screen["decision"] == "not_eligible" and excluded

    response = prescriber.post(
        f"/patients/{patient_id}/eligibility-reviews",
        {"route": "iv_ketamine", "decision": "eligible", "note": "Signed anyway."},
    )

    body = ok(response, 409)
    assert set(body) == {"detail", "reasons"} and isinstance(body["detail"], str)
    assert [reason.split(": ", 1)[0] for reason in body["reasons"]] == excluded
    assert all(reason.split(": ", 1)[1] for reason in body["reasons"])
    assert not EligibilityReview.objects.exists()
    # not_eligible over the same screen is what may be signed.
    ok(
        prescriber.post(
            f"/patients/{patient_id}/eligibility-reviews",
            {"route": "iv_ketamine", "decision": "not_eligible", "note": ""},
        ),
        201,
    )


def test_signing_over_needs_review_without_a_note_is_a_422_naming_note(caller, cora, nora, alice):
    from ketacare.screening.models import EligibilityReview

    patient_id = registered_patient(cora, caller)
    chart_for_treatment(nora, caller, patient_id, conditions=["obstructive_sleep_apnea"])
    prescriber = caller(alice)
    screen = ok(prescriber.get(f"/patients/{patient_id}/screen", route="iv_ketamine"), 200)
    assert screen["decision"] == "needs_review"

    response = prescriber.post(
        f"/patients/{patient_id}/eligibility-reviews",
        {"route": "iv_ketamine", "decision": "eligible", "note": "  "},
    )

    (error,) = ok(response, 422)["detail"]
    assert error["loc"][-1] == "note" and error["msg"]
    assert not EligibilityReview.objects.exists()


@pytest.mark.parametrize(
    ("order", "field"),
    [
        ({**IV_ORDER, "dose_mg_per_kg": 1.5}, "dose_mg_per_kg"),
        ({**IV_ORDER, "duration_min": 5}, "duration_min"),
    ],
    ids=["dose_above_the_maximum", "infusion_too_fast"],
)
def test_an_order_outside_the_reference_limits_is_a_422_naming_order_field(
    caller, cora, nora, alice, order, field
):
    from ketacare.treatment.models import DoseOrder, TreatmentPlan, TreatmentSession

    patient_id = registered_patient(cora, caller)
    chart_for_treatment(nora, caller, patient_id)
    prescriber = caller(alice)
    ok(
        prescriber.post(
            f"/patients/{patient_id}/eligibility-reviews",
            {"route": "iv_ketamine", "decision": "eligible"},
        ),
        201,
    )

    response = prescriber.post(
        f"/patients/{patient_id}/plans",
        {"protocol": "iv_induction_3x_weekly", "start": monday_ahead(1).isoformat(),
         "order": order},
    )  # fmt: skip

    body = ok(response, 422)
    assert set(body) == {"detail"}
    (error,) = body["detail"]
    # "naming `order.<field>`" with "the last element of loc naming the field": the dotted
    # name is split, so loc ends [..., "order", "<field>"].
    assert error["loc"][-2:] == ["order", field]
    assert isinstance(error["msg"], str) and error["msg"]
    assert not (
        TreatmentPlan.objects.exists()
        or DoseOrder.objects.exists()
        or TreatmentSession.objects.exists()
    )


def test_a_plan_without_an_eligible_review_is_a_409(caller, cora, nora, alice):
    patient_id = registered_patient(cora, caller)
    chart_for_treatment(nora, caller, patient_id)

    response = caller(alice).post(
        f"/patients/{patient_id}/plans",
        {"protocol": "iv_induction_3x_weekly", "start": monday_ahead(1).isoformat(),
         "order": IV_ORDER},
    )  # fmt: skip

    assert "detail" in ok(response, 409)


def test_a_stale_version_of_the_record_is_a_409_and_changes_nothing(caller, cora, nora):
    patient_id = registered_patient(cora, caller)
    desk, nurse = caller(cora), caller(nora)
    read = ok(desk.get(f"/patients/{patient_id}"), 200)
    ok(desk.patch(f"/patients/{patient_id}", {"version": read["version"], "city": "Quincy"}), 200)

    response = nurse.patch(
        f"/patients/{patient_id}", {"version": read["version"], "pregnant": True}
    )

    assert set(ok(response, 409)) >= {"detail"}
    after = ok(desk.get(f"/patients/{patient_id}"), 200)
    assert (after["city"], after["version"]) == ("Quincy", read["version"] + 1)
    assert ok(nurse.get(f"/patients/{patient_id}"), 200)["pregnant"] is False


# --- lists (contracts 2.0) --------------------------------------------------------------------

LISTS = [
    "/patients",
    "/patients/{p}/weights",
    "/patients/{p}/vitals",
    "/patients/{p}/conditions",
    "/patients/{p}/allergies",
    "/patients/{p}/medications",
    "/patients/{p}/consents",
    "/patients/{p}/antidepressant-trials",
    "/patients/{p}/assessments",
    "/patients/{p}/notes",
    "/patients/{p}/eligibility-reviews",
    "/patients/{p}/plans",
    "/patients/{p}/sessions",
    "/schedule",
    "/intake-requests",
    "/staff",
]


@pytest.mark.parametrize("path", LISTS)
def test_a_list_answers_items_and_count_and_keeps_limit_within_1_to_200(
    caller, patient_a, adam, alice, path
):
    person = adam if path in ("/staff", "/intake-requests") else alice
    who = caller(person)
    url = path.format(p=patient_a.pk)

    page = ok(who.get(url, limit=200, offset=0), 200)
    assert set(page) == {"items", "count"}
    assert isinstance(page["items"], list) and isinstance(page["count"], int)
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -1}, "limit"),
        ({"offset": -1}, "offset"),
    ):
        body = ok(who.get(url, **params), 422)
        assert [e["loc"][-1] for e in body["detail"]] == [field], (params, body)
        assert all(e["msg"] for e in body["detail"])


def test_limit_and_offset_page_the_patient_list_and_count_stays_the_total(caller, clinic_a, alice):
    from tests.factories import PatientFactory

    PatientFactory.create_batch(5, clinic=clinic_a)
    who = caller(alice)

    first = ok(who.get("/patients", limit=2), 200)
    rest = ok(who.get("/patients", limit=2, offset=4), 200)
    default = ok(who.get("/patients"), 200)

    assert (first["count"], len(first["items"])) == (5, 2)
    assert (rest["count"], len(rest["items"])) == (5, 1)
    assert len(default["items"]) == 5  # the default limit (50) shows them all
    shown = [i["id"] for i in first["items"]] + [i["id"] for i in rest["items"]]
    assert len(set(shown)) == 3
