"""Scoped reads for staff management: the acting clinic's memberships, one member, a link.

Every helper that takes the acting membership checks `manage_memberships` first (403 with a
denied audit event) and then stays inside the acting clinic (another clinic's membership is a
404 with a denied audit event, never a 403).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import Action
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped, scoped_get
from ketacare.staff.models import Invitation
from ketacare.staff.tokens import TOKEN_MAX_CHARS, digest_invitation_token

MEMBERSHIP = "membership"
STAFF_LIST_OBJECT_TYPE = "membership_list"


def require_manage(
    by: Membership | None,
    *,
    action: Action | str,
    object_type: str = MEMBERSHIP,
    object_id: object = "",
) -> Membership:
    """The acting membership, if its role may manage staff; else a denied event and a 403."""
    return require_role(
        by,
        Permission.MANAGE_MEMBERSHIPS,
        action=action,
        object_type=object_type,
        object_id=object_id,
        message="Your role does not allow managing the clinic's staff.",
    )


def staff_for(by: Membership | None) -> QuerySet[Membership]:
    """The acting clinic's memberships, active and inactive, with whether two-factor is set up.

    Each row carries `two_factor_enrolled` (a confirmed authenticator exists) and its user.
    """
    require_manage(by, action=Action.READ, object_type=STAFF_LIST_OBJECT_TYPE)
    confirmed = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return (
        scoped(Membership.objects, by)
        .select_related("user", "clinic")
        .annotate(two_factor_enrolled=Exists(confirmed))
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username", "pk")
    )


def get_member_for(
    by: Membership | None, membership_id: object, *, action: Action | str = Action.READ
) -> Membership:
    """One membership of the acting clinic (user joined, `two_factor_enrolled` annotated).

    Another clinic's membership, or none at all, is an Http404 and a denied `action` event.
    """
    require_manage(by, action=action, object_id=membership_id)
    return scoped_get(staff_for(by), by, membership_id, object_type=MEMBERSHIP, action=action)


def usable_invitation(token: str | None) -> Invitation | None:
    """The invitation of a link that still works (unused, newest, unexpired), or None.

    None for an unknown, used, revoked or expired link alike, and when the account meanwhile
    has a password or the membership or account was deactivated.
    """
    if not token or len(token) > TOKEN_MAX_CHARS:
        return None
    invitation = (
        Invitation.objects.select_related("membership__user", "clinic")
        .filter(token_sha256=digest_invitation_token(token))
        .first()
    )
    if invitation is None or not invitation_works(invitation, timezone.now()):
        return None
    return invitation


def invitation_works(invitation: Invitation, now: dt.datetime) -> bool:
    """The link still opens its account at `now`: unused, not revoked, not expired, its
    membership and account active and no password chosen yet."""
    if not invitation.is_usable_at(now):
        return False
    membership = invitation.membership
    user = membership.user
    return membership.is_active and user.is_active and not user.has_usable_password()


def pending_invitation_of(membership: Membership) -> Invitation | None:
    """The membership's newest link that still works, for the member page."""
    if membership.user.has_usable_password():
        return None
    return (
        Invitation.objects.filter(
            membership_id=membership.pk,
            used_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
