"""Background delivery of the feedback outbox (see ``marketplace.services.feedback_delivery``).

The outbox row is the truth and these messages only wake a worker up, so a lost message costs
a delay, never an event: ``redeliver_feedback`` (beat, every minute) re-sends what is due.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from config.celery import enqueue
from marketplace.services.feedback_delivery import (
    FeedbackDeliveryFailed,
    feedback_deliver,
    feedback_redeliver,
)


@shared_task(name="marketplace.deliver_feedback_event", bind=True, acks_late=True, max_retries=None)
def deliver_feedback_event(self, event_id: int) -> bool:
    """Deliver one event; after a failed attempt, retry when its backoff ends. Safe to run twice."""
    try:
        return feedback_deliver(event_id=event_id)
    except FeedbackDeliveryFailed as failed:
        if self.request.is_eager:
            # In-process (no broker) a retry would run again at once, in the request that
            # committed the event; the sweep, or an administrator's "retry now", sends it later.
            return False
        countdown = max(0.0, (failed.retry_at - timezone.now()).total_seconds())
        raise self.retry(countdown=countdown, exc=failed) from None


@shared_task(name="marketplace.redeliver_feedback")
def redeliver_feedback() -> int:
    """Enqueue every undelivered event that is due (beat, every minute); return how many."""
    return feedback_redeliver(enqueue=lambda event_id: enqueue(deliver_feedback_event, event_id))
