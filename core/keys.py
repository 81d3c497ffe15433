"""API keys shown once and stored only as their SHA-256, with a short prefix to tell them apart.

Personal API tokens (accounts.tokens), source systems' keys (marketplace.needs) and Open311
clients' keys (supervision.open311) are all made and checked this way. A key is random (256
bits), so a plain hash hides it: no salt or slow hash is needed as it is for a password.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(prefix_bytes: int = 4) -> tuple[str, str]:
    """``(prefix, key)``: the key is ``<prefix>.<43 random characters>``."""
    prefix = secrets.token_hex(prefix_bytes)
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def note_use(record: models.Model, *, field: str = "last_used_at", now: datetime | None = None) -> None:
    """Record that ``record``'s key was used, at most once per ``LAST_USED_RESOLUTION``."""
    now = now or timezone.now()
    last = getattr(record, field)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        type(record).objects.filter(pk=record.pk).update(**{field: now})
        setattr(record, field, now)
