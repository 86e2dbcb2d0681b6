"""Scoped reads of the audit trail: one clinic's events, never another's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, require_permission
from ketacare.patients.models import Patient


@dataclass(frozen=True)
class AuditFilter:
    """What the report is narrowed to; empty fields do not narrow. Dates are inclusive."""

    patient_id: int | None = None
    mrn: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_detail(self, *, page: str = "") -> str:
        """For the audit event of the report itself: ids and codes only."""
        parts = [
            f"patient={self.patient_id}" if self.patient_id is not None else "",
            f"mrn={self.mrn}" if self.mrn else "",
            f"user={self.username}" if self.username else "",
            f"from={self.date_from.isoformat()}" if self.date_from else "",
            f"to={self.date_to.isoformat()}" if self.date_to else "",
            f"page={page[:12]}" if page.isdigit() else "",
        ]
        return " ".join(part for part in parts if part)


def _start_of(day: dt.date) -> dt.datetime:
    # Days are those of the clinic's time zone (settings.TIME_ZONE), not UTC days.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_for(
    membership: Membership, *, filters: AuditFilter | None = None
) -> QuerySet[AuditEvent]:
    """The events of the membership's clinic, newest first, narrowed by `filters`."""
    require_permission(membership, Permission.VIEW_AUDIT_REPORT)
    f = filters or AuditFilter()
    events = AuditEvent.objects.filter(clinic_id=membership.clinic_id)
    if f.patient_id is not None:
        events = events.filter(patient_id=f.patient_id)
    if f.mrn:
        # A subquery, not a second round trip; the MRN only ever resolves inside this clinic.
        events = events.filter(
            patient_id__in=Patient.objects.filter(clinic_id=membership.clinic_id, mrn=f.mrn).values(
                "pk"
            )
        )
    if f.username:
        events = events.filter(actor_username=f.username)
    if f.date_from is not None:
        events = events.filter(occurred_at__gte=_start_of(f.date_from))
    if f.date_to is not None and f.date_to < dt.date.max:
        events = events.filter(occurred_at__lt=_start_of(f.date_to + dt.timedelta(days=1)))
    return events.order_by("-occurred_at", "-pk")
