"""Scoped reads of the audit trail: one clinic's events, never another's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet
from django.utils import timezone

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE, AuditEvent
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, require_permission
from ketacare.patients.models import Patient


@dataclass(frozen=True)
class AuditFilter:
    """What the report is narrowed to; empty fields do not narrow. Dates are inclusive.

    `mrn` and `username` are typed by the reader. They never reach the audit trail themselves:
    `resolved_for` turns them into ids (the patient of this clinic with that MRN, the member of
    this clinic with that user name), and the report's own event names those ids, or only that
    such a filter was used when nothing matched.
    """

    patient_id: int | None = None
    mrn: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    resolved: bool = False
    mrn_patient_id: int | None = None
    user_id: int | None = None

    def resolved_for(self, membership: Membership) -> AuditFilter:
        """The filter with the MRN and user name looked up in the membership's clinic."""
        if self.resolved:
            return self
        mrn_patient_id = user_id = None
        if self.mrn:
            mrn_patient_id = (
                Patient.objects.filter(clinic_id=membership.clinic_id, mrn=self.mrn)
                .values_list("pk", flat=True)
                .first()
            )
        if self.username:
            user_id = (
                Membership.objects.filter(
                    clinic_id=membership.clinic_id, user__username=self.username
                )
                .values_list("user_id", flat=True)
                .first()
            )
        return replace(self, resolved=True, mrn_patient_id=mrn_patient_id, user_id=user_id)

    def as_detail(self, *, page: str = "") -> str:
        """For the audit event of the report itself: ids and flags only, never typed text."""
        parts = [
            f"patient={self.patient_id}" if self.patient_id is not None else "",
            _id_or_flag("mrn_patient", self.mrn_patient_id, "mrn_filter") if self.mrn else "",
            _id_or_flag("user_id", self.user_id, "user_filter") if self.username else "",
            f"from={self.date_from.isoformat()}" if self.date_from else "",
            f"to={self.date_to.isoformat()}" if self.date_to else "",
            f"page={page[:12]}" if page.isdigit() else "",
        ]
        return " ".join(part for part in parts if part)


def _id_or_flag(name: str, value: int | None, flag: str) -> str:
    return f"{name}={value}" if value is not None else f"{flag}=1"


def _concerning(patient_id: int) -> Q:
    """Events about the patient: those naming them, and the lists that showed them."""
    shown = rf"(^| )ids=([0-9]+,)*{int(patient_id)}(,| |$)"
    return Q(patient_id=patient_id) | Q(object_type=PATIENT_LIST_OBJECT_TYPE, detail__regex=shown)


def _start_of(day: dt.date) -> dt.datetime:
    # Days are those of the clinic's time zone (settings.TIME_ZONE), not UTC days.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_for(
    membership: Membership, *, filters: AuditFilter | None = None
) -> QuerySet[AuditEvent]:
    """The events of the membership's clinic, newest first, narrowed by `filters`."""
    require_permission(membership, Permission.VIEW_AUDIT_REPORT)
    f = (filters or AuditFilter()).resolved_for(membership)
    events = AuditEvent.objects.filter(clinic_id=membership.clinic_id)
    if f.patient_id is not None:
        events = events.filter(_concerning(f.patient_id))
    if f.mrn:
        # The MRN only ever resolves inside this clinic; no such patient, no events.
        if f.mrn_patient_id is None:
            events = events.none()
        else:
            events = events.filter(_concerning(f.mrn_patient_id))
    if f.username:
        events = events.filter(actor_username=f.username)
    if f.date_from is not None:
        events = events.filter(occurred_at__gte=_start_of(f.date_from))
    if f.date_to is not None:  # at most 2999-12-31 (AuditReportForm), so the next day exists
        events = events.filter(occurred_at__lt=_start_of(f.date_to + dt.timedelta(days=1)))
    return events.order_by("-occurred_at", "-pk")
