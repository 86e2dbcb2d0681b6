"""Scoped reads of the follow-up list: which patient scales are due today, overdue, answered
lately, and every e-mail that failed, for the coordinator's page and its API twin.

Status only, never an answer or a score: the coordinator, who may not read the clinical chart,
sees this list too. Each list is one query however many rows it shows (the latest e-mail and the
open link of each timepoint come as subqueries, not a query per row).

Clinic policy ([D], docs/reminders.md): "answered" lists the answers of the last
`ANSWERED_LISTED_DAYS` days; "overdue" lists unanswered timepoints of the last
`OVERDUE_LISTED_DAYS` days (older ones have been overtaken by later timepoints of the schedule).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import scoped
from ketacare.outcomes.links import LINK_INSTRUMENTS
from ketacare.outcomes.models import AssessmentLink, Audience, Delivery, DeliveryStatus, Timepoint
from ketacare.outcomes.timepoints import live

ANSWERED_LISTED_DAYS = 14  # [D] clinic policy
OVERDUE_LISTED_DAYS = 28  # [D] clinic policy

FOLLOWUP_LIST_OBJECT_TYPE = "followup_list"
TIMEPOINT_OBJECT_TYPE = "timepoint"


class FollowUpStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    ANSWERED = "answered"
    FAILED = "failed"


STATUS_LABELS = {
    FollowUpStatus.DUE: "Due today",
    FollowUpStatus.OVERDUE: "Overdue",
    FollowUpStatus.ANSWERED: "Answered",
    FollowUpStatus.FAILED: "Failed e-mails",
}


def _patient_timepoints(membership: Membership | None) -> QuerySet[Timepoint]:
    if not has_permission(membership, Permission.VIEW_FOLLOWUP):
        return Timepoint.objects.none()
    return scoped(Timepoint.objects, membership).filter(
        audience=Audience.PATIENT, patient__is_active=True
    )


def timepoints_for(
    membership: Membership | None,
    status: FollowUpStatus,
    *,
    instrument: str = "",
    today: dt.date | None = None,
) -> QuerySet[Timepoint]:
    """The clinic's patient timepoints in `status` (due, overdue or answered), with the patient,
    the latest e-mail's kind, status and time, and the open link's expiry."""
    today = today or timezone.localdate()
    rows = _patient_timepoints(membership)
    if status == FollowUpStatus.ANSWERED:
        since = timezone.now() - dt.timedelta(days=ANSWERED_LISTED_DAYS)
        rows = rows.filter(assessment__completed_at__gte=since).order_by(
            "-assessment__completed_at", "-pk"
        )
    else:
        rows = live(rows.filter(assessment__isnull=True))
        if status == FollowUpStatus.DUE:
            rows = rows.filter(due_on=today).order_by("patient__family_name", "pk")
        else:
            oldest = today - dt.timedelta(days=OVERDUE_LISTED_DAYS)
            rows = rows.filter(due_on__lt=today, due_on__gte=oldest).order_by("due_on", "pk")
    if instrument:
        rows = rows.filter(instrument=instrument)
    latest = Delivery.objects.filter(link__timepoint=OuterRef("pk")).order_by("-created_at", "-pk")
    open_link = AssessmentLink.objects.filter(
        timepoint=OuterRef("pk"), used_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-expires_at")
    return rows.select_related("patient", "assessment").annotate(
        delivery_id=Subquery(latest.values("pk")[:1]),
        delivery_kind=Subquery(latest.values("kind")[:1]),
        delivery_error=Subquery(latest.values("error")[:1]),
        delivery_status=Subquery(latest.values("status")[:1]),
        delivery_at=Subquery(latest.values("created_at")[:1], output_field=DateTimeField()),
        link_expires_at=Subquery(open_link.values("expires_at")[:1], output_field=DateTimeField()),
    )


def failed_deliveries_for(
    membership: Membership | None, *, instrument: str = ""
) -> QuerySet[Delivery]:
    """Every failed e-mail of the clinic, newest first, with its patient and timepoint."""
    if not has_permission(membership, Permission.VIEW_FOLLOWUP):
        return Delivery.objects.none()
    rows = scoped(Delivery.objects, membership).filter(status=DeliveryStatus.FAILED)
    if instrument:
        rows = rows.filter(link__instrument=instrument)
    return rows.select_related("patient", "link", "link__timepoint").order_by("-created_at", "-pk")


def status_counts_for(membership: Membership | None, *, instrument: str = "") -> dict[str, int]:
    """How many rows each tab holds (one query per tab, whatever the numbers)."""
    counts = {
        str(status): timepoints_for(membership, status, instrument=instrument).count()
        for status in (FollowUpStatus.DUE, FollowUpStatus.OVERDUE, FollowUpStatus.ANSWERED)
    }
    counts[FollowUpStatus.FAILED] = failed_deliveries_for(membership, instrument=instrument).count()
    return counts


def instrument_choices() -> list[tuple[str, str]]:
    """The scales patients answer by link, with their display names."""
    from ketacare.patients.models.assessments import INSTRUMENT_CHOICES

    labels = dict(INSTRUMENT_CHOICES)
    return [(code, labels.get(code, code)) for code in LINK_INSTRUMENTS]
