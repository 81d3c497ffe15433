"""Handing work to the broker without ever making a request wait on it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args, in_process: Callable[[], object] | None = None) -> bool:
    """Hand ``task(*args)`` to the broker (or run it in-process, without one); return whether
    it was handed over.

    ``in_process``: what to call instead when tasks run in-process (no broker): the caller
    still holds in memory what the task would read again from its arguments.

    Every publish on commit goes through here, so a request never waits on the broker longer
    than ``BROKER_PUBLISH_TIMEOUT``, once: no publish retry, no result subscription. When the
    broker is down or hung the failure is logged, not raised: the change is committed and what
    the task was to do waits in its outbox row, which the beat sweep sends once the broker is
    back. Only tasks whose rows are swept that way may be enqueued here.
    """
    if in_process is not None and task.app.conf.task_always_eager:
        in_process()
        return True
    try:
        task.apply_async(args, retry=False, ignore_result=True)
    except (OperationalError, OSError) as exc:
        logger.warning("Broker unavailable, %s%r not enqueued (left to the sweep): %s", task.name, args, exc)
        return False
    return True
