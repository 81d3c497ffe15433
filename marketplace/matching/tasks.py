"""Background work of matching: thin tasks that call one service each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketplace.matching.services.waiting import waiting_needs_alert


@shared_task(name="matching.alert_waiting_needs", acks_late=True)
def alert_waiting_needs() -> int:
    """Alert the caseworkers and departments of needs waiting without a claim (beat: daily)."""
    return waiting_needs_alert()
