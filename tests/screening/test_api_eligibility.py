"""The eligibility API (contracts.md 2.0, 2.2): exact statuses and bodies for every caller."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.clinical.eligibility import parse_candidate, screen
from ketacare.patients.queries import chart_facts
from ketacare.screening.models import EligibilityReview
from ketacare.screening.queries import chart_screen
from tests.factories import EligibilityReviewFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not Found"}


def reviews_path(patient) -> str:
    return f"/patients/{patient.pk}/eligibility-reviews"


def screen_path(patient) -> str:
    return f"/patients/{patient.pk}/screen"


def last_loc(response) -> str:
    return response.json()["detail"][0]["loc"][-1]


# --- GET /patients/{id}/screen ------------------------------------------------------------


def test_the_screen_is_the_clinical_screen_of_the_chart_as_it_is_now(api, alice, eligible_patient):
    response = api(alice).get(screen_path(eligible_patient), route="esketamine_nasal")

    assert response.status_code == 200
    document = {"route": "esketamine_nasal", **chart_facts(eligible_patient)}
    assert response.json() == screen(parse_candidate(document)).as_document()
    event = AuditEvent.objects.get(object_type="eligibility_screen")
    assert (event.action, event.patient_id, event.allowed, event.channel) == (
        "read",
        eligible_patient.pk,
        True,
        "api",
    )
    assert event.detail == "route=esketamine_nasal screen=eligible"
    assert not EligibilityReview.objects.exists()


def test_a_chart_without_a_diagnosis_screens_with_a_diagnosis_review(api, alice, clinic_a):
    patient = PatientFactory(clinic=clinic_a, date_of_birth=dt.date(1980, 1, 1), diagnosis="")

    response = api(alice).get(screen_path(patient), route="iv_ketamine")

    assert response.status_code == 200
    body = response.json()
    diagnosis = next(rule for rule in body["rules"] if rule["id"] == "ELIG-DIAGNOSIS")
    assert diagnosis["outcome"] == "review"
    assert diagnosis["message"].startswith("No working diagnosis is recorded")
    assert body["decision"] == "needs_review"


@pytest.mark.parametrize("route", ["intranasal_racemic", ""])
def test_an_unknown_route_is_a_422_naming_route(api, alice, eligible_patient, route):
    response = api(alice).get(screen_path(eligible_patient), route=route)

    assert response.status_code == 422
    assert last_loc(response) == "route"


def test_a_missing_route_is_a_422_naming_route(api, alice, eligible_patient):
    response = api(alice).get(screen_path(eligible_patient))

    assert response.status_code == 422
    assert last_loc(response) == "route"


@pytest.mark.parametrize("person", ["nora", "adam", "audrey"])
def test_every_role_with_view_eligibility_reads_the_screen(request, api, person, eligible_patient):
    caller = api(request.getfixturevalue(person))

    assert caller.get(screen_path(eligible_patient), route="iv_ketamine").status_code == 200


def test_a_coordinator_gets_403_for_the_screen(api, cora, eligible_patient):
    response = api(cora).get(screen_path(eligible_patient), route="iv_ketamine")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this (view_eligibility)."}
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.object_type, denied.detail) == (
        "eligibility_screen",
        "role_lacks:view_eligibility",
    )


def test_another_clinics_admin_gets_404_for_the_screen(api, bob, eligible_patient):
    response = api(bob).get(screen_path(eligible_patient), route="iv_ketamine")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.clinic_id, denied.object_type, denied.detail) == (
        bob.clinic_id,
        "patient",
        "not_found_in_clinic",
    )


# --- POST /patients/{id}/eligibility-reviews ------------------------------------------------


def test_alice_signs_and_gets_201_with_the_review(api, alice, eligible_patient):
    body = {"route": "iv_ketamine", "decision": "eligible", "note": "Fit for induction."}

    response = api(alice).post(reviews_path(eligible_patient), body)

    assert response.status_code == 201
    answer = response.json()
    review = EligibilityReview.objects.get()
    assert answer["id"] == review.pk
    assert (answer["route"], answer["decision"], answer["note"]) == (
        "iv_ketamine",
        "eligible",
        "Fit for induction.",
    )
    assert answer["screen"] == chart_screen(eligible_patient, "iv_ketamine").document
    assert answer["signed_by"] == "alice"
    signed_at = dt.datetime.fromisoformat(answer["signed_at"])
    assert signed_at.utcoffset() == dt.timedelta(0)
    assert abs(signed_at - review.signed_at) < dt.timedelta(milliseconds=1)
    assert (answer["supersedes_id"], answer["superseded"]) == (None, False)
    assert answer["patient_id"] == eligible_patient.pk


def test_a_second_post_creates_a_new_review_that_supersedes_the_first(api, alice, eligible_patient):
    caller = api(alice)
    body = {"route": "iv_ketamine", "decision": "eligible", "note": ""}
    first = caller.post(reviews_path(eligible_patient), body).json()

    second = caller.post(reviews_path(eligible_patient), {**body, "decision": "not_eligible"})

    assert second.status_code == 201
    assert second.json()["supersedes_id"] == first["id"]
    assert EligibilityReview.objects.count() == 2
    assert caller.get(f"/eligibility-reviews/{first['id']}").json()["superseded"] is True


@pytest.mark.parametrize("person", ["nora", "cora"])
def test_nurses_and_coordinators_get_403_and_nothing_is_signed(
    request, api, person, eligible_patient
):
    caller = api(request.getfixturevalue(person))
    body = {"route": "iv_ketamine", "decision": "eligible", "note": ""}

    response = caller.post(reviews_path(eligible_patient), body)

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this (sign_eligibility)."}
    assert not EligibilityReview.objects.exists()


def test_bob_gets_404_for_a_patient_of_clinic_a(api, bob, eligible_patient):
    body = {"route": "iv_ketamine", "decision": "not_eligible", "note": ""}

    response = api(bob).post(reviews_path(eligible_patient), body)

    # Never a 403 across clinics: the patient is looked up before Bob's role is asked.
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert not EligibilityReview.objects.exists()
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.clinic_id, denied.object_type, denied.detail) == (
        bob.clinic_id,
        "patient",
        "not_found_in_clinic",
    )


def test_a_prescriber_of_another_clinic_gets_404(api, clinic_b, eligible_patient):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(clinic=clinic_b, role="prescriber")
    body = {"route": "iv_ketamine", "decision": "not_eligible", "note": ""}

    response = api(outsider).post(reviews_path(eligible_patient), body)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert not EligibilityReview.objects.exists()
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.clinic_id, denied.detail) == (clinic_b.pk, "not_found_in_clinic")


def test_eligible_over_an_exclusion_is_409_naming_the_rules(api, alice, excluded_patient):
    body = {"route": "oral_ketamine", "decision": "eligible", "note": "Please allow."}

    response = api(alice).post(reviews_path(excluded_patient), body)

    assert response.status_code == 409
    rule = next(
        r
        for r in chart_screen(excluded_patient, "oral_ketamine").result.rules
        if r.id == "ELIG-CI-ANEURYSM"
    )
    assert response.json() == {
        "detail": "An exclusion cannot be signed eligible.",
        "reasons": [f"ELIG-CI-ANEURYSM: {rule.message}"],
    }
    assert not EligibilityReview.objects.exists()


def test_over_needs_review_an_empty_note_is_422_naming_note(api, alice, review_patient):
    body = {"route": "iv_ketamine", "decision": "eligible", "note": ""}

    response = api(alice).post(reviews_path(review_patient), body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "note"],
                "msg": "The screen needs review: say in the note what was reviewed and why.",
            }
        ]
    }
    assert not EligibilityReview.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"route": "intranasal_racemic"}, "route"),
        ({"decision": "needs_review"}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"note": "x" * 5001}, "note"),
        ({"signed_by": "someone"}, "signed_by"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, alice, eligible_patient, change, field):
    body = {"route": "iv_ketamine", "decision": "eligible", "note": "", **change}

    response = api(alice).post(reviews_path(eligible_patient), body)

    assert response.status_code == 422
    assert last_loc(response) == field
    assert not EligibilityReview.objects.exists()


# --- GET the reviews ----------------------------------------------------------------------


def test_the_list_is_newest_first_with_the_superseded_flag(api, audrey, alice, eligible_patient):
    now = dt.datetime.now(dt.UTC)
    first = EligibilityReviewFactory(
        patient=eligible_patient, signed_by=alice.user, signed_at=now - dt.timedelta(days=2)
    )
    second = EligibilityReviewFactory(
        patient=eligible_patient,
        signed_by=alice.user,
        signed_at=now - dt.timedelta(days=1),
        supersedes=first,
    )
    other_route = EligibilityReviewFactory(
        patient=eligible_patient, signed_by=alice.user, route="esketamine_nasal", signed_at=now
    )

    response = api(audrey).get(reviews_path(eligible_patient))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(r["id"], r["superseded"]) for r in body["items"]] == [
        (other_route.pk, False),
        (second.pk, False),
        (first.pk, True),
    ]
    page = api(audrey).get(reviews_path(eligible_patient), limit=1, offset=1).json()
    assert ([r["id"] for r in page["items"]], page["count"]) == ([second.pk], 3)
    event = AuditEvent.objects.get(
        object_type="eligibility_review_list", detail__contains="shown=3"
    )
    assert event.patient_id == eligible_patient.pk


@pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"offset": -1}, "offset")])
def test_a_bad_page_is_a_422(api, alice, eligible_patient, params, field):
    response = api(alice).get(reviews_path(eligible_patient), **params)

    assert response.status_code == 422
    assert last_loc(response) == field


def test_the_list_is_403_for_a_coordinator_and_404_for_bob(api, cora, bob, eligible_patient):
    assert api(cora).get(reviews_path(eligible_patient)).status_code == 403
    response = api(bob).get(reviews_path(eligible_patient))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_one_review_is_read_by_id_and_audited(api, nora, alice, eligible_patient):
    review = EligibilityReviewFactory(patient=eligible_patient, signed_by=alice.user)

    response = api(nora).get(f"/eligibility-reviews/{review.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == review.pk
    event = AuditEvent.objects.get(object_type="eligibility_review", action="read")
    assert (event.object_id, event.patient_id) == (str(review.pk), eligible_patient.pk)


def test_one_review_is_403_for_a_coordinator_and_404_for_bob(api, cora, bob, alice, patient_a):
    review = EligibilityReviewFactory(patient=patient_a, signed_by=alice.user)

    assert api(cora).get(f"/eligibility-reviews/{review.pk}").status_code == 403
    response = api(bob).get(f"/eligibility-reviews/{review.pk}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    denied = AuditEvent.objects.filter(allowed=False).last()
    assert (denied.object_type, denied.clinic_id) == ("eligibility_review", bob.clinic_id)
