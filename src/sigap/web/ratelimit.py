"""Rate limits on Django's cache (LocMem by default, Redis with SIGAP_CACHE_URL).

Each counter's window opens at the first request and lasts ``window`` seconds (the cache
entry's expiry); incrementing keeps the expiry on both LocMem and Redis. Unlike windows
aligned to the clock, a burst cannot straddle a boundary and get twice the limit.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    # Values (IP addresses, NIKs) are hashed with the secret key: the cache holds no personal data.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:32]
    return f"sigap:rl:{scope}:{digest}"


def hit(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one request for ``value``; False when it is over ``limit`` in the current window."""
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            count = 1
    return count <= limit


def client_ip(request: object) -> str:
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR") or "unknown")
