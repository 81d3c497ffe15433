"""Background work of delivery: closing fulfilled needs the platform never confirmed."""

from __future__ import annotations

from celery import shared_task

from marketplace.delivery.services.closing import needs_close_fulfilled


@shared_task(name="delivery.close_fulfilled_needs")
def close_fulfilled_needs() -> int:
    """Close needs fulfilled more than NEED_CLOSE_GRACE_DAYS ago; safe to run twice (daily in beat)."""
    return needs_close_fulfilled()
