"""Scoped reads of clinic-level data (memberships); patient reads live in patients.queries."""

from __future__ import annotations

from django.db.models import QuerySet

from ketacare.clinics.models import Membership
from ketacare.clinics.tenancy import deny_not_found, parse_id, scoped


def memberships_for(membership: Membership | None) -> QuerySet[Membership]:
    """The staff list of the acting clinic (users joined)."""
    return scoped(Membership.objects, membership).select_related("user", "clinic")


def get_membership_for(membership: Membership | None, membership_id: object) -> Membership:
    """One membership of the acting clinic; 404 (and a denied audit event) otherwise."""
    pk = parse_id(membership_id)
    found = memberships_for(membership).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise deny_not_found(
            membership=membership, object_type="membership", object_id=membership_id
        )
    return found
