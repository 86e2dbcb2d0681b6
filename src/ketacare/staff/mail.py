"""The e-mails of staff management, sent after the transaction that caused them commits.

A failed send never undoes the change (the admin can send an invitation again) and never shows a
traceback in the log: one line naming the ids and the kind of error.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ketacare.clinics.models import Membership
from ketacare.staff.models import INVITATION_VALID_HOURS

logger = logging.getLogger(__name__)


def invitation_link(site_url: str, token: str) -> str:
    return urljoin(site_url, reverse("staff:invitation", kwargs={"token": token}))


def _send(*, kind: str, membership: Membership, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"membership": membership, **context})
    try:
        send_mail(subject, body, None, [membership.user.email])
    except Exception as error:
        logger.warning(
            "%s mail for membership %s not sent (%s)",
            kind,
            membership.pk,
            type(error).__name__,
        )
        return
    logger.info("%s mail sent for membership %s", kind, membership.pk)


def send_invitation(*, membership: Membership, token: str, site_url: str) -> None:
    _send(
        kind="invitation",
        membership=membership,
        subject=f"You are invited to {membership.clinic.name} on KetaCare",
        template="staff/mail/invitation.txt",
        context={
            "link": invitation_link(site_url, token),
            "hours": INVITATION_VALID_HOURS,
        },
    )


def send_added(*, membership: Membership, site_url: str) -> None:
    _send(
        kind="added",
        membership=membership,
        subject=f"You now also work for {membership.clinic.name} on KetaCare",
        template="staff/mail/added.txt",
        context={"sign_in": urljoin(site_url, reverse("accounts:login"))},
    )


def send_authenticator_reset(*, membership: Membership, site_url: str) -> None:
    _send(
        kind="authenticator_reset",
        membership=membership,
        subject="Your KetaCare authenticator app was reset",
        template="staff/mail/authenticator_reset.txt",
        context={"sign_in": urljoin(site_url, reverse("accounts:login"))},
    )
