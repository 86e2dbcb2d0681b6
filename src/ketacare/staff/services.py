"""Staff management use cases for clinic admins (permission `manage_memberships`).

Each is keyword-only, takes the acting membership as `by`, checks the permission (403 and a
denied audit event), finds the colleague's membership inside the acting clinic only (404 and a
denied audit event otherwise), runs in one durable transaction and writes its audit event as the
transaction's last statement. E-mails leave after the commit (`transaction.on_commit`).

The clinic is never left without a clinic admin who can sign in: demoting or deactivating the
last one is refused (`ConflictCode.LAST_ADMIN`). The memberships this rule reads are locked in
pk order (the target and the clinic's active admins, one query), so two admins demoting each
other at the same moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import BaseUserManager
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership, Role
from ketacare.staff import mail
from ketacare.staff.errors import ConflictCode, InvitationInvalid, StaffConflict
from ketacare.staff.models import INVITATION_VALID_HOURS, AuthenticatorReset, Invitation
from ketacare.staff.queries import MEMBERSHIP, get_member_for, invitation_works, require_manage
from ketacare.staff.tokens import digest_invitation_token, new_invitation_token

logger = logging.getLogger(__name__)

NAME_MAX_CHARS = 150
REASON_MAX_CHARS = 1000
INVITATION_OBJECT_TYPE = "invitation"
# PostgreSQL cannot store a NUL character in text.
NUL_MESSAGE = "Remove the NUL character from this text."


@dataclass(frozen=True)
class InvitedStaff:
    membership: Membership
    #: None when the e-mail belonged to an account that already has a password: that colleague
    #: signs in as before and gets a notice instead of a link.
    invitation: Invitation | None
    new_account: bool


# --- invitations ------------------------------------------------------------------------------


def _clean_invite(
    *, email: str, given_name: str, family_name: str, role: str, username: str
) -> tuple[str, str, str, str]:
    errors: dict[str, str] = {}
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        EmailValidator(message="Enter a valid e-mail address.")(email)
    except ValidationError as error:
        errors["email"] = error.messages[0]
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    for field, value, words in (
        ("given_name", given_name, "given name"),
        ("family_name", family_name, "family name"),
    ):
        if not value:
            errors[field] = f"Enter the colleague's {words}."
        elif "\x00" in value:
            errors[field] = NUL_MESSAGE
        elif len(value) > NAME_MAX_CHARS:
            errors[field] = f"The {words} can be at most {NAME_MAX_CHARS} characters long."
    if role not in Role.values:
        errors["role"] = f"Choose one of the roles: {', '.join(Role.values)}."
    username = (username or "").strip() or email
    try:
        UnicodeUsernameValidator()(username)
        if len(username) > NAME_MAX_CHARS:
            raise ValidationError(f"A user name can be at most {NAME_MAX_CHARS} characters long.")
    except ValidationError as error:
        if "username" not in errors and "email" not in errors:
            errors["username"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return email, given_name, family_name, username


def _new_invitation(
    *, membership: Membership, invited_by: AbstractBaseUser | None, now: dt.datetime
) -> tuple[Invitation, str]:
    """A fresh link for `membership`; its older links stop working."""
    Invitation.objects.filter(membership_id=membership.pk, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    token = new_invitation_token()
    invitation = Invitation.objects.create(
        clinic_id=membership.clinic_id,
        membership=membership,
        token_sha256=digest_invitation_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=INVITATION_VALID_HOURS),
        invited_by=invited_by,
    )
    return invitation, token


def invite_staff(
    *,
    by: Membership,
    email: str,
    given_name: str,
    family_name: str,
    role: str,
    site_url: str,
    username: str = "",
) -> InvitedStaff:
    """Add a colleague to the acting clinic and e-mail them.

    A new e-mail address gets an account without a password (user name `username`, else the
    e-mail address) and a one-time link, valid INVITATION_VALID_HOURS, to choose a password and
    then set up two-factor sign-in. An address that already has an account (a colleague of
    another clinic) gets a membership in this clinic on that account, never a second account;
    it keeps its own names and user name. `site_url` is where links in the e-mail point.
    """
    require_manage(by, action=Action.CREATE)
    email, given_name, family_name, username = _clean_invite(
        email=email, given_name=given_name, family_name=family_name, role=role, username=username
    )
    user_model = get_user_model()
    now = timezone.now()
    token = ""
    try:
        with transaction.atomic(durable=True):
            accounts = list(user_model._default_manager.filter(email__iexact=email)[:2])
            if len(accounts) > 1:
                raise ValidationError(
                    {
                        "email": "Several accounts use this e-mail address; ask your KetaCare "
                        "operator to merge them first."
                    }
                )
            new_account = not accounts
            if new_account:
                if user_model._default_manager.filter(username__iexact=username).exists():
                    raise ValidationError(
                        {"username": f"The user name {username!r} is taken; choose another."}
                    )
                user = user_model._default_manager.create_user(
                    username=username,
                    email=email,
                    password=None,  # unusable until the colleague opens the link
                    first_name=given_name,
                    last_name=family_name,
                )
            else:
                user = accounts[0]
                if Membership.objects.filter(user_id=user.pk, clinic_id=by.clinic_id).exists():
                    raise StaffConflict(
                        ConflictCode.ALREADY_MEMBER,
                        "This colleague is already on the clinic's staff list: change their "
                        "role or reactivate them there.",
                        field="email",
                    )
            membership = Membership.objects.create(user=user, clinic_id=by.clinic_id, role=role)
            membership.clinic = by.clinic
            invitation = None
            if not user.has_usable_password():
                invitation, token = _new_invitation(
                    membership=membership, invited_by=by.user, now=now
                )
            record_event(
                action=Action.CREATE,
                membership=by,
                object_type=MEMBERSHIP,
                object_id=membership.pk,
                detail=f"role={role} user={user.pk} new_account={int(new_account)} "
                f"invitation={invitation.pk if invitation else '-'}",
            )
            if invitation is not None:
                transaction.on_commit(
                    partial(
                        mail.send_invitation, membership=membership, token=token, site_url=site_url
                    )
                )
            else:
                transaction.on_commit(
                    partial(mail.send_added, membership=membership, site_url=site_url)
                )
    except IntegrityError as error:
        # Someone took the user name (or added this account) in the same instant.
        raise ValidationError(
            {"username": "That user name or membership was just created; try again."}
        ) from error
    logger.info("membership %s created by membership %s", membership.pk, by.pk)
    return InvitedStaff(membership=membership, invitation=invitation, new_account=new_account)


def resend_invitation(*, by: Membership, membership_id: object, site_url: str) -> Invitation:
    """A new link for a colleague who has not chosen a password yet; older links stop working."""
    target = get_member_for(by, membership_id, action=Action.CREATE)
    if target.user.has_usable_password():
        raise StaffConflict(
            ConflictCode.NOT_PENDING,
            "This colleague has already chosen a password; if they forgot it, they use "
            "“Forgot password?” on the sign-in page.",
        )
    if not target.is_active:
        raise StaffConflict(
            ConflictCode.INACTIVE, "Reactivate this membership before inviting again."
        )
    now = timezone.now()
    with transaction.atomic(durable=True):
        invitation, token = _new_invitation(membership=target, invited_by=by.user, now=now)
        record_event(
            action=Action.CREATE,
            membership=by,
            object_type=INVITATION_OBJECT_TYPE,
            object_id=invitation.pk,
            detail=f"membership={target.pk} resend=1",
        )
        transaction.on_commit(
            partial(mail.send_invitation, membership=target, token=token, site_url=site_url)
        )
    return invitation


def accept_invitation(*, token: str, password: str) -> Membership:
    """The invited colleague sets their password; the link is used up.

    Raises InvitationInvalid for a link that no longer works (one answer for unknown, used,
    revoked and expired) and ValidationError {"password": ...} for a password the validators
    refuse. Every other open link of the account stops working too. The caller signs the
    colleague in; two-factor enrolment follows (RequireMFAMiddleware).
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("membership__user", "membership__clinic")
            .filter(token_sha256=digest_invitation_token(token))
            .first()
        )
        if invitation is None or not invitation_works(invitation, now):
            raise InvitationInvalid
        membership = invitation.membership
        user = membership.user
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        Invitation.objects.filter(
            membership__user_id=user.pk, used_at=None, revoked_at=None
        ).update(revoked_at=now)
        record_event(
            action=Action.UPDATE,
            membership=membership,
            object_type=INVITATION_OBJECT_TYPE,
            object_id=invitation.pk,
            detail="accepted",
        )
    logger.info("invitation %s accepted", invitation.pk)
    return membership


# --- role and active --------------------------------------------------------------------------


def _can_sign_in(membership: Membership) -> bool:
    return bool(membership.user.is_active and membership.user.has_usable_password())


def _locked_with_admins(by: Membership, target_pk: int) -> tuple[Membership, list[Membership]]:
    """The target and the clinic's active admins, locked in pk order (one statement)."""
    rows = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(clinic_id=by.clinic_id)
        .filter(Q(pk=target_pk) | Q(role=Role.CLINIC_ADMIN, is_active=True))
        .order_by("pk")
    )
    target = next((m for m in rows if m.pk == target_pk), None)
    if target is None:  # the account was deleted a moment ago
        raise Http404("No membership with that id.")
    return target, rows


def _refuse_losing_last_admin(
    by: Membership, target: Membership, locked: list[Membership], *, role: str, active: bool
) -> None:
    stays_admin = role == Role.CLINIC_ADMIN and active
    if target.role != Role.CLINIC_ADMIN or not target.is_active or stays_admin:
        return
    others = [
        m
        for m in locked
        if m.pk != target.pk and m.role == Role.CLINIC_ADMIN and m.is_active and _can_sign_in(m)
    ]
    if others:
        return
    field = "role" if active else "is_active"
    if target.pk == by.pk:
        message = (
            "You are the last active clinic admin of this clinic: make a colleague clinic admin "
            "first."
        )
    else:
        message = "The clinic would have no active clinic admin left: make another colleague "
        message += "clinic admin first."
    raise StaffConflict(ConflictCode.LAST_ADMIN, message, field=field)


def change_membership(
    *,
    by: Membership,
    membership_id: object,
    role: str | None = None,
    is_active: bool | None = None,
) -> Membership:
    """Change a colleague's role and/or deactivate or reactivate their membership.

    Nothing to change is no change (and no event). A deactivated colleague keeps their account
    and history but reaches nothing of this clinic from their next request on.
    """
    target = get_member_for(by, membership_id, action=Action.UPDATE)
    if role is not None and role not in Role.values:
        raise ValidationError({"role": f"Choose one of the roles: {', '.join(Role.values)}."})
    with transaction.atomic(durable=True):
        locked, rows = _locked_with_admins(by, target.pk)
        new_role = locked.role if role is None else role
        new_active = locked.is_active if is_active is None else bool(is_active)
        changes = []
        if new_role != locked.role:
            changes.append(f"role={locked.role}->{new_role}")
        if new_active != locked.is_active:
            changes.append(f"active={int(locked.is_active)}->{int(new_active)}")
        if not changes:
            return target
        _refuse_losing_last_admin(by, locked, rows, role=new_role, active=new_active)
        locked.role, locked.is_active = new_role, new_active
        locked.save(update_fields=["role", "is_active"])
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=MEMBERSHIP,
            object_id=locked.pk,
            detail=" ".join(changes),
        )
    target.role, target.is_active = new_role, new_active
    logger.info("membership %s changed by membership %s", target.pk, by.pk)
    return target


# --- authenticator ----------------------------------------------------------------------------


def reset_authenticator(
    *, by: Membership, membership_id: object, reason: str, site_url: str
) -> AuthenticatorReset:
    """Remove a colleague's authenticator apps, so their next sign-in sets up a new one.

    `reason` is required and kept in the AuthenticatorReset row only; the audit event names the
    row. A session the colleague has open loses its second step at its next request. Admins
    reset their own app through another admin, so one stolen session cannot swap it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Write why the authenticator is reset (for example: lost phone)."}
        )
    if "\x00" in reason:
        raise ValidationError({"reason": NUL_MESSAGE})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_CHARS} characters."})
    target = get_member_for(by, membership_id, action=Action.UPDATE)
    if target.user_id == by.user_id:
        raise StaffConflict(
            ConflictCode.OWN_AUTHENTICATOR,
            "You cannot reset your own authenticator: ask another clinic admin.",
            field="reason",
        )
    with transaction.atomic(durable=True):
        _total, per_model = TOTPDevice.objects.filter(user_id=target.user_id).delete()
        removed = per_model.get(TOTPDevice._meta.label, 0)
        reset = AuthenticatorReset.objects.create(
            clinic_id=target.clinic_id,
            membership=target,
            reset_by=by.user,
            reason=reason,
            devices_removed=removed,
        )
        record_event(
            action=Action.UPDATE,
            membership=by,
            object_type=MEMBERSHIP,
            object_id=target.pk,
            detail=f"authenticator_reset={reset.pk} devices_removed={removed}",
        )
        transaction.on_commit(
            partial(mail.send_authenticator_reset, membership=target, site_url=site_url)
        )
    logger.info("authenticator of membership %s reset (reset %s)", target.pk, reset.pk)
    return reset
