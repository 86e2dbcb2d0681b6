"""E-mail delivery of patient links as background jobs (ketacare.outcomes.delivery): sent,
failed without an address, failed at the mail server; no address or token in logs, Delivery
rows, audit events or the stored job."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from tests.outcomes.helpers_delivery import PATIENT_EMAIL, SITE, patient_timepoint, with_email

pytestmark = pytest.mark.django_db

REFUSING = "tests.outcomes.helpers_delivery.RefusingBackend"


def _token_of(body: str) -> str:
    start = body.index(f"{SITE}r/") + len(f"{SITE}r/")
    return body[start : body.index("/", start)]


def test_invitation_is_sent_with_a_working_link_and_recorded(plan: Any) -> None:
    from ketacare.audit.models import AuditEvent
    from ketacare.outcomes.delivery import SUBJECTS, send_invitation
    from ketacare.outcomes.links import usable_link
    from ketacare.outcomes.models import Delivery

    with_email(plan)
    timepoint = patient_timepoint(plan)

    result = send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)

    delivery = Delivery.objects.get(pk=result["delivery_id"])
    assert (delivery.status, delivery.kind, delivery.error) == ("sent", "invitation", "")
    assert delivery.sent_at is not None and delivery.link.timepoint_id == timepoint.pk
    [message] = mail.outbox
    patient = plan.patient
    assert message.to == [PATIENT_EMAIL]
    assert message.subject == SUBJECTS["invitation"]
    for secret in (patient.given_name, patient.family_name, "PHQ", "ketamine", "Ketamine"):
        assert secret not in message.subject
    assert f"Hello {patient.given_name}," in message.body
    assert patient.family_name not in message.body
    assert plan.clinic.name in message.body and plan.clinic.phone in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and patient.family_name not in html
    token = _token_of(message.body)
    assert token in html
    assert usable_link(token) == delivery.link
    event = AuditEvent.objects.get(object_type="assessment_delivery", object_id=str(delivery.pk))
    assert event.patient_id == patient.pk and "status=sent" in event.detail
    assert not AuditEvent.objects.filter(detail__contains=token).exists()


def test_patient_without_email_is_a_failed_delivery_and_the_link_closes(plan: Any) -> None:
    from ketacare.outcomes.delivery import NO_EMAIL, send_invitation
    from ketacare.outcomes.links import is_open
    from ketacare.outcomes.models import Delivery

    timepoint = patient_timepoint(plan)

    result = send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)

    delivery = Delivery.objects.get(pk=result["delivery_id"])
    assert (delivery.status, delivery.error, delivery.sent_at) == ("failed", NO_EMAIL, None)
    assert not is_open(delivery.link)
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=REFUSING)
def test_mail_server_refusal_is_recorded_by_kind_without_the_address(
    plan: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from ketacare.audit.models import AuditEvent
    from ketacare.outcomes.delivery import send_invitation
    from ketacare.outcomes.models import Delivery

    with_email(plan)
    timepoint = patient_timepoint(plan)

    with caplog.at_level(logging.DEBUG):
        result = send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)

    delivery = Delivery.objects.get(pk=result["delivery_id"])
    assert delivery.status == "failed"
    assert delivery.error == "The mail server did not accept the message (SMTPRecipientsRefused)."
    assert PATIENT_EMAIL not in caplog.text and plan.patient.given_name not in caplog.text
    assert "/r/" not in caplog.text
    assert not AuditEvent.objects.filter(detail__contains="example.net").exists()


def test_the_queued_job_holds_ids_only(plan: Any) -> None:
    """On the database queue (production), the stored job names the timepoint, never a token or
    an address; the link is made when the worker runs it."""
    from django_tasks_db.models import DBTaskResult

    from ketacare.outcomes.delivery import send_invitation
    from ketacare.outcomes.models import AssessmentLink

    with_email(plan)
    timepoint = patient_timepoint(plan)
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with override_settings(TASKS=tasks):
        send_invitation.enqueue(timepoint_id=timepoint.pk, site_url=SITE)

    [job] = DBTaskResult.objects.all()
    assert job.args_kwargs == {
        "args": [],
        "kwargs": {"timepoint_id": timepoint.pk, "site_url": SITE},
    }
    assert not AssessmentLink.objects.exists()
    assert mail.outbox == []


def test_schedule_invites_a_timepoint_once(plan: Any) -> None:
    from ketacare.outcomes.delivery import SKIP_ALREADY_LINKED, send_invitation
    from ketacare.outcomes.models import Delivery

    with_email(plan)
    timepoint = patient_timepoint(plan)

    send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)
    second = send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)

    assert second == {"status": "skipped", "reason": SKIP_ALREADY_LINKED, "delivery_id": None}
    assert Delivery.objects.count() == 1 and len(mail.outbox) == 1


def test_send_now_replaces_the_open_link(plan: Any, cora: Any) -> None:
    from ketacare.outcomes.delivery import send_invitation
    from ketacare.outcomes.links import is_open
    from ketacare.outcomes.models import AssessmentLink

    with_email(plan)
    timepoint = patient_timepoint(plan)
    send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)
    first = AssessmentLink.objects.get()

    send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE, requested_by_id=cora.pk)

    first.refresh_from_db()
    assert not is_open(first)
    fresh = AssessmentLink.objects.exclude(pk=first.pk).get()
    assert is_open(fresh) and fresh.created_by_id == cora.user_id
    assert len(mail.outbox) == 2


def test_answered_timepoint_sends_nothing(plan: Any, staff_scale: Any) -> None:
    from ketacare.outcomes.delivery import SKIP_ANSWERED, send_invitation
    from ketacare.outcomes.models import Timepoint

    with_email(plan)
    timepoint = patient_timepoint(plan)
    answer = staff_scale(plan.patient, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    Timepoint.objects.filter(pk=timepoint.pk).update(assessment=answer)

    result = send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)

    assert result["reason"] == SKIP_ANSWERED and mail.outbox == []


def test_reminder_sends_a_fresh_link_and_closes_the_old(plan: Any) -> None:
    from ketacare.outcomes.delivery import send_invitation, send_reminder
    from ketacare.outcomes.links import is_open, usable_link
    from ketacare.outcomes.models import AssessmentLink, Delivery

    with_email(plan)
    timepoint = patient_timepoint(plan)
    send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)
    old = AssessmentLink.objects.get()

    result = send_reminder.call(link_id=old.pk, site_url=SITE)

    old.refresh_from_db()
    reminder = Delivery.objects.get(pk=result["delivery_id"])
    assert (reminder.kind, reminder.status) == ("reminder", "sent")
    assert not is_open(old)
    assert reminder.link.reminded_at is not None and reminder.link.timepoint_id == timepoint.pk
    assert mail.outbox[1].subject.startswith("Reminder")
    assert usable_link(_token_of(mail.outbox[1].body)) == reminder.link


def test_reminder_of_an_answered_or_expired_link_sends_nothing(plan: Any) -> None:
    from ketacare.outcomes.delivery import SKIP_LINK_CLOSED, send_invitation, send_reminder
    from ketacare.outcomes.models import AssessmentLink

    with_email(plan)
    timepoint = patient_timepoint(plan)
    send_invitation.call(timepoint_id=timepoint.pk, site_url=SITE)
    link = AssessmentLink.objects.get()
    AssessmentLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())

    assert send_reminder.call(link_id=link.pk, site_url=SITE)["reason"] == SKIP_LINK_CLOSED
    assert len(mail.outbox) == 1
