"""The intake pages: queue, one request, status moves, registering, a new request."""

from __future__ import annotations

import pytest

from ketacare.intake.models import IntakeRequest
from ketacare.patients.models import Patient
from tests.factories import IntakeRequestFactory
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db

QUEUE = "/intake/"


def _text(response):
    return response.content.decode()


# --- the queue --------------------------------------------------------------------------


def test_coordinator_sees_the_open_requests_newest_first_with_counts(staff_client, cora, clinic_a):
    first = IntakeRequestFactory(clinic=clinic_a, name="Avery First")
    second = IntakeRequestFactory(clinic=clinic_a, name="Blake Second", status="contacted")
    IntakeRequestFactory(clinic=clinic_a, name="Casey Closed", status="closed")

    body = _text(staff_client(cora).get(QUEUE))

    assert body.index("Blake Second") < body.index("Avery First")
    assert "Casey Closed" not in body
    assert 'aria-current="page">Open <span class="intake-count">2</span>' in body
    assert 'Closed <span class="intake-count">1</span>' in body
    assert 'All <span class="intake-count">3</span>' in body
    (event,) = audit_events(object_type="intake_request_list")
    assert event.detail == f"page=1 shown=2 total=2 status=open ids={second.pk},{first.pk}"


def test_a_status_tab_shows_that_status_only(staff_client, cora, clinic_a):
    IntakeRequestFactory(clinic=clinic_a, name="Avery Open")
    IntakeRequestFactory(clinic=clinic_a, name="Casey Closed", status="closed")

    body = _text(staff_client(cora).get(QUEUE, {"status": "closed"}))

    assert "Casey Closed" in body and "Avery Open" not in body


def test_an_htmx_request_gets_the_queue_fragment_only(staff_client, cora, request_a):
    response = staff_client(cora).get(QUEUE, {"status": "new"}, headers={"HX-Request": "true"})

    body = _text(response)
    assert body.startswith('<section id="intake-queue"') and "<html" not in body
    assert "Rowan Quill" in body
    assert "HX-Request" in response["Vary"]


def test_an_unknown_tab_is_a_400_and_nothing_is_read(staff_client, cora, request_a):
    response = staff_client(cora).get(QUEUE, {"status": "lost"})

    assert response.status_code == 400
    assert "Rowan Quill" not in _text(response)
    assert not audit_events(object_type="intake_request_list")


def test_nurse_gets_403_on_the_queue_and_it_is_audited(staff_client, nora, request_a):
    response = staff_client(nora).get(QUEUE)

    assert response.status_code == 403
    (event,) = audit_events(allowed=False)
    assert (event.object_type, event.detail) == ("intake_request_list", "role_lacks:view_intake")


def test_the_queue_never_shows_another_clinics_requests(staff_client, bob, request_a, request_b):
    body = _text(staff_client(bob).get(QUEUE))

    assert "Elsa Elsewhere" in body and "Rowan Quill" not in body


@pytest.mark.parametrize(("person", "shown"), [("cora", True), ("adam", True), ("alice", True),
                                               ("audrey", True), ("nora", False)])  # fmt: skip
def test_the_nav_links_to_the_queue_for_roles_that_read_it(request, staff_client, person, shown):
    body = _text(staff_client(request.getfixturevalue(person)).get("/"))

    assert ('href="/intake/"' in body) is shown


# --- one request ------------------------------------------------------------------------


def test_the_request_page_shows_the_contact_and_the_self_check_readably(
    staff_client, cora, clinic_a
):
    item = IntakeRequestFactory(
        clinic=clinic_a,
        source="public",
        name="Rowan Quill",
        self_check={
            "answers": {"route": "esketamine_nasal", "age": 34, "pregnant": False},
            "result": "needs_clinician",
            "reasons": ["Two antidepressants tried.", "Blood pressure unknown."],
        },
    )

    body = _text(staff_client(cora).get(f"/intake/{item.pk}/"))

    assert "Self-check attached" in body
    assert "<dt>Treatment asked about</dt><dd>Esketamine nasal spray</dd>" in body
    assert "<dt>Pregnant</dt><dd>No</dd>" in body
    assert "<dt>Result</dt><dd>A clinician needs to look</dd>" in body
    assert "Two antidepressants tried. Blood pressure unknown." in body
    assert "Register as patient" in body and "Close request" in body
    (event,) = audit_events(object_type="intake_request", action="read")
    assert event.object_id == str(item.pk)


def test_auditor_reads_a_request_without_any_action(staff_client, audrey, request_a):
    body = _text(staff_client(audrey).get(f"/intake/{request_a.pk}/"))

    assert "Rowan Quill" in body
    assert "Register as patient" not in body and "Close request" not in body


def test_bob_gets_404_for_clinic_as_request_page_and_it_is_audited(staff_client, bob, request_a):
    response = staff_client(bob).get(f"/intake/{request_a.pk}/")

    assert response.status_code == 404
    assert "Rowan Quill" not in _text(response)
    (event,) = audit_events(allowed=False)
    assert (event.object_id, event.detail) == (str(request_a.pk), "not_found_in_clinic")


def test_a_registered_request_links_to_the_patient(staff_client, cora, clinic_a, patient_a):
    item = IntakeRequestFactory(clinic=clinic_a, patient=patient_a, status="evaluation_scheduled")

    body = _text(staff_client(cora).get(f"/intake/{item.pk}/"))

    assert f'href="/patients/{patient_a.pk}/"' in body
    assert "Register as patient" not in body


# --- status moves -----------------------------------------------------------------------


def test_coordinator_marks_a_request_contacted(staff_client, cora, request_a):
    response = staff_client(cora).post(
        f"/intake/{request_a.pk}/status/", {"version": 1, "status": "contacted"}
    )

    assert (response.status_code, response["Location"]) == (302, f"/intake/{request_a.pk}/")
    request_a.refresh_from_db()
    assert request_a.status == "contacted"


def test_closing_without_a_reason_is_a_form_error(staff_client, cora, request_a):
    response = staff_client(cora).post(
        f"/intake/{request_a.pk}/status/", {"version": 1, "status": "closed", "closed_reason": ""}
    )

    assert response.status_code == 400
    assert "Give the reason for closing the request." in _text(response)
    request_a.refresh_from_db()
    assert request_a.status == "new"


def test_a_stale_page_is_told_someone_else_changed_the_request(staff_client, cora, request_a):
    staff_client(cora).post(
        f"/intake/{request_a.pk}/status/", {"version": 1, "status": "contacted"}
    )

    response = staff_client(cora).post(
        f"/intake/{request_a.pk}/status/",
        {"version": 1, "status": "closed", "closed_reason": "Duplicate"},
    )

    assert response.status_code == 409
    assert "Someone else changed this intake request first" in _text(response)
    request_a.refresh_from_db()
    assert request_a.status == "contacted"


def test_auditor_cannot_post_a_move(staff_client, audrey, request_a):
    response = staff_client(audrey).post(
        f"/intake/{request_a.pk}/status/", {"version": 1, "status": "contacted"}
    )

    assert response.status_code == 403
    request_a.refresh_from_db()
    assert request_a.status == "new"


# --- registering ------------------------------------------------------------------------


def test_the_register_page_prefills_the_request(staff_client, cora, clinic_a):
    item = IntakeRequestFactory(
        clinic=clinic_a, name="Mary Ann Smith", email="mas@example.org", phone="617-555-0123"
    )

    body = _text(staff_client(cora).get(f"/intake/{item.pk}/register/"))

    assert 'name="given_name" value="Mary Ann"' in body
    assert 'name="family_name" value="Smith"' in body
    assert 'value="mas@example.org"' in body and 'value="617-555-0123"' in body
    assert 'name="date_of_birth"' in body and 'name="sex_at_birth"' in body


def test_registering_lands_on_the_new_patients_chart(staff_client, cora, request_a):
    response = staff_client(cora).post(
        f"/intake/{request_a.pk}/register/",
        {"version": 1, "given_name": "Rowan", "family_name": "Quill",
         "date_of_birth": "1984-05-17", "sex_at_birth": "female",
         "email": "rowan@example.org", "phone": "617-555-0142", "mrn": ""},
    )  # fmt: skip

    patient = Patient.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/patients/{patient.pk}/")
    request_a.refresh_from_db()
    assert (request_a.patient_id, patient.intake_request_id) == (patient.pk, request_a.pk)
    assert request_a.status == "evaluation_scheduled"


def test_a_birth_date_in_the_future_is_a_form_error(staff_client, cora, request_a):
    response = staff_client(cora).post(
        f"/intake/{request_a.pk}/register/",
        {"version": 1, "given_name": "Rowan", "family_name": "Quill",
         "date_of_birth": "2999-01-01", "sex_at_birth": "female"},
    )  # fmt: skip

    assert response.status_code == 400
    assert 'id="id_date_of_birth_error"' in _text(response)
    assert not Patient.objects.exists()


def test_a_registered_request_sends_the_register_page_to_the_chart(
    staff_client, cora, clinic_a, patient_a
):
    item = IntakeRequestFactory(clinic=clinic_a, patient=patient_a)

    response = staff_client(cora).get(f"/intake/{item.pk}/register/")

    assert (response.status_code, response["Location"]) == (302, f"/patients/{patient_a.pk}/")


def test_a_closed_request_offers_no_registration(staff_client, cora, clinic_a):
    item = IntakeRequestFactory(clinic=clinic_a, status="closed")

    body = _text(staff_client(cora).get(f"/intake/{item.pk}/register/"))

    assert "a closed request is final" in body and 'name="given_name"' not in body


@pytest.mark.parametrize("person", ["alice", "audrey", "nora"])
def test_roles_without_manage_intake_get_403_on_the_register_page(
    request, staff_client, person, request_a
):
    response = staff_client(request.getfixturevalue(person)).get(
        f"/intake/{request_a.pk}/register/"
    )

    assert response.status_code == 403


def test_bob_gets_404_on_the_register_page(staff_client, bob, request_a):
    assert staff_client(bob).get(f"/intake/{request_a.pk}/register/").status_code == 404


# --- a new request ----------------------------------------------------------------------


def test_coordinator_enters_a_request_from_the_page(staff_client, cora):
    response = staff_client(cora).post(
        "/intake/new/",
        {"name": "Sam Reed", "email": "", "phone": "617 555 0111", "preferred_contact": "phone",
         "best_time": "", "message": "Walked in."},
    )  # fmt: skip

    created = IntakeRequest.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/intake/{created.pk}/")
    assert (created.source, created.status, created.clinic_id) == ("staff", "new", cora.clinic_id)


def test_a_request_without_email_or_phone_is_a_form_error(staff_client, cora):
    response = staff_client(cora).post(
        "/intake/new/", {"name": "Sam Reed", "preferred_contact": "phone"}
    )

    assert response.status_code == 400
    assert "Give an e-mail address or a phone number (at least one)." in _text(response)
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize("person", ["alice", "audrey", "nora"])
def test_roles_without_manage_intake_get_403_on_the_new_request_page(request, staff_client, person):
    assert staff_client(request.getfixturevalue(person)).get("/intake/new/").status_code == 403
