"""Background work of the marketplace: thin tasks that call one service each."""

from __future__ import annotations

from celery import shared_task

# Each area keeps its tasks beside its services; importing them here registers them with
# Celery, whose autodiscovery looks only for ``tasks`` modules.
from marketplace import tasks_claims, tasks_delivery, tasks_feedback  # noqa: F401
from marketplace.services.expiry import needs_expire


@shared_task(name="marketplace.expire_needs")
def expire_needs() -> int:
    """Expire needs past their needed-by date (beat runs it nightly); safe to run twice."""
    return needs_expire()
