"""Fixed-window rate limits in Django's cache (the database, or Redis when REDIS_URL is set),
so every worker counts against the same limit.

    if not allow("intake", client_ip(request), limit=5, window_seconds=3600):
        return 429

The key holds a hash of what is limited (an address, a token), never the value itself: the cache
table is not a place for visitors' addresses.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, subject: str, window_seconds: int) -> str:
    window = int(time.time()) // window_seconds
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{window}:{digest}"


def allow(scope: str, subject: str | None, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of `subject` in `scope`; False once it is past `limit` in this window.

    A request without a known subject (no client address) shares one bucket per scope, so it is
    limited rather than let through.
    """
    key = _key(scope, subject or "-", window_seconds)
    # add() is atomic: only the first hit of a window creates the counter.
    if cache.add(key, 1, timeout=window_seconds + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit
