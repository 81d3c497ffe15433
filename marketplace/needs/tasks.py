"""Background work of the needs: thin tasks that call one service each, safe to run twice.

The feedback outbox row is the truth and its messages only wake a worker up, so a lost message
costs a delay, never an event: ``redispatch_feedback`` (beat, every minute) re-sends what is due.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.queue import enqueue
from marketplace.needs.services.expiry import needs_expire
from marketplace.needs.services.feedback_dispatch import (
    FeedbackDispatchFailed,
    feedback_dispatch,
    feedback_redispatch,
)
from marketplace.needs.services.import_previews import import_previews_purge


@shared_task(name="needs.dispatch_feedback_event", bind=True, acks_late=True, max_retries=None)
def dispatch_feedback_event(self, event_id: int) -> bool:
    """Deliver one event; after a failed attempt, retry when its backoff ends. Safe to run twice."""
    try:
        return feedback_dispatch(event_id=event_id)
    except FeedbackDispatchFailed as failed:
        if self.request.is_eager:
            # In-process (no broker) a retry would run again at once, in the request that
            # committed the event; the sweep, or an administrator's "retry now", sends it later.
            return False
        countdown = max(0.0, (failed.retry_at - timezone.now()).total_seconds())
        raise self.retry(countdown=countdown, exc=failed) from None


@shared_task(name="needs.redispatch_feedback")
def redispatch_feedback() -> int:
    """Enqueue every undelivered event that is due (beat, every minute); return how many."""
    return feedback_redispatch(enqueue=lambda event_id: enqueue(dispatch_feedback_event, event_id))


@shared_task(name="needs.expire_needs")
def expire_needs() -> int:
    """Expire needs past their needed-by date (beat runs it nightly); safe to run twice."""
    return needs_expire()


@shared_task(name="needs.purge_import_previews")
def purge_import_previews() -> int:
    """Delete previewed spreadsheets past their time (beat, every ten minutes)."""
    return import_previews_purge()
