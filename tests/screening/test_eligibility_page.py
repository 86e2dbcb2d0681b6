"""The prescriber's eligibility page (`screening:review`): every rule with its source and
evidence, the label-extension note, signing and superseding, read-only roles and denials."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from ketacare.audit.models import AuditEvent
from ketacare.clinical.eligibility import LABEL_RULES
from ketacare.clinical.rules import REGISTRY
from ketacare.screening.models import EligibilityReview
from ketacare.screening.presentation import EVIDENCE_LABELS
from ketacare.screening.queries import chart_screen
from tests.factories import ConditionFactory, EligibilityReviewFactory

pytestmark = pytest.mark.django_db

SUPPORT = "KetaCare supports clinicians; it does not decide for them."


def page(patient, route: str | None = None, **params) -> str:
    url = reverse("screening:review", args=[patient.pk])
    query = {"route": route, **params} if route else params
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    return response.content.decode()


def rule_items(html: str) -> list[str]:
    return re.findall(r'<li class="rule rule-[a-z]+">.*?</li>', html, flags=re.S)


def post_form(client, patient, route: str, **fields):
    digest = chart_screen(patient, route).digest
    data = {"route": route, "screen_digest": digest, "findings": "", "note": "", **fields}
    return client.post(page(patient, route), data)


def test_the_page_shows_every_rule_with_outcome_message_source_and_evidence(
    staff_client, alice, review_patient
):
    response = staff_client(alice).get(page(review_patient, "esketamine_nasal"))

    assert response.status_code == 200
    html = text(response)
    rules = chart_screen(review_patient, "esketamine_nasal").result.rules
    items = rule_items(html)
    assert len(items) == len(rules) == 36
    for rule in rules:
        item = next(i for i in items if f'<code class="rule-id">{rule.id}</code>' in i)
        assert f"rule-{rule.outcome.value}" in item
        assert escape(rule.message) in item
        assert escape(rule.source) in item
        assert EVIDENCE_LABELS[REGISTRY[rule.id].evidence] in item
    assert SUPPORT in html
    assert "Screen: needs review" in html


def test_outcomes_are_told_apart_by_words_and_symbols_not_colour_alone(
    staff_client, alice, excluded_patient
):
    ConditionFactory(patient=excluded_patient, code="obstructive_sleep_apnea")

    html = text(staff_client(alice).get(page(excluded_patient, "iv_ketamine")))

    assert '<span aria-hidden="true">✕</span> Exclude</span>' in html
    assert '<span aria-hidden="true">!</span> Review</span>' in html
    assert '<span aria-hidden="true">✓</span> Pass</span>' in html
    assert "Screen: not eligible" in html


def test_a_label_rule_for_iv_ketamine_says_it_is_extended_from_the_esketamine_label(
    staff_client, alice, eligible_patient
):
    html = text(staff_client(alice).get(page(eligible_patient, "iv_ketamine")))

    items = rule_items(html)
    extended = {
        re.search(r'<code class="rule-id">([A-Z0-9-]+)</code>', item).group(1)
        for item in items
        if "Extended from the esketamine label" in item
    }
    assert extended == LABEL_RULES
    # The extension is KetaCare's policy (reference, condition table), not the clinic's choice.
    assert "KetaCare policy, not the label, applies this rule to IV ketamine" in html
    assert "by clinic policy" not in html


def test_no_rule_is_marked_extended_for_esketamine_itself(staff_client, alice, eligible_patient):
    html = text(staff_client(alice).get(page(eligible_patient, "esketamine_nasal")))

    assert "Extended from the esketamine label" not in html


def test_the_clinics_offered_routes_come_first_in_the_tabs(staff_client, alice, eligible_patient):
    # Clinic A offers IV ketamine and esketamine, not oral ketamine (the factory's clinic).
    html = text(staff_client(alice).get(page(eligible_patient)))

    tabs = re.findall(
        r"\?route=([a-z_]+)\"", html.split('class="route-tabs"')[1].split("</nav>")[0]
    )
    assert tabs == ["iv_ketamine", "esketamine_nasal", "oral_ketamine"]
    assert "(not offered here)" in html
    assert 'aria-current="page"' in html


def test_the_form_has_labelled_fields_and_a_sign_button(staff_client, alice, eligible_patient):
    html = text(staff_client(alice).get(page(eligible_patient, "iv_ketamine")))

    for label in ("Findings", "Decision", "Note"):
        assert re.search(rf'<label for="id_[a-z]+">{label}', html), label
    assert '<button type="submit">Sign review</button>' in html
    assert 'method="post"' in html
    # A refused form comes back scrolled to itself, not to the top of 36 rules.
    assert '?route=iv_ketamine#sign"' in html


def test_eligible_is_disabled_with_the_reason_when_a_rule_excludes(
    staff_client, alice, excluded_patient
):
    html = text(staff_client(alice).get(page(excluded_patient, "iv_ketamine")))

    assert re.search(r'<option value="eligible" disabled>', html)
    assert "ELIG-CI-ANEURYSM excludes IV ketamine" in html


def test_the_note_is_required_over_needs_review(staff_client, alice, review_patient):
    client = staff_client(alice)
    html = text(client.get(page(review_patient, "iv_ketamine")))
    assert "Note (required: the screen needs review)" in html

    response = post_form(client, review_patient, "iv_ketamine", decision="eligible")

    assert response.status_code == 400
    assert "The screen needs review: say in the note what was reviewed and why." in text(response)
    assert not EligibilityReview.objects.exists()


def test_signing_shows_the_review_read_only_with_signer_and_time(
    staff_client, alice, eligible_patient
):
    client = staff_client(alice)

    response = post_form(
        client, eligible_patient, "iv_ketamine", decision="eligible", findings="Seen today."
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?route=iv_ketamine#signed")
    review = EligibilityReview.objects.get()
    html = text(client.get(response["Location"]))
    assert "Eligibility review signed." in html
    assert "Seen today." in html
    assert "alice" in html
    assert review.signed_at.strftime("%Y-%m-%d %H:%M") in html
    assert "Sign review</button>" not in html
    assert "Sign a new review</a>" in html
    assert "· signed eligible" in html


def test_sign_a_new_review_supersedes_and_lists_the_earlier_one(
    staff_client, alice, excluded_patient
):
    client = staff_client(alice)
    post_form(client, excluded_patient, "iv_ketamine", decision="not_eligible")
    first = EligibilityReview.objects.get()

    form_page = text(client.get(page(excluded_patient, "iv_ketamine", new=1)))
    assert "The new review supersedes the one signed by alice on" in form_page
    response = post_form(
        client, excluded_patient, "iv_ketamine", decision="not_eligible", note="Imaging seen."
    )

    assert response.status_code == 302
    second = EligibilityReview.objects.exclude(pk=first.pk).get()
    assert second.supersedes_id == first.pk
    html = text(client.get(page(excluded_patient, "iv_ketamine")))
    assert "Earlier reviews (superseded)" in html
    assert html.count('<span class="superseded-tag">Superseded</span>') == 1


def test_a_forged_eligible_over_an_exclusion_is_refused_naming_the_rule(
    staff_client, alice, excluded_patient
):
    response = post_form(staff_client(alice), excluded_patient, "iv_ketamine", decision="eligible")

    assert response.status_code == 409
    assert "An exclusion cannot be signed eligible." in text(response)
    assert "ELIG-CI-ANEURYSM: " in text(response)
    assert not EligibilityReview.objects.exists()


def test_a_chart_changed_since_the_page_was_shown_asks_to_look_again(
    staff_client, alice, eligible_patient
):
    client = staff_client(alice)
    digest = chart_screen(eligible_patient, "iv_ketamine").digest
    ConditionFactory(patient=eligible_patient, code="obstructive_sleep_apnea")

    response = client.post(
        page(eligible_patient, "iv_ketamine"),
        {"route": "iv_ketamine", "screen_digest": digest, "decision": "eligible", "note": "ok"},
    )

    assert response.status_code == 409
    assert "The chart changed since the screen was shown" in text(response)
    assert not EligibilityReview.objects.exists()


@pytest.mark.parametrize("person", ["nora", "adam", "audrey"])
def test_other_roles_with_view_eligibility_see_the_page_read_only(
    request, staff_client, alice, person, eligible_patient
):
    EligibilityReviewFactory(patient=eligible_patient, signed_by=alice.user)
    client = staff_client(request.getfixturevalue(person))

    html = text(client.get(page(eligible_patient, "iv_ketamine", new=1)))

    assert "You see this page read-only" in html
    assert "Sign review</button>" not in html
    assert "Sign a new review" not in html
    assert len(rule_items(html)) == 36


def test_a_nurse_posting_the_form_gets_403_and_nothing_is_signed(
    staff_client, nora, eligible_patient
):
    response = post_form(staff_client(nora), eligible_patient, "iv_ketamine", decision="eligible")

    assert response.status_code == 403
    assert not EligibilityReview.objects.exists()
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.action, denied.detail) == ("create", "role_lacks:sign_eligibility")


def test_a_coordinator_gets_403(staff_client, cora, eligible_patient):
    response = staff_client(cora).get(page(eligible_patient, "iv_ketamine"))

    assert response.status_code == 403
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.object_type, denied.patient_id, denied.detail) == (
        "eligibility_screen",
        eligible_patient.pk,
        "role_lacks:view_eligibility",
    )


def test_another_clinics_patient_is_404_with_a_denied_event(staff_client, bob, eligible_patient):
    response = staff_client(bob).get(page(eligible_patient, "iv_ketamine"))

    assert response.status_code == 404
    denied = AuditEvent.objects.get(allowed=False)
    assert (denied.clinic_id, denied.object_type, denied.detail) == (
        bob.clinic_id,
        "patient",
        "not_found_in_clinic",
    )


def test_an_unknown_route_is_a_400_page_with_the_route_tabs(staff_client, alice, eligible_patient):
    response = staff_client(alice).get(page(eligible_patient, "intranasal"))

    assert response.status_code == 400
    assert "Unknown route" in text(response)
    assert "?route=iv_ketamine" in text(response)


def test_a_page_view_is_one_audited_read_of_the_screen(staff_client, alice, eligible_patient):
    staff_client(alice).get(page(eligible_patient, "esketamine_nasal"))

    event = AuditEvent.objects.get(object_type="eligibility_screen")
    assert (event.action, event.patient_id, event.channel, event.detail) == (
        "read",
        eligible_patient.pk,
        "web",
        "route=esketamine_nasal screen=eligible",
    )


def test_an_unsigned_in_visitor_is_sent_to_sign_in(client, eligible_patient):
    response = client.get(page(eligible_patient, "iv_ketamine"))

    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
