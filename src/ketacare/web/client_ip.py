"""The address of the client: the one helper the lockout (axes), the audit trail and the idle
sign-out all use.

Without a proxy (the default) it is REMOTE_ADDR. Behind a TLS-terminating proxy
(`KETACARE_BEHIND_PROXY=1`) REMOTE_ADDR is the proxy, and the client is read from
X-Forwarded-For. Everything left of what our own proxies appended was sent by the client and can
say anything, so the address is taken counting from the right: with `KETACARE_PROXY_HOPS=1`
(one trusted proxy, the default) the right-most entry, the address that proxy saw; with 2 (e.g. a
load balancer in front of nginx) the second from the right, and so on. A header with fewer
entries than hops, or an entry that is not an address, cannot have come through the proxies as
configured: REMOTE_ADDR is used then, never a client-supplied value.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as far as it can be trusted; None when the request has none."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.SECURE_PROXY:
        return remote
    hops = settings.KETACARE_PROXY_HOPS  # at least 1 (settings)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < hops:
        return remote
    return _address(forwarded[-hops]) or remote
