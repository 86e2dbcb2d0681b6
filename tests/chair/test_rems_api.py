"""GET /api/v1/rems-forms and POST /api/v1/rems-forms/{id}/submitted (SAFE-REMS-FORM): the
clinic's forms due and submitted as a list (contracts 2.0), marking one submitted with the
version read; and a form made by a real discharge (the chair services) listed and rendered."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from ketacare.chair.models import RemsForm
from ketacare.clinical.adverse import rems_form_due
from tests.chair.conftest import ESK, ESK_MIN_TIME, reading_values
from tests.chair.rems_data import api_call, discharged_session, form_of

pytestmark = pytest.mark.django_db

LIST = "/api/v1/rems-forms"
SUBMITTED = "/api/v1/rems-forms/{}/submitted"


@pytest.fixture
def two_due_one_submitted(clinic_a, nora, alice):
    today = timezone.localdate()
    late = discharged_session(
        clinic_a, nora, alice, day=today - dt.timedelta(days=9)
    )  # deadline passed 2 days ago
    recent = discharged_session(clinic_a, nora, alice, day=today - dt.timedelta(days=1))
    done = discharged_session(clinic_a, nora, alice, submitted=True)
    return late, recent, done


def test_the_due_list_has_deadline_days_left_and_overdue(client, nora, two_due_one_submitted):
    late, recent, _ = two_due_one_submitted
    today = timezone.localdate()

    response = api_call(client, nora, "get", LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert (first["session_id"], first["days_left"], first["overdue"]) == (late.pk, -2, True)
    assert second["session_id"] == recent.pk
    assert second["due_on"] == rems_form_due(recent.date).isoformat()
    assert (second["days_left"], second["overdue"]) == (
        (rems_form_due(recent.date) - today).days,
        False,
    )
    patient = recent.patient
    assert second["patient_name"] == f"{patient.given_name} {patient.family_name}"
    assert second["pdf_url"] == f"/api/v1/sessions/{recent.pk}/rems-form.pdf"
    assert (second["submitted_at"], second["submitted_by"], second["version"]) == (None, None, 1)
    assert set(second) == {
        "id", "session_id", "patient_id", "patient_name", "session_number", "session_date",
        "due_on", "days_left", "overdue", "submitted_at", "submitted_by", "pdf_url", "version",
    }  # fmt: skip


def test_the_submitted_list_and_paging(client, nora, two_due_one_submitted):
    _, recent, done = two_due_one_submitted

    submitted = api_call(client, nora, "get", LIST, status="submitted").json()
    page = api_call(client, nora, "get", LIST, limit=1, offset=1).json()

    assert [i["session_id"] for i in submitted["items"]] == [done.pk]
    assert submitted["items"][0]["submitted_by"] == "nora"
    assert submitted["items"][0]["overdue"] is False
    assert page["count"] == 2 and [i["session_id"] for i in page["items"]] == [recent.pk]


def test_the_list_read_is_audited_under_each_patient_shown(client, nora, two_due_one_submitted):
    late, recent, _ = two_due_one_submitted

    api_call(client, nora, "get", LIST)

    event = AuditEvent.objects.filter(object_type=PATIENT_LIST_OBJECT_TYPE).get()
    ids = ",".join(str(i) for i in sorted([late.patient_id, recent.patient_id]))
    assert event.detail == f"rems_forms status=due offset=0 shown=2 total=2 ids={ids}"


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "late"}, "status"), ({"limit": 0}, "limit")]
)
def test_a_bad_query_is_a_422_naming_it(client, nora, params, field):
    response = api_call(client, nora, "get", LIST, **params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_another_clinic_sees_none_and_a_coordinator_is_refused(
    client, clinic_a, bob, cora, two_due_one_submitted
):
    assert api_call(client, bob, "get", LIST).json() == {"items": [], "count": 0}
    assert api_call(client, bob, "get", LIST, clinic_id=clinic_a.pk).status_code == 404
    refused = api_call(client, cora, "get", LIST)
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}


def test_marking_submitted_answers_the_form(client, alice, two_due_one_submitted):
    _, recent, _ = two_due_one_submitted
    form = form_of(recent)

    response = api_call(client, alice, "post", SUBMITTED.format(form.pk), {"version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["version"], body["submitted_by"]) == (form.pk, 2, "alice")
    assert body["submitted_at"] is not None and body["overdue"] is False
    assert api_call(client, alice, "get", LIST).json()["count"] == 1


def test_a_stale_version_is_409_and_nothing_changes(client, nora, alice, two_due_one_submitted):
    _, recent, _ = two_due_one_submitted
    form = form_of(recent)
    api_call(client, alice, "post", SUBMITTED.format(form.pk), {"version": 1})
    before = RemsForm.objects.get(pk=form.pk)

    response = api_call(client, nora, "post", SUBMITTED.format(form.pk), {"version": 1})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Someone else changed this form first; reload to see their change."
    }
    after = RemsForm.objects.get(pk=form.pk)
    assert (after.submitted_by_id, after.version) == (before.submitted_by_id, before.version)


def test_the_body_takes_only_the_version(client, nora, two_due_one_submitted):
    form = form_of(two_due_one_submitted[1])

    extra = api_call(client, nora, "post", SUBMITTED.format(form.pk), {"version": 1, "at": "x"})
    missing = api_call(client, nora, "post", SUBMITTED.format(form.pk), {})

    assert extra.status_code == 422 and missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "version"
    assert RemsForm.objects.get(pk=form.pk).submitted_at is None


def test_another_clinics_form_is_404_and_an_auditor_403(client, bob, audrey, two_due_one_submitted):
    form = form_of(two_due_one_submitted[1])

    assert (
        api_call(client, bob, "post", SUBMITTED.format(form.pk), {"version": 1}).status_code == 404
    )
    assert (
        api_call(client, audrey, "post", SUBMITTED.format(form.pk), {"version": 1}).status_code
        == 403
    )
    assert RemsForm.objects.get(pk=form.pk).submitted_at is None


def test_the_due_list_costs_the_same_queries_for_1_and_20_forms(
    client, clinic_a, nora, alice, django_assert_num_queries
):
    from ketacare.accounts.services import create_api_token

    token = create_api_token(user=nora.user, name="count").value
    headers = {"Authorization": f"Bearer {token}"}
    discharged_session(clinic_a, nora, alice)
    client.get(LIST, headers=headers)  # warm caches of the first request
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST, headers=headers).json()["count"] == 1
    for _ in range(19):
        discharged_session(clinic_a, nora, alice)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(LIST, headers=headers).json()["count"] == 20


def test_a_form_made_by_a_real_discharge_is_due_and_renders(
    time_machine, client, session_today, dosed, nora
):
    # Given an esketamine session dosed at 09:00 and watched with normal readings
    from ketacare.chair.services import discharge_session, record_reading

    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9, 0)))
    time_machine.move_to(start, tick=False)
    session = session_today(ESK)
    dosed(session, at=start)
    for minute in (40, 90, 118):
        when = start + dt.timedelta(minutes=minute)
        time_machine.move_to(when, tick=False)
        record_reading(session=session, values=reading_values(at=when), by=nora, now=when)
    # When it is discharged after the minimum, ready to leave at 80 minutes
    end = start + ESK_MIN_TIME + dt.timedelta(minutes=5)
    time_machine.move_to(end, tick=False)
    discharge_session(
        session=session,
        dissociation_resolved=True,
        no_driving_instructed=True,
        ready_without_minimum_min=80,
        by=nora,
        now=end,
    )

    # Then its form is due within the deadline and its PDF is filled
    listed = api_call(client, nora, "get", LIST).json()
    assert [i["session_id"] for i in listed["items"]] == [session.pk]
    assert listed["items"][0]["due_on"] == rems_form_due(session.date).isoformat()
    pdf = api_call(client, nora, "get", listed["items"][0]["pdf_url"])
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "LOT-1" in text and "125 minutes" in text
    assert "80 minutes after the start of administration" in text
