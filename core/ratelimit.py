"""Counting attempts per client in a window, in the cache (shared by every node when
``CACHE_URL`` is Redis; per process with the in-memory default).

Login lock-out has django-axes; this is for public forms without an account (looking a ticket
up by its number and code, filing one): a fixed window per key, one ``add`` or ``incr``.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, who: str, window: int) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]  # no client address in cache keys
    return f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"


def attempt(scope: str, who: str, *, limit: int, window: int) -> bool:
    """Count one attempt of ``who`` (a client address) at ``scope``; True while the attempts in
    the current window of ``window`` seconds are at most ``limit``."""
    key = _key(scope, who or "unknown", window)
    if cache.add(key, 1, timeout=window + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def reset(scope: str, who: str, *, window: int) -> None:
    cache.delete(_key(scope, who or "unknown", window))
