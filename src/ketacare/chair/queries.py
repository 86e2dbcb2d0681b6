"""Scoped reads of the chair-side record: every helper takes the acting membership.

Anything outside the membership's clinic is a 404 with a denied audit event, whatever the role;
in the clinic, a role without the permission is a 403 (audited too). Services that go on to
change the record pass `audit_read=False` and record their own event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import F, Model, QuerySet

from ketacare.audit.models import Action
from ketacare.chair.models import SessionAlert, SideEffect
from ketacare.chair.state import Chair, chair_of, chair_queryset
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import get_patient_row_for
from ketacare.treatment.models import TreatmentSession
from ketacare.treatment.queries import SESSION

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Audit object types of the chair-side rows (the session itself is `treatment_session`).
PRE_DOSE = "session_pre_dose"
DOSE = "session_dose"
READING = "session_reading"
ALERT = "session_alert"
SIDE_EFFECT = "side_effect"
DISCHARGE = "session_discharge"
AMENDMENT = "session_amendment"

M = TypeVar("M", bound=Model)


def get_chair_for(
    membership: Membership | None,
    session_id: object,
    *,
    permission: Permission = Permission.VIEW_SESSION,
    action: Action = Action.READ,
    audit_read: bool = True,
) -> Chair:
    """One session of the acting clinic with every chair-side row (a fixed number of queries)."""
    session = get_patient_row_for(
        chair_queryset(),  # type: ignore[arg-type]
        membership,
        session_id,
        object_type=SESSION,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )
    return chair_of(session)


def get_session_at_chair_for(
    membership: Membership | None,
    session_id: object,
    *,
    permission: Permission,
    action: Action,
) -> TreatmentSession:
    """One session of the acting clinic, the row alone, for a service that changes its chair
    (it locks and reads the chair-side rows itself): the same 404 and 403 as `get_chair_for`,
    no read event (the service records its own)."""
    return get_patient_row_for(
        TreatmentSession.objects.order_by(),  # one row by id: no ORDER BY needed
        membership,
        session_id,
        object_type=SESSION,
        permission=permission,
        action=action,
        audit_read=False,
    )


def in_clinics_of(queryset: QuerySet[M], user: AbstractBaseUser | AnonymousUser) -> QuerySet[M]:
    """The rows of `queryset` (a model carrying a clinic) in the clinics where `user` holds an
    active membership, each with that membership (`membership_of`): the scoping and what the
    role check reads, in the row's own statement (a user has one membership per clinic)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    return in_clinics_of_user_id(queryset, user.pk)


def in_clinics_of_user_id(queryset: QuerySet[M], user_id: int) -> QuerySet[M]:
    """`in_clinics_of` for a user known to be signed in and active, by id (a compiled read)."""
    return queryset.filter(
        clinic__memberships__user_id=user_id, clinic__memberships__is_active=True
    ).annotate(
        acting_membership_id=F("clinic__memberships__id"),
        acting_role=F("clinic__memberships__role"),
    )


def membership_of(row: Model, user: AbstractBaseUser | AnonymousUser) -> Membership:
    """The acting membership of a row read through `in_clinics_of` (no query)."""
    return Membership(
        pk=row.acting_membership_id,  # type: ignore[attr-defined]
        user=user,
        clinic_id=row.clinic_id,  # type: ignore[attr-defined]
        role=row.acting_role,  # type: ignore[attr-defined]
        is_active=True,
    )


def get_alert_for(
    membership: Membership | None,
    alert_id: object,
    *,
    permission: Permission = Permission.CHART_SESSION,
    action: Action = Action.UPDATE,
    audit_read: bool = False,
) -> SessionAlert:
    """One alert of the acting clinic (its session joined)."""
    return get_patient_row_for(
        SessionAlert.objects.select_related("session", "session__plan"),
        membership,
        alert_id,
        object_type=ALERT,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )


def get_side_effect_for(
    membership: Membership | None,
    side_effect_id: object,
    *,
    permission: Permission = Permission.CHART_SESSION,
    action: Action = Action.UPDATE,
    audit_read: bool = False,
) -> SideEffect:
    """One side effect of the acting clinic (its session joined)."""
    return get_patient_row_for(
        SideEffect.objects.select_related("session", "session__plan"),
        membership,
        side_effect_id,
        object_type=SIDE_EFFECT,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )
