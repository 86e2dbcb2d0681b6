"""The self-check a person may attach to an intake request, carried as a signed value.

The self-check stores nothing on the server. Its result page hands the answers and the result to
the clinic page as one signed value (django.core.signing, in the link): the server can then
trust that the result attached to a request is the one the self-check computed, without having
kept it. Only the intake request the person sends (and chooses to attach it to) stores it.

    token = make_self_check_token({"answers": {...}, "result": "needs_clinician", ...})
    read_self_check_token(token)  # the same dict, or SelfCheckTokenError
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing

# One salt for this use only: a value signed for anything else never reads as a self-check.
SELF_CHECK_SALT = "ketacare.public.self_check"
# Long enough to take the self-check one evening and write to a clinic the next days.
SELF_CHECK_MAX_AGE = dt.timedelta(days=7)


class SelfCheckTokenError(ValueError):
    """The value is not a self-check signed here, or it is too old; the message says which."""


def make_self_check_token(self_check: dict[str, Any]) -> str:
    """The signed, URL-safe value of a self-check (answers and result as plain JSON)."""
    return signing.dumps(self_check, salt=SELF_CHECK_SALT, compress=True)


def read_self_check_token(token: str) -> dict[str, Any]:
    """The self-check signed by `make_self_check_token`, if untouched and not too old."""
    try:
        value = signing.loads(token, salt=SELF_CHECK_SALT, max_age=SELF_CHECK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise SelfCheckTokenError(
            f"This self-check is more than {SELF_CHECK_MAX_AGE.days} days old: take it again, "
            "or send the request without it."
        ) from error
    except signing.BadSignature as error:
        raise SelfCheckTokenError(
            "This self-check could not be read: take it again, or send the request without it."
        ) from error
    if not isinstance(value, dict):
        raise SelfCheckTokenError("This self-check could not be read.")
    return value
