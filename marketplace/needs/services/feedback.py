"""Feedback to the monitoring platform through an outbox.

``feedback_emit`` writes the event row in the caller's transaction, so an event exists exactly
when the change it reports was committed; delivery to the webhook happens after commit, in a
Celery task that retries (see ``marketplace.needs.tasks``). Payloads carry the need's code and
``source_ref``, amounts, dates and organization names — never identity.
"""

from __future__ import annotations

from django.db import transaction

from core.db import row_insert
from core.queue import enqueue
from marketplace.needs.models import FeedbackEvent, Need


def feedback_emit(*, need: Need, kind: str, payload: dict) -> FeedbackEvent:
    """Record a feedback event for the need's source system; delivery is enqueued on commit.

    Raises ``ValueError`` for an unknown kind.
    """
    if kind not in FeedbackEvent.KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}")
    event = FeedbackEvent(
        source_system_id=need.source_system_id,
        need=need,
        kind=kind,
        payload={"need_code": need.code, "source_ref": need.source_ref, **payload},
    )
    # A fixed statement (core.db): every claim writes one.
    row_insert(event)
    # A broker that is down or hung costs the request at most BROKER_PUBLISH_TIMEOUT and does
    # not fail the committed change: the event stays pending in the outbox and the sweep
    # (needs.redispatch_feedback) sends it. robust: nothing raised here undoes the change.
    if _may_be_pushed(need):
        transaction.on_commit(lambda: _enqueue(event.pk), robust=True)
    return event


def _may_be_pushed(need: Need) -> bool:
    """False when the need came with its source system (``need_public_get``, every claim) and
    that system pulls its events or is inactive: no wake-up call then. Should it get a webhook
    meanwhile, the sweep sends the event once due, as for a lost message."""
    if not Need.source_system.is_cached(need):
        return True
    system = need.source_system
    return bool(system.webhook_url) and system.is_active


def _enqueue(event_id: int) -> None:
    from marketplace.needs.tasks import dispatch_feedback_event

    enqueue(dispatch_feedback_event, event_id)
