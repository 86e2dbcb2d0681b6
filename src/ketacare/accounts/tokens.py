"""API token format, hashing and lookup: `kc_<prefix>_<secret>`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ketacare.accounts.models import ApiToken
from ketacare.clinics.compiled import CompiledRead

logger = logging.getLogger(__name__)

TOKEN_SCHEME = "kc"  # noqa: S105 - a fixed label, not a secret
PREFIX_BYTES = 4  # 8 hex characters
SECRET_BYTES = 32  # 256 bits
# last_used_at is written at most this often, so a busy client does not turn reads into writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

_TOKEN_RE = re.compile(r"^kc_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
# Compared against when no row has the prefix, so a miss costs the same digest and comparison.
_NO_MATCH_DIGEST = "0" * 64


def _with_prefix(prefix: str) -> QuerySet[ApiToken]:
    # The prefix is unique: no ORDER BY. Not read: the token's name and creation time, and the
    # user's password hash (a bearer request never checks a password).
    return (
        ApiToken.objects.select_related("user")
        .defer("name", "created_at", "user__password")
        .filter(prefix=prefix)
        .order_by()[:1]
    )


# Every API request reads its token: compiled once per connection.
_BY_PREFIX = CompiledRead(
    "accounts.token_by_prefix", ApiToken, _with_prefix, 1, text=frozenset({0})
)


@dataclass(frozen=True)
class NewToken:
    prefix: str
    secret: str

    @property
    def value(self) -> str:
        return f"{TOKEN_SCHEME}_{self.prefix}_{self.secret}"


def generate_token() -> NewToken:
    return NewToken(
        prefix=secrets.token_hex(PREFIX_BYTES), secret=secrets.token_urlsafe(SECRET_BYTES)
    )


def digest_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_token(raw: str) -> tuple[str, str] | None:
    match = _TOKEN_RE.match(raw.strip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def authenticate_api_token(raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token for a presented bearer value, or None; never says why it was refused."""
    now = now or timezone.now()
    parsed = parse_token(raw)
    if parsed is None:
        return None
    prefix, secret = parsed
    found = _BY_PREFIX.objects(prefix)
    token = found[0] if found else None
    expected = token.secret_sha256 if token is not None else _NO_MATCH_DIGEST
    if not hmac.compare_digest(digest_secret(secret), expected) or token is None:
        logger.info("api token refused: no match for prefix %s", prefix)
        return None
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        logger.info("api token refused: token %s is %s", token.pk, token.status_at(now))
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
