"""Account use cases: API tokens, TOTP enrolment and verification, the demo-account flag.

Each function that is the outermost unit of work runs in `transaction.atomic(durable=True)` and
writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.models import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, ApiToken, DemoAccount
from ketacare.accounts.tokens import NewToken, digest_secret, generate_token
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.tenancy import ACTIVE_CLINIC_SESSION_KEY, memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase

    from ketacare.clinics.models import Membership

logger = logging.getLogger(__name__)

# Session keys owned by accounts.
DEMO_SKIP_SESSION_KEY = "accounts_mfa_demo_skip"
LAST_ACTIVITY_SESSION_KEY = "accounts_last_activity"
IDLE_SIGNED_OUT_SESSION_KEY = "accounts_idle_signed_out_min"
# The id of the unconfirmed TOTP device this session shows (its secret belongs to this session).
PENDING_TOTP_SESSION_KEY = "accounts_pending_totp_device_id"

TOTP_DEVICE_NAME = "Authenticator app"


def idle_sign_out_message(minutes: int) -> str:
    """The notice of an idle sign-out: the API's 401 detail and the login page's message."""
    return f"You were signed out after {minutes} minutes without activity."


class AccountError(Exception):
    """Bad input to an account service; the message is one sentence."""


# ---------------------------------------------------------------------------------------------
# Demo accounts


def mark_demo_user(user: AbstractBaseUser) -> DemoAccount:
    """Flag `user` as a demo account (idempotent; safe inside the caller's transaction).

    Called by `ketacare demo`. Only in demo mode does the flag let the user skip MFA.
    """
    account, _created = DemoAccount.objects.get_or_create(user=user)
    return account


def is_demo_user(user: AbstractBaseUser) -> bool:
    return DemoAccount.objects.filter(user_id=user.pk).exists()


def may_skip_mfa(user: AbstractBaseUser) -> bool:
    """True only in demo mode and only for flagged demo users."""
    return bool(settings.DEMO_MODE) and is_demo_user(user)


def mfa_satisfied(request: HttpRequest) -> bool:
    """The signed-in user passed TOTP in this session (or, in demo mode, is a demo user)."""
    user = request.user
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    return bool(settings.DEMO_MODE) and request.session.get(DEMO_SKIP_SESSION_KEY) is True


def signed_in_membership(
    user: AbstractBaseUser, session: SessionBase | None = None
) -> Membership | None:
    """The membership a sign-in, sign-out or failed code is filed under in the audit trail.

    The clinic the session acts for (the clinic switcher's choice), else the user's first active
    membership: the one `ketacare.clinics.tenancy.acting_membership` then chooses. So each event
    appears once, in that clinic's audit report, with the user's role there. None for a user of
    no clinic (a platform operator): the event then has no clinic, as before.
    """
    memberships = memberships_of(user)
    wanted = session.get(ACTIVE_CLINIC_SESSION_KEY) if session is not None else None
    chosen = next((m for m in memberships if m.clinic_id == wanted), None)
    return chosen or (memberships[0] if memberships else None)


# ---------------------------------------------------------------------------------------------
# TOTP


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # The code was right for a time step already used: TOTP codes work once (replay protection).
    REUSED = "reused"
    THROTTLED = "throttled"


def confirmed_totp_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def start_totp_enrolment(*, user: AbstractBaseUser, session: SessionBase) -> TOTPDevice:
    """The unconfirmed device whose secret this session shows.

    The device belongs to one session: its id is kept in the session, so a reload shows the same
    secret, while another session (another sign-in with the same password) gets a device of its
    own, and the user's older unconfirmed devices are deleted. A secret once shown is therefore
    never shown to a second session, and a confirmed device's secret never at all.
    """
    with transaction.atomic(durable=True):
        if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            raise AccountError(
                "This account already has an authenticator app; verify with it instead."
            )
        pending_id = session.get(PENDING_TOTP_SESSION_KEY)
        if isinstance(pending_id, int):
            device = TOTPDevice.objects.filter(
                pk=pending_id, user_id=user.pk, confirmed=False
            ).first()
            if device is not None:
                return device
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    session[PENDING_TOTP_SESSION_KEY] = device.pk
    return device


def forget_pending_totp(session: SessionBase) -> None:
    """A new sign-in starts enrolment afresh (accounts.signals, on every password sign-in)."""
    session.pop(PENDING_TOTP_SESSION_KEY, None)


def _check_code(device: TOTPDevice, code: str) -> CodeCheck:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck.THROTTLED
    last_used_step = device.last_t
    if device.verify_token(code):
        return CodeCheck.ACCEPTED
    return CodeCheck.REUSED if _was_used(device, code, last_used_step) else CodeCheck.WRONG


def _was_used(device: TOTPDevice, code: str, last_used_step: int) -> bool:
    """The refused code belongs to a time step at or before the last accepted one.

    django-otp refuses such a code like any wrong one; telling the two apart lets the page say
    "wait for the next code" instead of blaming the device's clock. Same window as verify_token.
    """
    if last_used_step < 0 or not code.isdigit():
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(int(code), device.tolerance)) and totp.t() <= last_used_step


def confirm_totp_enrolment(
    *, user: AbstractBaseUser, session: SessionBase, code: str
) -> tuple[CodeCheck, TOTPDevice | None]:
    """Confirm this session's pending device with a code from the app; audited as MFA_ENROLL.

    On success every other unconfirmed device of the user is deleted, so a secret another
    session saw can never be confirmed later.
    """
    pending_id = session.get(PENDING_TOTP_SESSION_KEY)
    with transaction.atomic(durable=True):
        if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            raise AccountError(
                "This account already has an authenticator app; verify with it instead."
            )
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=pending_id, user_id=user.pk, confirmed=False)
            .first()
            if isinstance(pending_id, int)
            else None
        )
        if device is None:
            raise AccountError("There is no pending authenticator set-up; reload the page.")
        result = _check_code(device, code)
        accepted = result is CodeCheck.ACCEPTED
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
        record_event(
            action=Action.MFA_ENROLL,
            membership=signed_in_membership(user, session),
            user=user,
            object_type="otp_device",
            object_id=device.pk,
            allowed=accepted,
            detail="" if accepted else f"reason={result.value}",
        )
    if accepted:
        session.pop(PENDING_TOTP_SESSION_KEY, None)
        return result, device
    return result, None


def verify_totp_login(
    *, user: AbstractBaseUser, code: str, session: SessionBase | None = None
) -> tuple[CodeCheck, TOTPDevice | None]:
    """Second sign-in step: check a code against the user's confirmed device; audited under the
    clinic the session acts for (`signed_in_membership`)."""
    membership = signed_in_membership(user, session)
    with transaction.atomic(durable=True):
        # Row lock so concurrent guesses cannot slip past the device's throttling counter.
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise AccountError("This account has no authenticator app yet; set one up first.")
        result = _check_code(device, code)
        if result is CodeCheck.ACCEPTED:
            record_event(
                action=Action.LOGIN,
                membership=membership,
                user=user,
                object_type="user",
                object_id=user.pk,
                detail="step=totp",
            )
            return result, device
        # A failed step names no actor (the code did not prove who typed it), only the clinic.
        record_event(
            action=Action.LOGIN_FAILED,
            clinic_id=membership.clinic_id if membership is not None else None,
            object_type="user",
            object_id=user.pk,
            allowed=False,
            detail=f"step=totp reason={result.value}",
        )
        return result, None


# ---------------------------------------------------------------------------------------------
# API tokens


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    value: str  # the full bearer value; exists only here, never stored


def create_api_token(
    *,
    user: AbstractBaseUser,
    name: str = "",
    days: int = DEFAULT_TOKEN_DAYS,
    now: dt.datetime | None = None,
) -> IssuedToken:
    """Issue a token for `user`, valid `days` days (1..365); the value is returned once."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"A token must be valid for 1 to {MAX_TOKEN_DAYS} days; got {days}.")
    if not user.is_active:
        raise AccountError("Tokens can only be issued to active users.")
    now = now or timezone.now()
    name = name.strip()[:100]
    with transaction.atomic(durable=True):
        for _attempt in range(5):
            new: NewToken = generate_token()
            try:
                # Savepoint, so a prefix collision (1 in 4 billion) retries instead of failing.
                with transaction.atomic():
                    token = ApiToken.objects.create(
                        user=user,
                        name=name,
                        prefix=new.prefix,
                        secret_sha256=digest_secret(new.secret),
                        created_at=now,
                        expires_at=now + dt.timedelta(days=days),
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five collisions in a row
            raise AccountError("Could not find a free token prefix; try again.")
        record_event(
            action=Action.TOKEN_CREATE,
            object_type="api_token",
            object_id=token.pk,
            detail=f"user_id={user.pk} prefix={token.prefix} days={days}",
        )
    logger.info("api token %s created for user %s", token.pk, user.pk)
    return IssuedToken(token=token, value=new.value)


def revoke_api_token(*, prefix: str, now: dt.datetime | None = None) -> tuple[ApiToken, bool]:
    """Revoke the token with this prefix; returns (token, newly_revoked). Idempotent."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        token = ApiToken.objects.select_for_update().filter(prefix=prefix.strip()).first()
        if token is None:
            raise AccountError(f"No API token has the prefix {prefix.strip()!r}.")
        if token.revoked_at is not None:
            return token, False
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record_event(
            action=Action.TOKEN_REVOKE,
            object_type="api_token",
            object_id=token.pk,
            detail=f"user_id={token.user_id} prefix={token.prefix}",
        )
    logger.info("api token %s revoked", token.pk)
    return token, True


def tokens_of(*, user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("created_at", "pk"))
