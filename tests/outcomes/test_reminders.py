"""`ketacare send-reminders`: a due timepoint is invited once, an e-mailed link about to expire
gets one reminder, a dry run queues nothing, a second run sends nothing twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.outcomes.helpers_delivery import SITE, patient_timepoint, with_email

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("send-reminders", "--site-url", SITE, *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def quiet_plan(plan: Any) -> Any:
    """The plan with no timepoints of the schedule's own, so each test places its own."""
    from ketacare.outcomes.models import Timepoint

    Timepoint.objects.filter(plan=plan).delete()
    return with_email(plan)


def test_due_and_recently_overdue_timepoints_are_invited_once(quiet_plan: Any) -> None:
    from ketacare.outcomes.models import Delivery
    from ketacare.outcomes.reminders import INVITE_OVERDUE_DAYS

    due_today = patient_timepoint(quiet_plan, due_days_ago=0)
    overdue = patient_timepoint(quiet_plan, due_days_ago=INVITE_OVERDUE_DAYS)
    patient_timepoint(quiet_plan, due_days_ago=INVITE_OVERDUE_DAYS + 1)  # too old: listed only
    patient_timepoint(quiet_plan, due_days_ago=-1)  # tomorrow
    patient_timepoint(quiet_plan, due_days_ago=0, instrument="madrs", audience="clinician")

    first = _run()
    second = _run()

    assert first == "send-reminders: queued 2 invitations and 0 reminders."
    assert second == "send-reminders: queued 0 invitations and 0 reminders."
    invited = set(Delivery.objects.values_list("link__timepoint_id", flat=True))
    assert invited == {due_today.pk, overdue.pk}
    assert len(mail.outbox) == 2


def test_dry_run_counts_and_queues_nothing(quiet_plan: Any) -> None:
    from ketacare.outcomes.models import AssessmentLink

    patient_timepoint(quiet_plan)

    assert _run("--dry-run") == "send-reminders: would queue 1 invitation and 0 reminders."
    assert not AssessmentLink.objects.exists() and mail.outbox == []


def test_link_expiring_within_a_day_is_reminded_once(quiet_plan: Any) -> None:
    from ketacare.outcomes.models import AssessmentLink, Delivery
    from ketacare.outcomes.reminders import REMIND_BEFORE_EXPIRY_HOURS

    patient_timepoint(quiet_plan)
    _run()
    invited = AssessmentLink.objects.get()
    hours_left = dt.timedelta(hours=REMIND_BEFORE_EXPIRY_HOURS + 1)

    AssessmentLink.objects.filter(pk=invited.pk).update(expires_at=timezone.now() + hours_left)
    assert _run() == "send-reminders: queued 0 invitations and 0 reminders."

    hours_left = dt.timedelta(hours=REMIND_BEFORE_EXPIRY_HOURS - 1)
    AssessmentLink.objects.filter(pk=invited.pk).update(expires_at=timezone.now() + hours_left)
    assert _run("--dry-run") == "send-reminders: would queue 0 invitations and 1 reminder."
    assert _run() == "send-reminders: queued 0 invitations and 1 reminder."
    # The fresh link, nearly expired too, is never reminded again.
    AssessmentLink.objects.update(expires_at=timezone.now() + hours_left)
    assert _run() == "send-reminders: queued 0 invitations and 0 reminders."

    kinds = sorted(Delivery.objects.values_list("kind", flat=True))
    assert kinds == ["invitation", "reminder"] and len(mail.outbox) == 2


def test_answered_link_and_link_never_mailed_get_no_reminder(quiet_plan: Any, alice: Any) -> None:
    from ketacare.outcomes.links import issue_link
    from ketacare.outcomes.models import AssessmentLink

    soon = timezone.now() + dt.timedelta(hours=2)
    answered = patient_timepoint(quiet_plan)
    _run()
    AssessmentLink.objects.filter(timepoint=answered).update(
        used_at=timezone.now(), expires_at=soon
    )
    # A link made at the desk and handed over in person was never e-mailed: no reminder.
    handed = issue_link(by=alice, patient=quiet_plan.patient, instrument="gad7", expires_in_hours=2)

    assert _run() == "send-reminders: queued 0 invitations and 0 reminders."
    handed.link.refresh_from_db()
    assert handed.link.reminded_at is None


def test_inactive_patient_is_not_invited(quiet_plan: Any) -> None:
    from ketacare.patients.models import Patient

    patient_timepoint(quiet_plan)
    Patient.objects.filter(pk=quiet_plan.patient_id).update(is_active=False)

    assert _run() == "send-reminders: queued 0 invitations and 0 reminders."


def test_site_url_must_be_an_http_address() -> None:
    with pytest.raises(CommandError) as raised:
        call_command("send-reminders", "--site-url", "clinic.example.org")
    assert raised.value.returncode == 2
    assert "http://" in str(raised.value)


def test_an_invitation_waiting_in_the_database_queue_is_not_queued_again(
    quiet_plan: Any,
) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    patient_timepoint(quiet_plan)
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with override_settings(TASKS=tasks):
        first, second = _run(), _run()

    assert first == "send-reminders: queued 1 invitation and 0 reminders."
    assert second == "send-reminders: queued 0 invitations and 0 reminders."
    assert DBTaskResult.objects.count() == 1 and mail.outbox == []
