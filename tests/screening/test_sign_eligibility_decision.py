"""`sign_eligibility_decision` (contracts.md 2.2): who signs what over which screen, and the
supersede chain of signed reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.clinical.eligibility import parse_candidate, screen
from ketacare.patients.queries import chart_facts
from ketacare.screening.errors import ConflictCode, ReviewConflict
from ketacare.screening.models import EligibilityReview
from ketacare.screening.queries import chart_screen, latest_signed_review, reviews_of
from ketacare.screening.services import sign_eligibility_decision
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db


def sign(by, patient, **changes):
    arguments = {"route": "iv_ketamine", "decision": "eligible", "note": "", "findings": ""}
    arguments.update(changes)
    return sign_eligibility_decision(by=by, patient_id=patient.pk, **arguments)


def test_a_prescriber_signs_eligible_over_the_screen_of_the_chart_as_it_is(alice, eligible_patient):
    review = sign(alice, eligible_patient, findings="Seen today; history confirmed.")

    facts = chart_facts(eligible_patient)
    expected = screen(parse_candidate({"route": "iv_ketamine", **facts})).as_document()
    assert review.clinic_id == eligible_patient.clinic_id
    assert (review.route, review.decision, review.screen_decision) == (
        "iv_ketamine",
        "eligible",
        "eligible",
    )
    assert review.screen == expected
    assert review.chart_snapshot == facts
    assert review.findings == "Seen today; history confirmed."
    assert review.signed_by == alice.user
    assert review.supersedes is None
    event = AuditEvent.objects.get(action="create", object_type="eligibility_review")
    assert (event.object_id, event.patient_id, event.allowed) == (
        str(review.pk),
        eligible_patient.pk,
        True,
    )
    assert event.detail == "route=iv_ketamine decision=eligible screen=eligible"


def test_eligible_over_an_exclusion_is_refused_naming_every_excluding_rule(alice, excluded_patient):
    ConditionFactory(patient=excluded_patient, code="arteriovenous_malformation")

    with pytest.raises(ReviewConflict) as refused:
        sign(alice, excluded_patient, note="I disagree.")

    expected = chart_screen(excluded_patient, "iv_ketamine").result.rules
    messages = {r.id: r.message for r in expected}
    assert refused.value.conflict_code is ConflictCode.EXCLUDED
    assert refused.value.reasons == [
        f"ELIG-CI-ANEURYSM: {messages['ELIG-CI-ANEURYSM']}",
        f"ELIG-CI-AVM: {messages['ELIG-CI-AVM']}",
    ]
    assert not EligibilityReview.objects.exists()
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.action, denied.object_type, denied.patient_id) == (
        "create",
        "eligibility_review",
        excluded_patient.pk,
    )
    assert denied.detail == "conflict:excluded route=iv_ketamine"


def test_not_eligible_over_an_exclusion_is_signed_without_a_note(alice, excluded_patient):
    review = sign(alice, excluded_patient, decision="not_eligible")

    assert (review.decision, review.screen_decision, review.note) == (
        "not_eligible",
        "not_eligible",
        "",
    )


@pytest.mark.parametrize("note", ["", "   \n "])
def test_over_a_needs_review_screen_the_note_must_say_why(alice, review_patient, note):
    with pytest.raises(ValidationError) as refused:
        sign(alice, review_patient, decision="not_eligible", note=note)

    assert list(refused.value.message_dict) == ["note"]
    assert not EligibilityReview.objects.exists()


def test_with_a_note_eligible_over_a_needs_review_screen_is_signed(alice, review_patient):
    review = sign(alice, review_patient, note="  Sleep study: treated, CPAP adherent.  ")

    assert (review.decision, review.screen_decision) == ("eligible", "needs_review")
    assert review.note == "Sleep study: treated, CPAP adherent."


def test_a_later_review_supersedes_the_latest_and_leaves_it_unchanged(alice, eligible_patient):
    # given
    first = sign(alice, eligible_patient)
    stored = EligibilityReview.objects.values().get(pk=first.pk)

    # when
    ConditionFactory(patient=eligible_patient, code="aneurysmal_vascular_disease")
    second = sign(alice, eligible_patient, decision="not_eligible")
    third = sign(alice, eligible_patient, decision="not_eligible", note="Confirmed on imaging.")

    # then
    assert second.supersedes_id == first.pk
    assert third.supersedes_id == second.pk
    assert EligibilityReview.objects.values().get(pk=first.pk) == stored
    assert latest_signed_review(eligible_patient, "iv_ketamine") == third
    listed = [(r.pk, r.superseded) for r in reviews_of(eligible_patient)]
    assert listed == [(third.pk, False), (second.pk, True), (first.pk, True)]


def test_a_review_of_one_route_never_supersedes_another_route(alice, eligible_patient):
    iv = sign(alice, eligible_patient)
    nasal = sign(alice, eligible_patient, route="esketamine_nasal")

    assert nasal.supersedes is None
    assert latest_signed_review(eligible_patient, "iv_ketamine") == iv
    assert latest_signed_review(eligible_patient, "oral_ketamine") is None


def test_the_page_signs_only_over_the_screen_it_showed(alice, eligible_patient):
    shown = chart_screen(eligible_patient, "iv_ketamine").digest
    ConditionFactory(patient=eligible_patient, code="obstructive_sleep_apnea")

    with pytest.raises(ReviewConflict) as refused:
        sign(alice, eligible_patient, note="ok", seen_screen_digest=shown)

    assert refused.value.conflict_code is ConflictCode.SCREEN_CHANGED
    assert not EligibilityReview.objects.exists()


def test_the_screen_shown_signs_when_the_chart_did_not_change(alice, eligible_patient):
    shown = chart_screen(eligible_patient, "iv_ketamine").digest

    review = sign(alice, eligible_patient, seen_screen_digest=shown)

    assert review.screen_decision == "eligible"


@pytest.mark.parametrize("person", ["nora", "adam", "cora", "audrey"])
def test_only_a_prescriber_signs(request, person, eligible_patient):
    membership = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied):
        sign(membership, eligible_patient)

    assert not EligibilityReview.objects.exists()
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.action, denied.object_type, denied.detail) == (
        "create",
        "eligibility_review",
        "role_lacks:sign_eligibility",
    )


def test_another_clinics_patient_is_not_found(alice, patient_b):
    with pytest.raises(Http404):
        sign(alice, patient_b)

    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.object_type, denied.detail) == ("patient", "not_found_in_clinic")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"route": "intranasal"}, "route"),
        ({"decision": "needs_review"}, "decision"),
        ({"decision": None}, "decision"),
        ({"note": "x" * 5001}, "note"),
        ({"findings": 7}, "findings"),
    ],
)
def test_bad_input_names_its_field_and_stores_nothing(alice, eligible_patient, changes, field):
    with pytest.raises(ValidationError) as refused:
        sign(alice, eligible_patient, **changes)

    assert list(refused.value.message_dict) == [field]
    assert not EligibilityReview.objects.exists()


def test_a_review_dated_after_the_fact_never_sorts_before_the_one_it_supersedes(
    alice, eligible_patient
):
    first = sign(alice, eligible_patient)

    second = sign(
        alice,
        eligible_patient,
        decision="not_eligible",
        now=first.signed_at - dt.timedelta(days=3),
    )

    assert second.supersedes_id == first.pk
    assert second.signed_at == first.signed_at
    assert latest_signed_review(eligible_patient, "iv_ketamine") == second


def test_a_signature_is_never_dated_in_the_future(alice, eligible_patient):
    before = timezone.now()

    review = sign(alice, eligible_patient, now=before + dt.timedelta(days=1))

    assert before <= review.signed_at <= timezone.now()
