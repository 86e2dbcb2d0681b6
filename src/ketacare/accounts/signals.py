"""Audit events for sign-in, failed sign-in and sign-out (pages and admin alike).

Failed sign-ins: the password is never stored. A user name typed by a stranger may be personal
data (or a password typed in the wrong box), so it is never stored either: for an existing
account the event names the user id as its object; for an unknown name it keeps only a keyed
hash (HMAC with the site secret, 16 hex characters), enough to see repeated attempts on one name
without being able to read the name back.

Each event is filed under one clinic, so it shows in that clinic's audit report: a sign-in or
sign-out under the clinic the session acts for (else the user's first active membership), with
the user's role there; a failed sign-in of an existing account under its first active
membership's clinic (the clinic that would see the attempt on its staff member). A stranger's
unknown user name belongs to no clinic.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from ketacare.accounts.services import (
    DEMO_SKIP_SESSION_KEY,
    forget_pending_totp,
    may_skip_mfa,
    signed_in_membership,
)
from ketacare.audit.models import Action
from ketacare.audit.services import record_event

LOGOUT_REASON_ATTR = "_ketacare_logout_reason"
LOGIN_RECEIVER_UID = "ketacare.accounts.audit_login"


def username_digest(username: str) -> str:
    return salted_hmac("ketacare.accounts.failed-login", username.strip().lower()).hexdigest()[:16]


@receiver(user_logged_in, dispatch_uid=LOGIN_RECEIVER_UID)
def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    detail = "step=password"
    if request is not None and hasattr(request, "session"):
        # A new sign-in gets a TOTP secret of its own (services.start_totp_enrolment).
        forget_pending_totp(request.session)
    if request is not None and may_skip_mfa(user):
        request.session[DEMO_SKIP_SESSION_KEY] = True
        detail += " mfa=demo_skip"
    record_event(
        action=Action.LOGIN,
        membership=signed_in_membership(user, getattr(request, "session", None)),
        user=user,
        object_type="user",
        object_id=user.pk,
        detail=detail,
    )


@receiver(user_login_failed, dispatch_uid="ketacare.accounts.audit_login_failed")
def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    user_model = get_user_model()
    username = str(credentials.get(user_model.USERNAME_FIELD) or credentials.get("username") or "")
    reason = "locked_out" if getattr(request, "axes_locked_out", False) else "bad_credentials"
    user = (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username})
        .only("pk")
        .first()
        if username
        else None
    )
    if user is not None:
        membership = signed_in_membership(user)
        record_event(
            action=Action.LOGIN_FAILED,
            clinic_id=membership.clinic_id if membership is not None else None,
            object_type="user",
            object_id=user.pk,
            allowed=False,
            detail=f"step=password reason={reason}",
        )
    else:
        record_event(
            action=Action.LOGIN_FAILED,
            object_type="user",
            allowed=False,
            detail=f"step=password reason={reason} unknown_user={username_digest(username)}",
        )


@receiver(user_logged_out, dispatch_uid="ketacare.accounts.audit_logout")
def on_user_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, LOGOUT_REASON_ATTR, "user")
    record_event(
        action=Action.LOGOUT,
        # logout() sends this signal before it empties the session: the active clinic is known.
        membership=signed_in_membership(user, getattr(request, "session", None)),
        user=user,
        object_type="user",
        object_id=user.pk,
        detail=f"reason={reason}",
    )
