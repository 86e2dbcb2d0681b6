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


def _key(scope: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{window}:{digest}"


def allow(scope: str, subject: str | None, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of `subject` in `scope`; False once it is past `limit` in this window.

    A request without a known subject (no client address) shares one bucket per scope, so it is
    limited rather than let through.
    """
    now = int(time.time())
    window = now // window_seconds
    key = _key(scope, subject or "-", window)
    # The counter lives to the end of its window (+1 s), however late in it the hit comes.
    ttl = (window + 1) * window_seconds - now + 1
    # add() is atomic: only the first hit of a window creates the counter.
    if cache.add(key, 1, timeout=ttl):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=ttl)
        count = 1
    # Some backends' incr() (the database cache's: a get and a set) puts the default timeout
    # back on the key; give it its window's end again.
    cache.touch(key, ttl)
    return count <= limit
