"""What `ketacare send-reminders` (run by cron) sends: invitations for timepoints that have come
due, and one reminder for a link about to expire unanswered.

The numbers here are KetaCare clinic policy ([D]), not clinical rules (docs/reminders.md):

- a patient timepoint is invited by itself once, on or after its due date, and only while it is
  at most `INVITE_OVERDUE_DAYS` old (an older unanswered one is listed as overdue on the
  follow-up page; the coordinator may still send it by hand);
- a link e-mailed to the patient that expires within `REMIND_BEFORE_EXPIRY_HOURS` hours,
  unanswered and never reminded, gets one reminder (a fresh link; see ketacare.outcomes.delivery).

Running it twice sends nothing twice: a reminder is claimed by setting `reminded_at` with a
conditional UPDATE before its job is queued; an invitation still waiting in the database queue is
not queued again, and an invitation job skips a timepoint that already has a link (so even a job
queued twice sends once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, Exists, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ketacare.outcomes.delivery import send_invitation, send_reminder
from ketacare.outcomes.models import (
    AssessmentLink,
    Audience,
    Delivery,
    DeliveryStatus,
    Timepoint,
)
from ketacare.outcomes.timepoints import live

INVITE_OVERDUE_DAYS = 7  # [D] clinic policy
REMIND_BEFORE_EXPIRY_HOURS = 24  # [D] clinic policy


@dataclass(frozen=True)
class ReminderRun:
    """What one run queued (or, in a dry run, would have queued)."""

    invitations: int
    reminders: int
    dry_run: bool

    def summary(self) -> str:
        verb = "would queue" if self.dry_run else "queued"
        return (
            f"send-reminders: {verb} {_counted(self.invitations, 'invitation')} and "
            f"{_counted(self.reminders, 'reminder')}."
        )


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def timepoints_to_invite(*, today: dt.date) -> QuerySet[Timepoint]:
    """Every clinic's patient timepoints due from `INVITE_OVERDUE_DAYS` days ago up to today,
    unanswered, never linked, of an active plan and an active patient."""
    ever_linked = AssessmentLink.objects.filter(timepoint=OuterRef("pk"))
    # Queued by an earlier run and not yet sent by the worker: not queued again.
    queued = (
        DBTaskResult.objects.filter(
            task_path=send_invitation.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        .annotate(timepoint_id=Cast(KT("args_kwargs__kwargs__timepoint_id"), BigIntegerField()))
        .filter(timepoint_id=OuterRef("pk"))
    )
    return (
        live(
            Timepoint.objects.filter(
                audience=Audience.PATIENT,
                assessment__isnull=True,
                due_on__lte=today,
                due_on__gte=today - dt.timedelta(days=INVITE_OVERDUE_DAYS),
                patient__is_active=True,
            )
        )
        .exclude(Exists(ever_linked))
        .exclude(Exists(queued))
        .order_by("clinic_id", "due_on", "pk")
    )


def links_to_remind(*, now: dt.datetime) -> QuerySet[AssessmentLink]:
    """Every clinic's e-mailed links expiring within `REMIND_BEFORE_EXPIRY_HOURS` hours,
    unanswered and not yet reminded, whose timepoint is still unanswered."""
    mailed = Delivery.objects.filter(link=OuterRef("pk"), status=DeliveryStatus.SENT)
    return (
        AssessmentLink.objects.filter(
            used_at__isnull=True,
            reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + dt.timedelta(hours=REMIND_BEFORE_EXPIRY_HOURS),
            timepoint__isnull=False,
            timepoint__assessment__isnull=True,
            patient__is_active=True,
        )
        .filter(Exists(mailed))
        .order_by("clinic_id", "expires_at", "pk")
    )


def send_due_reminders(*, site_url: str, dry_run: bool = False) -> ReminderRun:
    """Queue the invitations and reminders due now (nothing in a dry run)."""
    now = timezone.now()
    timepoint_ids = list(
        timepoints_to_invite(today=timezone.localdate(now)).values_list("pk", flat=True)
    )
    link_ids = list(links_to_remind(now=now).values_list("pk", flat=True))
    if dry_run:
        return ReminderRun(invitations=len(timepoint_ids), reminders=len(link_ids), dry_run=True)
    for timepoint_id in timepoint_ids:
        send_invitation.enqueue(timepoint_id=timepoint_id, site_url=site_url)
    reminders = 0
    for link_id in link_ids:
        # Claimed first: a second run at the same moment finds it reminded and leaves it.
        claimed = AssessmentLink.objects.filter(pk=link_id, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed:
            send_reminder.enqueue(link_id=link_id, site_url=site_url)
            reminders += 1
    return ReminderRun(invitations=len(timepoint_ids), reminders=reminders, dry_run=False)
