"""Scoped reads of the intake queue: every helper takes the acting membership.

Intake requests carry personal data (names, contact details, free text), so they are read like
patient records: another clinic's request (or no such request) is a 404 with a denied audit
event, a role without `view_intake` gets nothing (deny by default).
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import require_role, scoped, scoped_get
from ketacare.intake.models import IntakeRequest, IntakeStatus

# Audit object types: one request, and a list of them (its detail names the ids shown).
INTAKE_OBJECT_TYPE = "intake_request"
INTAKE_LIST_OBJECT_TYPE = "intake_request_list"


def intake_requests_for(
    membership: Membership | None, *, status: str = ""
) -> QuerySet[IntakeRequest]:
    """The acting clinic's queue, newest first, optionally one status only."""
    if not has_permission(membership, Permission.VIEW_INTAKE):
        return IntakeRequest.objects.none()
    qs = scoped(IntakeRequest.objects, membership)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def status_counts_for(membership: Membership | None) -> dict[str, int]:
    """How many of the clinic's requests are in each status (every status present, one query)."""
    counts = dict.fromkeys(IntakeStatus.values, 0)
    rows = intake_requests_for(membership).order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def require_intake_permission(
    membership: Membership | None,
    permission: Permission,
    *,
    action: Action | str,
    object_id: object = "",
) -> None:
    """Raise PermissionDenied (403) unless the role grants `permission`; the refusal is audited."""
    require_role(
        membership, permission, action=action, object_type=INTAKE_OBJECT_TYPE, object_id=object_id
    )


def get_intake_request_for(
    membership: Membership | None, request_id: object, *, audit_read: bool = True
) -> IntakeRequest:
    """One request of the acting clinic.

    Another clinic's request (or no such request) is an Http404 and a denied READ event. With
    `audit_read` the successful read is recorded too (ids only: the request's id and, once
    registered, its patient's).
    """
    require_intake_permission(
        membership, Permission.VIEW_INTAKE, action=Action.READ, object_id=request_id
    )
    found = scoped_get(
        IntakeRequest.objects, membership, request_id, object_type=INTAKE_OBJECT_TYPE
    )
    if audit_read:
        record_event(
            action=Action.READ,
            membership=membership,
            object_type=INTAKE_OBJECT_TYPE,
            object_id=found.pk,
            patient_id=found.patient_id,
        )
    return found
