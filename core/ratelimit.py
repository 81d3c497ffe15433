"""A fixed-window request counter in the shared cache (Redis in production).

``allow("open311-key:42", limit=60, window=60)`` counts one request in the current window of
``window`` seconds and says whether it is within ``limit``. The shared cache makes the count hold
across processes and machines; with the local-memory cache of the embedded default it is per
process, which is enough for one machine.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count a request under ``key``; False once more than ``limit`` arrived in this window."""
    if limit <= 0:
        return True
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    # add() is atomic: the first request of a window creates the counter with its expiry.
    if cache.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add() and incr()
        cache.add(bucket, 1, timeout=window + 1)
        return True
    return count <= limit
