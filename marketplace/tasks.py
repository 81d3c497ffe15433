"""Background work of the marketplace: thin tasks that call one service each."""

from __future__ import annotations

from celery import shared_task

from marketplace.services.expiry import needs_expire


@shared_task(name="marketplace.expire_needs")
def expire_needs() -> int:
    """Expire needs past their needed-by date (beat runs it nightly); safe to run twice."""
    return needs_expire()
