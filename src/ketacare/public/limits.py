"""Rate limits of the self-check and the clinic finder (pages and API alike).

Generous on purpose: a person trying ZIP codes or going back and forth through the self-check
never meets them; a script sweeping the finder does, and gets 429. Policy, not a clinical rule.
"""

from __future__ import annotations

from django.http import HttpRequest

from ketacare.web.client_ip import client_ip
from ketacare.web.ratelimit import allow

WINDOW_SECONDS = 60
LIMITS = {"self-check": 30, "finder": 120}
TOO_MANY = "Too many requests from your address. Please wait a minute and try again."


def public_allowed(request: HttpRequest, scope: str) -> bool:
    """Count this request against `scope`'s limit for the client's address."""
    return allow(
        f"public-{scope}", client_ip(request), limit=LIMITS[scope], window_seconds=WINDOW_SECONDS
    )
