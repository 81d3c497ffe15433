"""Background work of the public notices: thin tasks that call one service each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from cms.publicity.services import publicity_lists_expire


@shared_task(name="cms.expire_publicity_lists")
def expire_publicity_lists() -> int:
    """Unpublish the publicity lists whose period has ended (beat, hourly); return how many."""
    return publicity_lists_expire()
