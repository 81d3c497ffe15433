"""Background work of tickets: thin beat tasks calling one service each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from supervision.services import tickets_close_unrated, tickets_warn_due


@shared_task(name="supervision.warn_due_tickets", acks_late=True)
def warn_due_tickets() -> dict[str, int]:
    """Warn handling units and supervisors of soon-due and overdue tickets, once each."""
    return tickets_warn_due()


@shared_task(name="supervision.close_unrated_tickets", acks_late=True)
def close_unrated_tickets() -> int:
    """Close replied tickets left without a rating for 7 days."""
    return tickets_close_unrated()
