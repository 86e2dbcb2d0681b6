"""django-axes with two limits: one for a user name from one address, one for an address.

axes compares one number, the highest failure count over the sets of
`AXES_LOCKOUT_PARAMETERS`, with one limit. KetaCare wants a different limit per set (settings,
"Lockout"): 5 for the pair user name + address, more for the address alone, so that a few typos
by several people behind one clinic's address do not lock the whole clinic out. The address
count is scaled onto the pair's limit, so each set reaches `AXES_FAILURE_LIMIT` exactly when it
reaches its own limit.

axes keeps the user name of each attempt. A name typed by a stranger may be personal data (or a
password typed into the wrong box), so axes is given the same keyed hash the audit trail keeps
for failed sign-ins (`axes_username`, settings.AXES_USERNAME_CALLABLE): attempts on one name
still add up, and the name cannot be read back.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from ketacare.accounts.signals import username_digest


def axes_username(
    request: HttpRequest | None, credentials: dict[str, Any] | None = None
) -> str | None:
    """What axes stores and compares as the user name: a keyed hash of the typed name."""
    if credentials:
        raw = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", None) or {}
        raw = data.get("username")
    if raw is None:
        return None
    return username_digest(str(raw))


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # not the two sets of our settings: axes' own rule
            return max(counts, default=0)
        pair, address = counts
        limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = int(settings.LOCKOUT_ADDRESS_FAILURES)
        # floor(address * limit / address_limit) >= limit exactly when address >= address_limit.
        return max(pair, address * limit // address_limit)
