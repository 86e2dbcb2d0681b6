"""What patients wrote under "anything since your last session?", for the care team to review.

    reports_for(by=membership, patient=patient)        # newest first, the read audited
    mark_reviewed(by=membership, patient=patient, report_id=7, note="called back")

Reading needs view_clinical, marking reviewed chart_clinical; another clinic's report is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_event, record_list_read
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import deny_not_found, parse_id, require_role
from ketacare.outcomes.models import PatientReport

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

OBJECT_TYPE = "patient_report"
NOTE_MAX_LENGTH = PatientReport._meta.get_field("review_note").max_length or 500


def reports_for(*, by: Membership, patient: Patient, limit: int = 50) -> list[PatientReport]:
    """The patient's reports: all unreviewed, then the `limit` latest reviewed, each newest
    first; the read is audited."""
    require_role(
        by,
        Permission.VIEW_CLINICAL,
        action=Action.READ,
        object_type=OBJECT_TYPE,
        patient_id=patient.pk,
    )
    mine = PatientReport.objects.filter(clinic_id=by.clinic_id, patient_id=patient.pk)
    newest = ("-reported_at", "-pk")
    # Every report still to review, then the latest reviewed ones.
    rows = [
        *mine.filter(reviewed_at__isnull=True).order_by(*newest),
        *mine.filter(reviewed_at__isnull=False)
        .select_related("reviewed_by")
        .order_by(*newest)[:limit],
    ]
    with transaction.atomic():
        record_list_read(
            membership=by,
            object_type=OBJECT_TYPE,
            ids=[row.pk for row in rows],
            patient_id=patient.pk,
            detail=f"shown={len(rows)}",
        )
    return rows


def mark_reviewed(
    *, by: Membership, patient: Patient, report_id: object, note: str = ""
) -> PatientReport:
    """Record that `by` has read the report (with an optional note); 409 if already done."""
    require_role(
        by,
        Permission.CHART_CLINICAL,
        action=Action.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=report_id,
        patient_id=patient.pk,
    )
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": "Remove the NUL character from this text."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX_LENGTH} characters."})
    pk = parse_id(report_id)
    now = timezone.now()
    with transaction.atomic():
        report = (
            PatientReport.objects.select_for_update()
            .filter(clinic_id=by.clinic_id, patient_id=patient.pk, pk=pk)
            .first()
            if pk is not None
            else None
        )
        if report is None:
            raise deny_not_found(
                membership=by,
                object_type=OBJECT_TYPE,
                object_id=report_id,
                action=Action.UPDATE,
                patient_id=patient.pk,
            )
        if report.reviewed_at is not None:
            raise Conflict("This report was already marked reviewed.", code="already_reviewed")
        report.reviewed_by_id = by.user_id
        report.reviewed_at = now
        report.review_note = note
        report.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=OBJECT_TYPE,
            object_id=report.pk,
            patient_id=patient.pk,
            detail="reviewed",
        )
    return report
