"""Staff management data: invitations (one-time links, stored hashed) and authenticator resets.

Both carry the clinic, like every clinic table, so a clinic's rows can be found (and moved)
without joining through the membership.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from ketacare.clinics.models import Clinic, Membership

INVITATION_VALID_HOURS = 72


class Invitation(models.Model):
    """A one-time link that lets an invited colleague choose a password.

    Only the SHA-256 of the link's token is kept: the token is 256 random bits (not a password a
    person chose), so a plain digest is enough, and a copy of the table opens no account. A link
    works once, for INVITATION_VALID_HOURS, and only while it is the membership's newest one
    (sending the invitation again revokes the older links).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="invitations")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["clinic_id", "pk"]
        indexes = [models.Index(fields=["membership", "created_at"])]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    def is_usable_at(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class AuthenticatorReset(models.Model):
    """A clinic admin removed a colleague's authenticator app; the written reason lives here.

    The audit event of the reset names this row's id only: the reason is free text, which the
    audit trail never holds.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="authenticator_resets"
    )
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()
    devices_removed = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinic_id", "pk"]

    def __str__(self) -> str:
        return f"authenticator reset {self.pk}"
