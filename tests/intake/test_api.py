"""The intake API (contracts.md 2.0, 2.5 staff side): exact statuses and bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.accounts.services import create_api_token
from ketacare.intake.errors import STALE_VERSION_MESSAGE
from ketacare.intake.models import IntakeRequest
from ketacare.intake.services import NO_CONTACT
from ketacare.patients.models import Patient
from tests.factories import IntakeRequestFactory, MembershipFactory
from tests.intake.conftest import audit_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake-requests"
NOT_FOUND = {"detail": "Not Found"}
READ_KEYS = {
    "id", "clinic_id", "source", "name", "email", "phone", "preferred_contact", "best_time",
    "message", "self_check", "status", "closed_reason", "patient_id", "version", "created_at",
    "updated_at",
}  # fmt: skip


@pytest.fixture
def api(client):
    """`api(alice).get(path)`: the test client with alice's bearer token."""

    class Caller:
        def __init__(self, membership):
            token = create_api_token(user=membership.user, name="test").value
            self.headers = {"Authorization": f"Bearer {token}"}

        def get(self, path, **params):
            return client.get(path, params, headers=self.headers)

        def post(self, path, body):
            return client.post(path, body, content_type="application/json", headers=self.headers)

        def patch(self, path, body):
            return client.patch(path, body, content_type="application/json", headers=self.headers)

    return Caller


# --- GET /intake-requests ---------------------------------------------------------------


def test_coordinator_reads_the_queue_newest_first_with_the_contract_fields(api, cora, clinic_a):
    older = IntakeRequestFactory(clinic=clinic_a)
    newer = IntakeRequestFactory(clinic=clinic_a, self_check={"result": "needs_clinician"})
    IntakeRequestFactory(clinic=clinic_a)
    IntakeRequest.objects.filter(pk=older.pk).update(
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )

    response = api(cora).get(URL, limit=2)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [newer.pk + 1, newer.pk]
    assert set(body["items"][1]) == READ_KEYS
    assert body["items"][1]["self_check"] == {"result": "needs_clinician"}
    assert body["items"][1]["status"] == "new" and body["items"][1]["version"] == 1


def test_offset_pages_through_the_queue_and_the_read_is_audited_with_the_ids(api, cora, clinic_a):
    first, second = IntakeRequestFactory(clinic=clinic_a), IntakeRequestFactory(clinic=clinic_a)

    response = api(cora).get(URL, limit=1, offset=1)

    assert [item["id"] for item in response.json()["items"]] == [first.pk]
    (event,) = audit_events(object_type="intake_request_list")
    assert event.detail == f"offset=1 shown=1 total=2 status=all ids={first.pk}"
    assert str(second.pk) not in event.detail.split("ids=")[1]


def test_the_status_filter_shows_one_status(api, adam, clinic_a):
    IntakeRequestFactory(clinic=clinic_a)
    closed = IntakeRequestFactory(clinic=clinic_a, status="closed")

    body = api(adam).get(URL, status="closed").json()

    assert (body["count"], [i["id"] for i in body["items"]]) == (1, [closed.pk])
    assert body["items"][0]["closed_reason"] == "Not reachable"


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
                          ({"offset": -1}, "offset"), ({"status": "lost"}, "status")],
)  # fmt: skip
def test_bad_list_parameters_are_a_422_naming_the_parameter(api, cora, params, field):
    response = api(cora).get(URL, **params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_the_queue_never_shows_another_clinics_requests(api, bob, request_a, request_b):
    body = api(bob).get(URL).json()

    assert [item["id"] for item in body["items"]] == [request_b.pk]


def test_nurse_gets_403_on_the_queue(api, nora, request_a):
    response = api(nora).get(URL)

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role does not allow view_intake."},
    )
    (event,) = audit_events(allowed=False)
    assert (event.object_type, event.detail) == ("intake_request", "role_lacks:view_intake")


def test_a_caller_of_several_clinics_names_the_clinic(api, cora, clinic_b, request_b):
    MembershipFactory(user=cora.user, clinic=clinic_b, role="coordinator")

    response = api(cora).get(URL)
    chosen = api(cora).get(URL, clinic_id=clinic_b.pk)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "clinic_id"],
            "msg": "You work for several clinics: name the clinic with clinic_id.",
        }
    ]
    assert [item["id"] for item in chosen.json()["items"]] == [request_b.pk]


def test_a_clinic_the_caller_does_not_belong_to_is_a_404(api, cora, clinic_b):
    response = api(cora).get(URL, clinic_id=clinic_b.pk)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_without_credentials_the_queue_is_a_401(client, db):
    assert client.get(URL).status_code == 401


# --- GET /intake-requests/{id} ----------------------------------------------------------


def test_auditor_reads_one_request_and_the_read_is_audited(api, audrey, request_a):
    response = api(audrey).get(f"{URL}/{request_a.pk}")

    assert response.status_code == 200
    assert response.json()["name"] == "Rowan Quill"
    (event,) = audit_events(object_type="intake_request", action="read")
    assert (event.object_id, event.detail) == (str(request_a.pk), "")


def test_bob_gets_404_for_clinic_as_request_and_it_is_audited(api, bob, request_a):
    response = api(bob).get(f"{URL}/{request_a.pk}")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    (event,) = audit_events(allowed=False)
    assert (event.clinic_id, event.object_id, event.detail) == (
        bob.clinic_id,
        str(request_a.pk),
        "not_found_in_clinic",
    )


def test_a_missing_request_is_the_same_404(api, cora):
    assert api(cora).get(f"{URL}/999999").json() == NOT_FOUND


# --- POST /intake-requests --------------------------------------------------------------


def test_coordinator_enters_a_request(api, cora):
    response = api(cora).post(
        URL,
        {"name": "Sam Reed", "phone": "617-555-0111", "preferred_contact": "text",
         "best_time": "After 5 pm", "message": "Called the front desk."},
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["source"], body["email"], body["version"]) == (
        "new",
        "staff",
        "",
        1,
    )
    assert IntakeRequest.objects.get().clinic_id == cora.clinic_id


def test_neither_email_nor_phone_is_a_422_naming_both(api, cora):
    response = api(cora).post(URL, {"name": "Sam Reed", "preferred_contact": "phone"})

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {"loc": ["body", "email"], "msg": NO_CONTACT},
                {"loc": ["body", "phone"], "msg": NO_CONTACT},
            ]
        },
    )
    assert not IntakeRequest.objects.exists()


def test_an_unknown_key_is_a_422(api, cora):
    response = api(cora).post(
        URL, {"name": "Sam", "phone": "6175550111", "preferred_contact": "phone", "vip": True}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "vip"


def test_auditor_may_not_enter_a_request(api, audrey):
    response = api(audrey).post(URL, {"name": "Sam", "phone": "6175550111",
                                      "preferred_contact": "phone"})  # fmt: skip

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role does not allow manage_intake."},
    )


# --- PATCH /intake-requests/{id} --------------------------------------------------------


def test_coordinator_moves_a_request_on(api, cora, request_a):
    response = api(cora).patch(f"{URL}/{request_a.pk}", {"version": 1, "status": "contacted"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("contacted", 2)


def test_closing_with_a_reason(api, cora, request_a):
    response = api(cora).patch(
        f"{URL}/{request_a.pk}",
        {"version": 1, "status": "closed", "closed_reason": "Chose another clinic"},
    )

    assert response.status_code == 200
    assert response.json()["closed_reason"] == "Chose another clinic"


def test_auditor_reads_but_gets_403_on_patch(api, audrey, request_a):
    response = api(audrey).patch(f"{URL}/{request_a.pk}", {"version": 1, "status": "contacted"})

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role does not allow manage_intake."},
    )
    request_a.refresh_from_db()
    assert request_a.status == "new"


def test_bob_gets_404_on_patch(api, bob, request_a):
    response = api(bob).patch(f"{URL}/{request_a.pk}", {"version": 1, "status": "contacted"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    (event,) = audit_events(allowed=False)
    assert (event.action, event.detail) == ("update", "not_found_in_clinic")


def test_a_stale_version_is_a_409(api, cora, request_a):
    api(cora).patch(f"{URL}/{request_a.pk}", {"version": 1, "status": "contacted"})

    response = api(cora).patch(
        f"{URL}/{request_a.pk}", {"version": 1, "status": "evaluation_scheduled"}
    )

    assert (response.status_code, response.json()) == (409, {"detail": STALE_VERSION_MESSAGE})
    request_a.refresh_from_db()
    assert (request_a.status, request_a.version) == ("contacted", 2)


def test_closing_without_a_reason_is_a_422_naming_closed_reason(api, cora, request_a):
    response = api(cora).patch(f"{URL}/{request_a.pk}", {"version": 1, "status": "closed"})

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "closed_reason"],
                    "msg": "Give the reason for closing the request.",
                }
            ]
        },
    )


def test_an_invalid_transition_is_a_409_with_a_sentence(api, cora, clinic_a):
    scheduled = IntakeRequestFactory(clinic=clinic_a, status="evaluation_scheduled")

    response = api(cora).patch(f"{URL}/{scheduled.pk}", {"version": 1, "status": "new"})

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "A request only moves forward: "
            "it cannot go back from evaluation scheduled to new."
        },
    )


def test_patch_without_version_is_a_422_naming_version(api, cora, request_a):
    response = api(cora).patch(f"{URL}/{request_a.pk}", {"status": "contacted"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "version"


# --- POST /intake-requests/{id}/register ------------------------------------------------

PERSON = {"given_name": "Rowan", "family_name": "Quill", "date_of_birth": "1984-05-17",
          "sex_at_birth": "female"}  # fmt: skip


def test_coordinator_registers_the_patient(api, cora, request_a):
    response = api(cora).post(f"{URL}/{request_a.pk}/register", {"version": 1, **PERSON})

    assert response.status_code == 201
    body = response.json()
    patient = Patient.objects.get()
    assert body["patient_id"] == patient.pk
    assert body["intake_request"]["patient_id"] == patient.pk
    assert body["intake_request"]["status"] == "evaluation_scheduled"
    assert patient.intake_request_id == request_a.pk


def test_registering_twice_is_a_409(api, cora, request_a):
    first = api(cora).post(f"{URL}/{request_a.pk}/register", {"version": 1, **PERSON})

    response = api(cora).post(f"{URL}/{request_a.pk}/register", {"version": 2, **PERSON})

    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"This request is already registered as patient {first.json()['patient_id']}."},
    )
    assert Patient.objects.count() == 1


def test_registering_a_bad_birth_date_is_a_422_naming_it(api, cora, request_a):
    response = api(cora).post(
        f"{URL}/{request_a.pk}/register", {"version": 1, **PERSON, "date_of_birth": "2999-01-01"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "date_of_birth"
    assert not Patient.objects.exists()


def test_auditor_gets_403_on_register(api, audrey, request_a):
    response = api(audrey).post(f"{URL}/{request_a.pk}/register", {"version": 1, **PERSON})

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role does not allow manage_intake."},
    )


def test_bob_gets_404_on_register(api, bob, request_a):
    response = api(bob).post(f"{URL}/{request_a.pk}/register", {"version": 1, **PERSON})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not Patient.objects.exists()
