"""Accounts data: API bearer tokens (stored hashed) and the demo-account flag."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


class ApiToken(models.Model):
    """A personal API bearer token, shown once at creation and kept only as a SHA-256 digest.

    The token reads `kc_<prefix>_<secret>`: the prefix finds the row (and names the token in
    lists and the audit trail), the secret is checked against `secret_sha256`. A plain SHA-256 is
    enough here because the secret is 256 random bits, not a password a person chose.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "created_at", "pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.prefix}"

    def status_at(self, now: object) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:  # type: ignore[operator]
            return "expired"
        return "active"


class DemoAccount(models.Model):
    """Marks a user created by `ketacare demo`.

    Only in demo mode (settings.DEMO_MODE) may such a user skip two-factor sign-in; in production
    mode the row has no effect, so a demo database promoted by mistake still requires MFA.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "demo account"

    def __str__(self) -> str:
        return f"demo account {self.user_id}"
