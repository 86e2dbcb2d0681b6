"""Who may read the audit report, and under which clinic they act.

Only a clinic's admins and auditors read its audit trail, and only the events of the clinic of
the membership they act under. `current_membership` is a stand-in for the tenancy helper's
`ketacare.clinics.tenancy.acting_membership`: same idea (first active membership unless one
is chosen), chosen here by `?clinic=ID`; swap it when the two are unified.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from ketacare.audit.models import Action
from ketacare.audit.services import record_denied
from ketacare.clinics.models import Membership, Role

AUDIT_REPORT_ROLES = frozenset({Role.CLINIC_ADMIN, Role.AUDITOR})
REPORT_OBJECT_TYPE = "audit_report"


def can_view_audit_report(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active and membership.role in AUDIT_REPORT_ROLES


def _requested_clinic_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("clinic", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise Http404("No such clinic.")
    return int(raw)


def current_membership(request: HttpRequest) -> Membership:
    """The active membership of the request's user: `?clinic=ID` among theirs, else the first.

    404 (with a denied audit event) for a user with no active membership there: whether a
    clinic exists is not the user's business.
    """
    wanted = _requested_clinic_id(request)
    memberships = Membership.objects.filter(user_id=request.user.pk, is_active=True)
    if wanted is not None:
        memberships = memberships.filter(clinic_id=wanted)
    membership = memberships.select_related("clinic").order_by("clinic_id", "pk").first()
    if membership is None:
        record_denied(
            action=Action.READ,
            user=request.user,
            clinic_id=wanted,
            object_type=REPORT_OBJECT_TYPE,
            reason="not_a_member" if wanted is not None else "no_membership",
        )
        raise Http404("No such clinic.")
    # The request already holds the user: spare record_event a query for membership.user.
    membership.user = request.user  # type: ignore[assignment]
    return membership
