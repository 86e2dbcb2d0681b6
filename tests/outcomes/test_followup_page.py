"""The follow-up page and its API twin: due, overdue, answered and failed; status only (no
scores), a fixed number of queries, "send now", and nothing of another clinic."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.outcomes.conftest import PHQ9_CALM
from tests.outcomes.helpers_delivery import patient_timepoint, with_email

pytestmark = pytest.mark.django_db

PAGE = "/outcomes/follow-up/"
API = "/api/v1/follow-up"
SEND = "/api/v1/timepoints/{}/send"


@pytest.fixture
def quiet_plan(plan: Any) -> Any:
    from ketacare.outcomes.models import Timepoint

    Timepoint.objects.filter(plan=plan).delete()
    return with_email(plan)


def _page_queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_coordinator_sees_status_but_no_score(
    quiet_plan: Any, cora: Any, staff_client: Any, staff_scale: Any
) -> None:
    from ketacare.outcomes.models import Timepoint

    due = patient_timepoint(quiet_plan, due_days_ago=0)
    answered = patient_timepoint(quiet_plan, due_days_ago=3)
    assessment = staff_scale(quiet_plan.patient, "phq9", PHQ9_CALM, days_ago=1)
    Timepoint.objects.filter(pk=answered.pk).update(assessment=assessment)
    page = staff_client(cora)

    due_page = page.get(PAGE).content.decode()
    answered_page = page.get(PAGE + "?status=answered").content.decode()

    assert quiet_plan.patient.family_name in due_page
    assert f"/outcomes/follow-up/{due.pk}/send/" in due_page
    assert "Answered" in answered_page
    assert assessment.severity and assessment.severity.lower() not in answered_page.lower()
    assert f">{assessment.total}<" not in answered_page


def test_query_count_does_not_grow_with_rows(quiet_plan: Any, cora: Any, staff_client: Any) -> None:
    from ketacare.outcomes.delivery import send_invitation

    page = staff_client(cora)
    first = patient_timepoint(quiet_plan, due_days_ago=0, sequence=1)
    send_invitation.call(timepoint_id=first.pk, site_url="https://x.example/")
    page.get(PAGE)  # warm caches that are not the page's own (content types, ...)
    one_row = _page_queries(page, PAGE)
    for sequence in range(2, 21):
        timepoint = patient_timepoint(quiet_plan, due_days_ago=0, sequence=sequence)
        if sequence % 2:
            send_invitation.call(timepoint_id=timepoint.pk, site_url="https://x.example/")

    twenty_rows = _page_queries(page, PAGE)

    assert twenty_rows == one_row
    # session, user, TOTP device, memberships, count and rows, audit (2), tab counts (4),
    # session save (3); PostgreSQL appends the audit event in one round trip.
    assert one_row == 15 - (connection.vendor == "postgresql")


def test_another_clinic_sees_nothing_and_cannot_send(
    quiet_plan: Any, bob: Any, staff_client: Any, api: Any
) -> None:
    due = patient_timepoint(quiet_plan)
    page = staff_client(bob)

    listing = page.get(PAGE).content.decode()
    sent = page.post(f"/outcomes/follow-up/{due.pk}/send/")
    via_api = api(bob, "post", SEND.format(due.pk))

    assert quiet_plan.patient.family_name not in listing
    assert sent.status_code == 404
    assert via_api.status_code == 404 and via_api.json() == {"detail": "Not Found"}
    assert api(bob, "get", API).json() == {"items": [], "count": 0}
    assert mail.outbox == []


def test_send_now_from_the_page_emails_a_link(
    quiet_plan: Any, cora: Any, staff_client: Any
) -> None:
    from ketacare.outcomes.models import Delivery

    due = patient_timepoint(quiet_plan)

    response = staff_client(cora).post(
        f"/outcomes/follow-up/{due.pk}/send/", {"next": PAGE + "?status=due"}
    )

    assert response.status_code == 302 and response["Location"] == PAGE + "?status=due"
    assert Delivery.objects.get().status == "sent" and len(mail.outbox) == 1


def test_auditor_reads_the_list_but_may_not_send(
    quiet_plan: Any, audrey: Any, staff_client: Any
) -> None:
    due = patient_timepoint(quiet_plan)
    page = staff_client(audrey)

    listing = page.get(PAGE).content.decode()
    refused = page.post(f"/outcomes/follow-up/{due.pk}/send/")

    assert quiet_plan.patient.family_name in listing and "Send now" not in listing
    assert refused.status_code == 403 and mail.outbox == []


def test_failed_deliveries_are_listed_with_their_reason(
    quiet_plan: Any, cora: Any, staff_client: Any, api: Any
) -> None:
    from ketacare.outcomes.delivery import NO_EMAIL, send_invitation
    from ketacare.patients.models import Patient

    Patient.objects.filter(pk=quiet_plan.patient_id).update(email="")
    due = patient_timepoint(quiet_plan)
    send_invitation.call(timepoint_id=due.pk, site_url="https://x.example/")

    page = staff_client(cora).get(PAGE + "?status=failed").content.decode()
    body = api(cora, "get", API, status="failed").json()

    assert NO_EMAIL in page and "Send again" in page
    [item] = body["items"]
    assert body["count"] == 1 and item["timepoint_id"] == due.pk
    assert item["last_delivery"]["status"] == "failed"
    assert item["last_delivery"]["error"] == NO_EMAIL


def test_api_lists_due_and_overdue_without_scores(quiet_plan: Any, cora: Any, api: Any) -> None:
    due = patient_timepoint(quiet_plan, due_days_ago=0)
    overdue = patient_timepoint(quiet_plan, due_days_ago=3)

    due_body = api(cora, "get", API, status="due").json()
    overdue_body = api(cora, "get", API, status="overdue", limit=1).json()

    assert [i["timepoint_id"] for i in due_body["items"]] == [due.pk]
    assert overdue_body["count"] == 1 and overdue_body["items"][0]["timepoint_id"] == overdue.pk
    assert set(due_body["items"][0]) == {
        "timepoint_id", "patient_id", "instrument", "kind", "due_on", "status", "answered_at",
        "link_expires_at", "last_delivery",
    }  # fmt: skip


def test_api_refuses_a_bad_filter_naming_it(cora: Any, api: Any) -> None:
    response = api(cora, "get", API, status="late")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "status"


def test_api_send_answers_201_with_the_delivery(quiet_plan: Any, cora: Any, api: Any) -> None:
    from ketacare.outcomes.models import Delivery

    due = patient_timepoint(quiet_plan)

    response = api(cora, "post", SEND.format(due.pk))

    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "sent" and body["delivery_id"] == Delivery.objects.get().pk


def test_api_send_of_an_answered_timepoint_is_409_and_sends_nothing(
    quiet_plan: Any, cora: Any, api: Any, staff_scale: Any
) -> None:
    from ketacare.outcomes.models import Timepoint

    due = patient_timepoint(quiet_plan)
    answer = staff_scale(quiet_plan.patient, "phq9", PHQ9_CALM)
    Timepoint.objects.filter(pk=due.pk).update(assessment=answer)

    response = api(cora, "post", SEND.format(due.pk))

    assert response.status_code == 409 and mail.outbox == []
