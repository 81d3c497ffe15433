"""One Celery beat for the whole deployment.

The schedule lives in the database (django-celery-beat's ``DatabaseScheduler``: the entries of
``CELERY_BEAT_SCHEDULE`` are written there when beat starts, and the back office edits them).
A beat sends only while it holds the beat lock, a key in the shared cache that it renews at
every tick; a second beat started by mistake waits and sends nothing, and takes over, reading
the schedule afresh, when the first has been silent for ``BEAT_LOCK_SECONDS``. With the
in-process cache the lock is one process's own: run one beat per machine there, as before.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from django.conf import settings
from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

BEAT_LOCK_KEY = "celery-beat:lock"


def hold_beat_lock(owner: str, seconds: int) -> bool:
    """Take or renew the beat lock for ``owner``; False while another beat holds it."""
    if cache.add(BEAT_LOCK_KEY, owner, timeout=seconds):
        return True
    if cache.get(BEAT_LOCK_KEY) == owner:
        cache.touch(BEAT_LOCK_KEY, timeout=seconds)
        return True
    return False


def release_beat_lock(owner: str) -> None:
    if cache.get(BEAT_LOCK_KEY) == owner:
        cache.delete(BEAT_LOCK_KEY)


class SingleBeatScheduler(DatabaseScheduler):
    """``DatabaseScheduler`` that sends only while it holds the deployment's beat lock."""

    def __init__(self, *args, **kwargs) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        seconds = settings.BEAT_LOCK_SECONDS
        if not hold_beat_lock(self.owner, seconds):
            if self.holding:
                logger.warning("beat %s lost the beat lock: another beat sends now", self.owner)
            self.holding = False
            return seconds / 3
        if not self.holding:
            logger.info("beat %s holds the beat lock and sends the schedule", self.owner)
            # What the beat before it ran is in the database, not in this beat's memory.
            self._schedule = self.all_as_schedule()
            self._heap = None
            self.holding = True
        return min(super().tick(*args, **kwargs), seconds / 3)

    def close(self) -> None:
        super().close()
        release_beat_lock(self.owner)
