"""JSON API of staff management (clinic admins), mounted under /api/v1/.

`GET /staff` and `POST /staff/invitations` act for the clinic named by `clinic_id`, which may be
left out when the caller works for one clinic only (as `POST /patients`, contracts.md 2.0).
The other endpoints act for the clinic of the membership in the path. The same service functions
as the pages: a role other than clinic admin is a 403, another clinic's membership a 404, a
change the clinic's state forbids (the last clinic admin) a 409, bad input a 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from ketacare.api.acting import membership_for_clinic, membership_for_object_or_404
from ketacare.api.lists import read_page
from ketacare.api.schemas import Error, Invalid, Page, PageParams
from ketacare.audit.models import Action
from ketacare.clinics.models import Membership, Role
from ketacare.staff.queries import MEMBERSHIP, STAFF_LIST_OBJECT_TYPE, get_member_for, staff_for
from ketacare.staff.services import (
    NAME_MAX_CHARS,
    REASON_MAX_CHARS,
    change_membership,
    invite_staff,
    reset_authenticator,
)

router = Router(tags=["staff"])


class StaffMemberOut(Schema):
    id: int = Field(description="The membership's id (one person's role in one clinic).")
    clinic_id: int
    user_id: int
    username: str
    email: str
    given_name: str
    family_name: str
    role: Role
    is_active: bool
    invitation_pending: bool = Field(description="Invited, no password chosen yet.")
    two_factor_enrolled: bool
    last_login: dt.datetime | None
    created_at: dt.datetime


class StaffPage(Page[StaffMemberOut]):
    pass


class InvitationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    clinic_id: int | None = Field(None, description="Optional when you work for one clinic.")
    email: str = Field(max_length=254)
    given_name: str = Field(max_length=NAME_MAX_CHARS)
    family_name: str = Field(max_length=NAME_MAX_CHARS)
    role: Role
    username: str = Field(
        "", max_length=NAME_MAX_CHARS, description="Empty: the e-mail address is the user name."
    )


class InvitationOut(Schema):
    member: StaffMemberOut
    new_account: bool = Field(description="False: an existing account was added to the clinic.")
    invitation_expires_at: dt.datetime | None = Field(
        description="When the e-mailed link stops working; null when no link was needed."
    )


class MembershipPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: StrictBool | None = None


class AuthenticatorResetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_MAX_CHARS)


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Invalid}


def _out(member: Membership) -> StaffMemberOut:
    user = member.user
    return StaffMemberOut(
        id=member.pk,
        clinic_id=member.clinic_id,
        user_id=user.pk,
        username=user.get_username(),
        email=user.email,
        given_name=user.first_name,
        family_name=user.last_name,
        role=Role(member.role),
        is_active=member.is_active,
        invitation_pending=not user.has_usable_password(),
        two_factor_enrolled=bool(getattr(member, "two_factor_enrolled", False)),
        last_login=user.last_login,
        created_at=member.created_at,
    )


@router.get(
    "/staff",
    response={200: StaffPage, **ERRORS},
    summary="The clinic's staff (clinic admins)",
)
def list_staff(
    request: HttpRequest,
    *,
    clinic_id: int | None = None,
    page: Query[PageParams],
) -> Status:
    by = membership_for_clinic(request, clinic_id, location="query", object_type=MEMBERSHIP)
    rows, count = read_page(staff_for(by), page, membership=by, object_type=STAFF_LIST_OBJECT_TYPE)
    return Status(200, StaffPage(items=[_out(row) for row in rows], count=count))


@router.post(
    "/staff/invitations",
    response={201: InvitationOut, 409: Error, **ERRORS},
    summary="Invite a colleague by e-mail (or add an existing account to the clinic)",
)
def create_invitation(request: HttpRequest, payload: InvitationIn) -> Status:
    by = membership_for_clinic(
        request,
        payload.clinic_id,
        location="body",
        action=Action.CREATE,
        object_type=MEMBERSHIP,
    )
    invited = invite_staff(
        by=by,
        email=payload.email,
        given_name=payload.given_name,
        family_name=payload.family_name,
        role=payload.role.value,
        username=payload.username,
        site_url=request.build_absolute_uri("/"),
    )
    member = get_member_for(by, invited.membership.pk)
    expires = invited.invitation.expires_at if invited.invitation is not None else None
    return Status(
        201,
        InvitationOut(
            member=_out(member), new_account=invited.new_account, invitation_expires_at=expires
        ),
    )


@router.patch(
    "/staff/{membership_id}",
    response={200: StaffMemberOut, 409: Error, **ERRORS},
    summary="Change a colleague's role, deactivate or reactivate them",
)
def update_member(
    request: HttpRequest, membership_id: int, payload: MembershipPatch
) -> StaffMemberOut:
    by = membership_for_object_or_404(
        request, Membership, membership_id, object_type=MEMBERSHIP, action=Action.UPDATE
    )
    member = change_membership(
        by=by,
        membership_id=membership_id,
        role=payload.role.value if payload.role is not None else None,
        is_active=payload.is_active,
    )
    return _out(member)


@router.post(
    "/staff/{membership_id}/authenticator-reset",
    response={200: StaffMemberOut, 409: Error, **ERRORS},
    summary="Remove a colleague's authenticator app, with a reason; they set up a new one",
)
def reset_member_authenticator(
    request: HttpRequest, membership_id: int, payload: AuthenticatorResetIn
) -> StaffMemberOut:
    by = membership_for_object_or_404(
        request, Membership, membership_id, object_type=MEMBERSHIP, action=Action.UPDATE
    )
    reset_authenticator(
        by=by,
        membership_id=membership_id,
        reason=payload.reason,
        site_url=request.build_absolute_uri("/"),
    )
    return _out(get_member_for(by, membership_id))
