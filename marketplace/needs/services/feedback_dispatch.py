"""Delivering the feedback outbox to the monitoring platform's webhooks, and the pull cursor.

How a source system receives its events (the contract the operators build against):

* **Push.** When the system has a ``webhook_url``, each event is POSTed there as JSON::

      {"event_id": "<uuid>", "kind": "claim", "created_at": "<ISO 8601>",
       "need_code": "...", "source_ref": "...", "payload": {...}}

  with the headers ``X-Portal-Event-Id`` (the same uuid), ``X-Portal-Timestamp`` (unix seconds)
  and ``X-Portal-Signature: sha256=<hex>``, where ``<hex>`` is
  ``HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")`` and ``secret`` is the system's
  signing secret, ``hex(HMAC-SHA256(FEEDBACK_SIGNING_KEY, key_prefix))`` used as its ASCII text
  (``manage.py show_feedback_secret --source <name>`` prints it; rotating the system's API key
  changes its prefix and so its secret). The receiver recomputes the signature over the raw
  body, compares in constant time, refuses timestamps more than a few minutes old, and
  deduplicates on ``event_id``. Any 2xx answer means "received"; anything else, a redirect or
  no answer within ``FEEDBACK_WEBHOOK_TIMEOUT`` seconds is retried with exponential backoff
  (``FEEDBACK_RETRY_BASE_SECONDS`` × 2^(attempts−1), at most ``FEEDBACK_RETRY_MAX_SECONDS``).
* **Pull.** ``GET /api/v1/feedback/?after=<cursor>`` returns the system's events after a cursor,
  whether or not they were pushed: push and pull are independent, and pulling marks nothing.

Why no event is lost: the outbox row is written in the transaction of the change it reports
and is the truth; the Celery message is only a wake-up call. If Redis loses it (or was down
when it was sent) or the webhook is down, the row stays undelivered and the beat task
``needs.redispatch_feedback`` sends it again once it is due.

Why no event is sent twice: a delivery holds the event's row lock (``SELECT … FOR UPDATE SKIP
LOCKED``) from the check of ``delivered_at`` through the POST to the commit of
``delivered_at``, so a second worker skips an event in flight and never resends a delivered
one. The price is one open transaction per delivery in flight, bounded by the worker count
and the timeout. Only a worker dying between the webhook's 2xx and that commit can make the
same ``event_id`` arrive twice, which is why receivers deduplicate on it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.db import fixed_query
from marketplace.needs.models import FeedbackEvent, SourceSystem

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_ID_HEADER = "X-Portal-Event-Id"
# An event whose first wake-up call was lost is picked up by the sweep after this long.
ENQUEUE_GRACE = timedelta(minutes=1)
# A retry message may arrive a little before next_attempt_at; it still counts as due.
DUE_TOLERANCE = timedelta(seconds=2)
SWEEP_BATCH = 500
PULL_MAX_LIMIT = 500


class FeedbackDispatchFailed(Exception):
    """A delivery attempt failed and was recorded; the next one is due at ``retry_at``."""

    def __init__(self, *, event_id: int, error: str, retry_at: datetime):
        super().__init__(f"feedback event {event_id}: {error}; next attempt at {retry_at.isoformat()}")
        self.event_id = event_id
        self.error = error
        self.retry_at = retry_at


# --- signing -----------------------------------------------------------------------------------


def feedback_signing_secret(source_system: SourceSystem) -> str:
    """The secret a source system verifies webhook signatures with (64 hex characters)."""
    return hmac.new(
        settings.FEEDBACK_SIGNING_KEY.encode(), source_system.key_prefix.encode(), hashlib.sha256
    ).hexdigest()


def feedback_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">``, the X-Portal-Signature value."""
    digest = hmac.new(secret.encode("ascii"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


# --- the wire format ---------------------------------------------------------------------------


def feedback_event_document(event: FeedbackEvent) -> dict:
    """The event as the monitoring platform receives it, by webhook or by pull."""
    payload = event.payload or {}
    return {
        "event_id": str(event.event_id),
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "need_code": payload.get("need_code") or event.need.code,
        "source_ref": payload.get("source_ref") or event.need.source_ref,
        "payload": payload,
    }


def _encode(document: dict) -> bytes:
    return json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: urllib would otherwise turn the POST into a bodiless GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> str | None:
    """POST ``body``; ``None`` on a 2xx answer, otherwise a short error with no payload in it."""
    if urlsplit(url).scheme not in ("http", "https"):
        return "unsupported URL scheme"  # urllib would also open ftp: and file: URLs
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with _opener.open(request, timeout=settings.FEEDBACK_WEBHOOK_TIMEOUT) as response:
            status = response.status
            response.read(65536)
    except urllib.error.HTTPError as exc:
        exc.close()
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        reason = exc.reason
        return f"URLError: {reason.__class__.__name__ if isinstance(reason, BaseException) else 'error'}"
    except (OSError, ValueError) as exc:  # timeouts, resets, a malformed URL
        return exc.__class__.__name__
    if 200 <= status < 300:
        return None
    return f"HTTP {status}"


# --- delivery ----------------------------------------------------------------------------------


def feedback_backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: base × 2^(attempts−1) seconds, capped."""
    base, cap = settings.FEEDBACK_RETRY_BASE_SECONDS, settings.FEEDBACK_RETRY_MAX_SECONDS
    exponent = min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(base * 2**exponent, cap))


@dataclass(frozen=True)
class _Failure:
    error: str
    retry_at: datetime


def feedback_dispatch(*, event_id: int) -> bool:
    """POST one outbox event to its source system's webhook; return True when this call delivered it.

    Returns False, sending nothing, when the event is unknown, already delivered, being
    delivered by another worker (its row is locked), not yet due for a retry, or its source
    system has no webhook or is inactive (the event waits for pull, or for a webhook). Safe
    to call any number of times, concurrently.

    Raises ``FeedbackDispatchFailed`` after recording a failed attempt (``attempts``,
    ``last_error``, ``next_attempt_at``), so the caller can schedule the retry.
    """
    if not _awaits_webhook(event_id):
        return False
    failure = None
    with transaction.atomic():
        event = (
            FeedbackEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("source_system", "need")
            .filter(pk=event_id, delivered_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        system = event.source_system
        if not system.webhook_url or not system.is_active:
            return False
        now = timezone.now()
        if event.next_attempt_at is not None and event.next_attempt_at > now + DUE_TOLERANCE:
            return False

        body = _encode(feedback_event_document(event))
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hubei-assistance-portal/feedback",
            EVENT_ID_HEADER: str(event.event_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: feedback_signature(
                secret=feedback_signing_secret(system), timestamp=timestamp, body=body
            ),
        }
        error = _post(system.webhook_url, body=body, headers=headers)
        now = timezone.now()
        if error is None:
            event.delivered_at = now
            event.attempts += 1
            event.last_error = ""
            event.next_attempt_at = None
        else:
            event.attempts += 1
            event.last_error = error[:300]
            event.next_attempt_at = now + feedback_backoff(event.attempts)
            failure = _Failure(error=event.last_error, retry_at=event.next_attempt_at)
        event.save(update_fields=["delivered_at", "attempts", "last_error", "next_attempt_at"])

    if failure is not None:
        logger.warning(
            "Feedback event %s to source system %s failed (attempt %s): %s",
            event.event_id,
            system.pk,
            event.attempts,
            failure.error,
        )
        raise FeedbackDispatchFailed(event_id=event.pk, error=failure.error, retry_at=failure.retry_at)
    return True


def _awaits_webhook(event_id: int) -> bool:
    """Whether the event is undelivered and its source system active with a webhook: one fixed
    statement without a lock or a transaction (``core.db``), so the common case of a system
    that pulls its events (every claim emits one) costs no more. Whoever then sends it checks
    again under the row lock."""
    alias = router.db_for_read(FeedbackEvent)
    return bool(fixed_query(_awaiting_sql(alias), [event_id, True, ""], using=alias))


@lru_cache(maxsize=4)
def _awaiting_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    event, system = qn(FeedbackEvent._meta.db_table), qn(SourceSystem._meta.db_table)
    return (
        f"SELECT 1 FROM {event} e JOIN {system} s ON s.id = e.source_system_id "  # noqa: S608 - names from the models' meta, values bound
        "WHERE e.id = %s AND e.delivered_at IS NULL AND s.is_active = %s AND s.webhook_url > %s"
    )


def feedback_due(*, now: datetime | None = None) -> QuerySet[FeedbackEvent]:
    """Undelivered events of active systems with a webhook whose next attempt is due.

    An event never attempted counts once ``ENQUEUE_GRACE`` has passed since it was written:
    its first wake-up call is normally on its way, and may have been lost.
    """
    now = now or timezone.now()
    return (
        FeedbackEvent.objects.filter(
            delivered_at__isnull=True, source_system__is_active=True, source_system__webhook_url__gt=""
        )
        .filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - ENQUEUE_GRACE)
        )
        .order_by("pk")
    )


def feedback_redispatch(*, enqueue, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Hand each due event's id to ``enqueue`` (at most ``limit``); return how many.

    ``enqueue`` is the task's ``delay``; the delivery itself decides, under the row lock,
    whether anything is still to send, so enqueuing an event twice is harmless.
    """
    ids = list(feedback_due(now=now).values_list("pk", flat=True)[:limit])
    for pk in ids:
        enqueue(pk)
    return len(ids)


@transaction.atomic
def feedback_retry_now(*, event_ids: list[int], enqueue) -> int:
    """Make undelivered events due at once and enqueue them after commit; return how many."""
    events = FeedbackEvent.objects.filter(pk__in=event_ids, delivered_at__isnull=True)
    ids = list(events.values_list("pk", flat=True))
    FeedbackEvent.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())

    def enqueue_all() -> None:
        for pk in ids:
            enqueue(pk)

    transaction.on_commit(enqueue_all)
    return len(ids)


# --- reads -------------------------------------------------------------------------------------


def feedback_undelivered() -> QuerySet[FeedbackEvent]:
    """Events still to push: undelivered, for a system with a webhook (the back-office list).

    Events of systems without a webhook are not listed: they wait for pull by design.
    """
    return (
        FeedbackEvent.objects.filter(delivered_at__isnull=True, source_system__webhook_url__gt="")
        .select_related("need", "source_system")
        .order_by("pk")
    )


def feedback_events_after(
    *, source_system: SourceSystem, after: int, limit: int = 100
) -> list[FeedbackEvent]:
    """The system's events with an id above the cursor ``after``, oldest first (the pull API)."""
    limit = max(1, min(limit, PULL_MAX_LIMIT))
    return list(
        FeedbackEvent.objects.filter(source_system=source_system, pk__gt=after)
        .select_related("need")
        .order_by("pk")[:limit]
    )
