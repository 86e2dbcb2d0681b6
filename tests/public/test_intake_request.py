"""Intake requests from the public (contracts.md 2.5): the clinic page's form, the API, the
protections (honeypot, sizes, rate limit) and the coordinators' e-mail."""

from __future__ import annotations

import datetime as dt
import logging
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings

from ketacare.audit.models import AuditEvent
from ketacare.intake.display import self_check_rows
from ketacare.intake.models import IntakeRequest
from ketacare.public.intake import (
    PUBLIC_MESSAGE_MAX_CHARS,
    NotAccepting,
    RateLimited,
    reference_for,
    submit_public_request,
)
from ketacare.public.self_check_token import make_self_check_token
from tests.factories import IntakeRequestFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example/"
REFERENCE = re.compile(r"^REQ-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
# Text a visitor types, which must reach neither a log line nor the coordinators' e-mail.
VISITOR = {
    "name": "Wilhelmina Zzyzx",
    "email": "wilhelmina.zzyzx@example.org",
    "phone": "617-555-0199",
    "preferred_contact": "email",
    "best_time": "Tuesdays after quokka hour",
    "message": "My psychiatrist suggested ketamine; marmalade-sky.",
}
SELF_CHECK = {
    "answers": {"route": "iv_ketamine", "age": 41, "phq9": [2, 2, 2, 2, 2, 2, 2, 2, 0]},
    "result": "may_be_candidate",
    "reasons": [],
    "crisis": False,
    "routes": [{"route": "iv_ketamine", "decision": "eligible"}],
    "phq9_total": 16,
    "phq9_severity": "moderately_severe",
}


def api_url(clinic_id: int) -> str:
    return f"/api/v1/public/clinics/{clinic_id}/intake-requests"


def page_url(clinic_id: int) -> str:
    return f"/clinics/{clinic_id}/request/"


def submit(clinic, address="198.51.100.7", **changes):
    return submit_public_request(clinic.pk, {**VISITOR, **changes}, address, site_url=SITE)


def post_api(client, clinic_id, body, address="198.51.100.7"):
    return client.post(
        api_url(clinic_id), body, content_type="application/json", REMOTE_ADDR=address
    )


def invalid_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {entry["loc"][-1] for entry in response.json()["detail"]}


# --- the service: the chosen clinic only, audited, a reference -------------------------------


def test_a_request_lands_only_in_the_chosen_clinics_queue(clinic_a, clinic_b):
    submitted = submit(clinic_b)

    stored = IntakeRequest.objects.get()
    assert stored.clinic_id == clinic_b.pk
    assert not IntakeRequest.objects.filter(clinic=clinic_a).exists()
    assert (stored.source, stored.status, stored.entered_by_id) == ("public", "new", None)
    assert (stored.name, stored.email, stored.message) == (
        VISITOR["name"],
        VISITOR["email"],
        VISITOR["message"],
    )
    assert submitted.reference == reference_for(stored.pk)
    event = AuditEvent.objects.get(object_type="intake_request", object_id=str(stored.pk))
    assert (event.action, event.clinic_id, event.actor_user_id) == ("create", clinic_b.pk, None)
    assert event.detail == "source=public"


def test_the_reference_is_a_keyed_hash_of_the_id_not_the_sequence():
    references = [reference_for(n) for n in range(1, 200)]
    assert all(REFERENCE.match(r) for r in references)
    assert len(set(references)) == len(references)
    assert reference_for(7) == reference_for(7)
    with override_settings(SECRET_KEY="another-installation-" + "k" * 40):
        assert reference_for(7) != references[6]  # keyed: not computable without the secret


def test_an_unknown_clinic_is_not_found_and_a_closed_list_is_refused(clinic_a):
    with pytest.raises(Http404):
        submit_public_request(clinic_a.pk + 999, VISITOR, "198.51.100.7", site_url=SITE)
    clinic_a.accepting_new_patients = False
    clinic_a.save()
    with pytest.raises(NotAccepting):
        submit(clinic_a)
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"email": "", "phone": ""}, {"email", "phone"}),
        ({"preferred_contact": "email", "email": ""}, {"email"}),
        ({"preferred_contact": "text", "phone": ""}, {"phone"}),
        ({"preferred_contact": "pigeon"}, {"preferred_contact"}),
        ({"email": "not-an-address"}, {"email"}),
        ({"message": "x" * (PUBLIC_MESSAGE_MAX_CHARS + 1)}, {"message"}),
        ({"name": "n" * 201}, {"name"}),
        ({"best_time": "b" * 101}, {"best_time"}),
        ({"phone": "1" * 31}, {"phone"}),
        ({"self_check": "forged-value"}, {"self_check"}),
    ],
)
def test_bad_input_names_each_field_and_stores_nothing(clinic_a, changes, fields):
    with pytest.raises(ValidationError) as raised:
        submit(clinic_a, **changes)
    assert set(raised.value.message_dict) == fields
    assert not IntakeRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intake_request").exists()


def test_the_longest_message_allowed_is_stored(clinic_a):
    submit(clinic_a, message="m" * PUBLIC_MESSAGE_MAX_CHARS)
    assert len(IntakeRequest.objects.get().message) == PUBLIC_MESSAGE_MAX_CHARS


def test_either_contact_alone_is_enough(clinic_a):
    submit(clinic_a, email="", preferred_contact="phone")
    submit(clinic_a, phone="", preferred_contact="email")
    assert IntakeRequest.objects.count() == 2


def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(clinic_a, cora):
    submitted = submit(clinic_a, website="https://spam.example")
    assert REFERENCE.match(submitted.reference)
    assert not IntakeRequest.objects.exists()
    assert mail.outbox == []


def test_a_signed_self_check_is_attached_as_the_self_check_computed_it(clinic_a):
    submit(clinic_a, self_check=make_self_check_token(SELF_CHECK))
    assert IntakeRequest.objects.get().self_check == SELF_CHECK


def test_an_expired_self_check_is_refused_by_name(clinic_a):
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        token = make_self_check_token(SELF_CHECK)
    with (
        time_machine.travel(dt.datetime(2026, 1, 9, tzinfo=dt.UTC)),
        pytest.raises(ValidationError) as raised,
    ):
        submit(clinic_a, self_check=token)
    assert "days old" in raised.value.message_dict["self_check"][0]


# --- rate limit per address ------------------------------------------------------------------


def test_past_five_an_hour_an_address_is_refused_and_others_are_not(clinic_a):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            submit(clinic_a)
        with pytest.raises(RateLimited):
            submit(clinic_a)
        with pytest.raises(RateLimited):
            submit(clinic_a, website="robot")  # a robot is limited the same way
        submit(clinic_a, address="203.0.113.9")
    assert IntakeRequest.objects.count() == 6


# Django's database cache implements incr() as get and set with the default timeout (300 s):
# the counters must still keep their whole window.
def test_requests_six_minutes_apart_still_count_in_the_same_hour(clinic_a):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    for n in range(5):
        with time_machine.travel(start + dt.timedelta(minutes=6 * n), tick=False):
            submit(clinic_a)
    with (
        time_machine.travel(start + dt.timedelta(minutes=36), tick=False),
        pytest.raises(RateLimited),
    ):
        submit(clinic_a)


def test_past_twenty_a_day_an_address_is_refused_even_in_a_new_hour(clinic_a):
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    for hour in range(4):
        with time_machine.travel(start + dt.timedelta(hours=hour), tick=False):
            for _ in range(5):
                submit(clinic_a)
    with (
        time_machine.travel(start + dt.timedelta(hours=5), tick=False),
        pytest.raises(RateLimited),
    ):
        submit(clinic_a)
    assert IntakeRequest.objects.count() == 20


# --- the coordinators' e-mail ----------------------------------------------------------------


def test_coordinators_are_told_without_the_persons_details(clinic_a, clinic_b, cora, adam):
    other_coordinator = MembershipFactory(clinic=clinic_b, role="coordinator")
    MembershipFactory(
        clinic=clinic_a, role="coordinator", is_active=False, user=UserFactory(username="gone")
    )

    submit(clinic_a, self_check=make_self_check_token(SELF_CHECK))

    assert [m.to for m in mail.outbox] == [[cora.user.email]]
    message = mail.outbox[0]
    assert message.subject == "A new intake request is waiting at Clinic A"
    assert f"{SITE}intake/" in message.body
    text = f"{message.subject}\n{message.body}"
    for value in [*VISITOR.values(), "Wilhelmina", "may_be_candidate", "41"]:
        if value != "email":
            assert value not in text
    assert other_coordinator.user.email not in text


def test_without_a_coordinator_the_clinic_admins_are_told(clinic_a, adam, nora):
    submit(clinic_a)
    assert [m.to for m in mail.outbox] == [[adam.user.email]]


def test_a_mail_that_fails_never_loses_the_request(clinic_a, cora, caplog):
    with mock.patch("ketacare.public.intake_mail.send_mail", side_effect=OSError("smtp down")):
        submitted = submit(clinic_a)
    assert reference_for(IntakeRequest.objects.get().pk) == submitted.reference
    assert "notice mail not sent (OSError)" in caplog.text


def test_a_queue_that_fails_never_loses_the_request(clinic_a, cora, caplog):
    failing_task = mock.Mock(**{"enqueue.side_effect": RuntimeError})
    with mock.patch("ketacare.public.intake_mail.notify_coordinators", failing_task):
        submit(clinic_a)
    assert IntakeRequest.objects.count() == 1
    assert "notice not queued (RuntimeError)" in caplog.text


# --- the API ---------------------------------------------------------------------------------


def test_api_answers_201_with_the_reference(client, clinic_a):
    response = post_api(client, clinic_a.pk, {**VISITOR, "self_check": None})
    assert response.status_code == 201, response.content
    stored = IntakeRequest.objects.get()
    assert response.json() == {"reference": reference_for(stored.pk)}
    assert stored.clinic_id == clinic_a.pk


def test_api_422_names_the_fields_and_stores_nothing(client, clinic_a):
    body = {**VISITOR, "email": "", "phone": "", "message": "x" * (PUBLIC_MESSAGE_MAX_CHARS + 1)}
    assert invalid_fields(post_api(client, clinic_a.pk, body)) == {"message"}
    assert invalid_fields(post_api(client, clinic_a.pk, {**VISITOR, "email": "", "phone": ""})) == {
        "email",
        "phone",
    }
    assert "name" in invalid_fields(post_api(client, clinic_a.pk, {"preferred_contact": "phone"}))
    assert invalid_fields(post_api(client, clinic_a.pk, {**VISITOR, "website": "x"})) == {"website"}
    assert invalid_fields(post_api(client, clinic_a.pk, {**VISITOR, "self_check": "x"})) == {
        "self_check"
    }
    assert not IntakeRequest.objects.exists()


def test_api_404_for_an_unknown_clinic_and_409_for_a_closed_list(client, clinic_a):
    response = post_api(client, clinic_a.pk + 999, VISITOR)
    assert response.status_code == 404
    clinic_a.accepting_new_patients = False
    clinic_a.save()
    response = post_api(client, clinic_a.pk, VISITOR)
    assert response.status_code == 409
    assert "not accepting new patients" in response.json()["detail"]
    assert not IntakeRequest.objects.exists()


def test_api_flood_keeps_every_accepted_request_and_refuses_the_rest(client, clinic_a):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        answers = [
            post_api(client, clinic_a.pk, {**VISITOR, "name": f"Person {n}"}) for n in range(12)
        ]
    statuses = [a.status_code for a in answers]
    assert statuses == [201] * 5 + [429] * 7
    assert answers[-1].json() == {"detail": mock.ANY}
    assert answers[-1]["Retry-After"] == "3600"
    stored = IntakeRequest.objects.order_by("pk")
    assert [r.name for r in stored] == [f"Person {n}" for n in range(5)]
    assert {a.json()["reference"] for a in answers[:5]} == {reference_for(r.pk) for r in stored}


# --- the pages -------------------------------------------------------------------------------


def test_the_form_has_labels_autocomplete_a_hidden_honeypot_and_csrf(client, clinic_a):
    html = client.get(f"/clinics/{clinic_a.pk}/").content.decode()
    assert 'id="request"' in html
    for snippet in (
        'autocomplete="name"',
        'autocomplete="email"',
        'autocomplete="tel"',
        'type="radio"',
        "csrfmiddlewaretoken",
        f'action="{page_url(clinic_a.pk)}"',
        '<div class="visually-hidden" aria-hidden="true">',
        '<label for="id_website">Leave this empty</label>',
        'tabindex="-1"',
    ):
        assert snippet in html, snippet
    assert "Attach my self-check" not in html  # nothing to attach yet


def test_the_self_check_to_attach_is_summarised_and_sent_only_when_ticked(client, clinic_a):
    token = make_self_check_token(SELF_CHECK)
    html = client.get(f"/clinics/{clinic_a.pk}/", {"self_check": token}).content.decode()
    assert "Attach my self-check to this request" in html
    assert "May be a candidate" in html and "IV ketamine infusion: may be a candidate" in html

    form = {**VISITOR, "self_check": token}
    assert client.post(page_url(clinic_a.pk), form).status_code == 302
    client.post(page_url(clinic_a.pk), {**form, "attach_self_check": "on"})
    assert [r.self_check for r in IntakeRequest.objects.order_by("pk")] == [None, SELF_CHECK]


def test_a_sent_form_leads_to_what_happens_next(client, clinic_a, cora):
    response = client.post(page_url(clinic_a.pk), VISITOR, follow=True)
    stored = IntakeRequest.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[0][0].startswith(f"/clinics/{clinic_a.pk}/request/sent/")
    assert reference_for(stored.pk) in html
    assert "contact you by e-mail within 2 business days" in html
    assert 'href="tel:988"' in html
    assert VISITOR["name"] not in html


def test_a_bad_form_is_shown_again_naming_the_fields(client, clinic_a):
    response = client.post(page_url(clinic_a.pk), {**VISITOR, "email": "", "phone": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'id="id_phone_error"' in html
    assert VISITOR["name"] in html  # what was typed stays in the form
    assert not IntakeRequest.objects.exists()


def test_ticking_attach_without_a_self_check_is_named(client, clinic_a):
    response = client.post(page_url(clinic_a.pk), {**VISITOR, "attach_self_check": "on"})
    assert response.status_code == 422
    assert "There is no self-check to attach" in response.content.decode()


def test_a_closed_list_shows_no_form(client, clinic_a):
    clinic_a.accepting_new_patients = False
    clinic_a.save()
    html = client.get(f"/clinics/{clinic_a.pk}/").content.decode()
    assert "is not accepting new patients at the moment" in html
    assert "<form" not in html.split('id="request"')[1]
    assert client.post(page_url(clinic_a.pk), VISITOR).status_code == 409
    assert not IntakeRequest.objects.exists()


def test_the_page_says_when_the_limit_is_reached(client, clinic_a):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            assert client.post(page_url(clinic_a.pk), VISITOR).status_code == 302
        response = client.post(page_url(clinic_a.pk), VISITOR)
    assert response.status_code == 429
    assert "Too many requests were sent from your connection" in response.content.decode()
    assert IntakeRequest.objects.count() == 5


def test_unknown_clinic_pages_are_404(client, clinic_a):
    assert client.get(page_url(clinic_a.pk + 999)).status_code == 404
    assert client.post(page_url(clinic_a.pk + 999), VISITOR).status_code == 404
    assert client.get(f"/clinics/{clinic_a.pk + 999}/request/sent/").status_code == 404


def test_nothing_the_visitor_typed_reaches_a_log_line(client, clinic_a, cora, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(page_url(clinic_a.pk), VISITOR)  # stored, mailed
    client.post(page_url(clinic_a.pk), {**VISITOR, "email": "bad", "phone": ""})  # 422
    post_api(client, clinic_a.pk, VISITOR)  # stored
    post_api(client, clinic_a.pk, {**VISITOR, "preferred_contact": "text", "phone": ""})  # 422
    post_api(client, clinic_a.pk, {**VISITOR, "name": "Q" * 999})  # 422 by the schema
    assert IntakeRequest.objects.count() == 2
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {getattr(r, 'request', '')!r}" for r in caplog.records
    )
    assert caplog.records  # the request cycle did log (status lines, the mail job)
    for value in ("Wilhelmina", "Zzyzx", "0199", "quokka", "marmalade", "QQQQ"):
        assert value not in logged


# --- the staff side --------------------------------------------------------------------------


def test_the_queue_shows_an_attached_self_check_readably():
    rows = dict(self_check_rows(SELF_CHECK))
    assert rows["Result"] == "May be a candidate"
    assert rows["By treatment"] == "IV ketamine infusion: may be a candidate"
    assert rows["PHQ-9 total"] == "16"
    assert rows["PHQ-9 severity"] == "Moderately severe"
    assert rows["Treatment asked about"] == "IV ketamine infusion"


def test_the_reasons_of_an_attached_self_check_read_as_sentences():
    reasons = ["Age 42 is in the usual adult range.", "Not breastfeeding, as reported."]
    rows = dict(self_check_rows({**SELF_CHECK, "reasons": reasons}))
    assert rows["Why"] == "Age 42 is in the usual adult range. Not breastfeeding, as reported."


def test_the_coordinator_reads_the_public_request_with_its_self_check(staff_client, clinic_a, cora):
    request = IntakeRequestFactory(clinic=clinic_a, source="public", self_check=SELF_CHECK)
    response = staff_client(cora).get(f"/intake/{request.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "IV ketamine infusion: may be a candidate" in html
    assert "Moderately severe" in html
