"""Feedback to the monitoring platform: the outbox delivered to a webhook, signed, retried with
backoff, each event once by id; and the pull API with a cursor.

The webhook is a real HTTP server on 127.0.0.1 in a thread, so delivery goes over a socket.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from marketplace.needs.models import FeedbackEvent, Need
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.feedback_dispatch import (
    FeedbackDispatchFailed,
    feedback_dispatch,
    feedback_due,
)
from marketplace.needs.tasks import dispatch_feedback_event, redispatch_feedback
from marketplace.organizations.models import MembershipRole
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

SIGNING_KEY = "test-feedback-signing-key"


class Webhook:
    """A webhook receiver on a fixed local port: down until ``start()``, then answering ``status``."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()  # nothing listens on the port until start(): connections are refused
        self.url = f"http://127.0.0.1:{self.port}/portal-feedback"
        self.status = 200
        self.delay = 0.0
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._server = None

    def start(self):
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(webhook.delay)
                with webhook._lock:
                    webhook.received.append(
                        {"headers": dict(self.headers), "body": body, "status": webhook.status}
                    )
                self.send_response(webhook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Silent: the test reads what the webhook received, not its access log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted_ids(self) -> list[str]:
        """Event ids the receiver answered 2xx to, in order, duplicates kept."""
        with self._lock:
            return [r["headers"]["X-Portal-Event-Id"] for r in self.received if 200 <= r["status"] < 300]


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.stop()


@pytest.fixture(autouse=True)
def _feedback_settings(settings):
    settings.K_ANONYMITY_K = 1
    settings.FEEDBACK_SIGNING_KEY = SIGNING_KEY
    settings.FEEDBACK_WEBHOOK_TIMEOUT = 3
    settings.FEEDBACK_RETRY_BASE_SECONDS = 30
    settings.FEEDBACK_RETRY_MAX_SECONDS = 6 * 3600


@pytest.fixture
def eager(monkeypatch):
    """Tasks run in-process even when the suite runs with a broker (CELERY_BROKER_URL)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def emit(need: Need, count: int) -> list[FeedbackEvent]:
    return [
        feedback_emit(
            need=need, kind="claim", payload={"amount": f"{100 + i}.00", "organization": "爱心基金会"}
        )
        for i in range(count)
    ]


def secret_for(system) -> str:
    """The documented derivation: hex(HMAC-SHA256(FEEDBACK_SIGNING_KEY, key_prefix))."""
    return hmac.new(SIGNING_KEY.encode(), system.key_prefix.encode(), hashlib.sha256).hexdigest()


# --- push ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_down_then_up_each_event_is_delivered_once_by_id(webhook, eager, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    system = SourceSystemFactory(webhook_url=webhook.url)
    events = emit(IntakeNeedFactory(source_system=system), 3)
    ids = {str(event.event_id) for event in events}

    # Down: nobody listens. Each attempt is recorded and backs off; no payload in the error.
    for event in events:
        with pytest.raises(FeedbackDispatchFailed):
            feedback_dispatch(event_id=event.pk)
    for event in FeedbackEvent.objects.all():
        assert event.delivered_at is None
        assert event.attempts == 1
        assert event.last_error.startswith("URLError")
        assert event.next_attempt_at == timezone.now() + timedelta(seconds=30)
    # Not due yet: the sweep leaves them, and a direct call sends nothing.
    assert redispatch_feedback() == 0
    assert feedback_dispatch(event_id=events[0].pk) is False
    assert FeedbackEvent.objects.get(pk=events[0].pk).attempts == 1

    # Up, but failing: the task records the attempt and doubles the wait.
    webhook.status = 503
    webhook.start()
    time_machine.shift(timedelta(seconds=31))
    assert redispatch_feedback() == 3
    for event in FeedbackEvent.objects.all():
        assert (event.attempts, event.last_error, event.delivered_at) == (2, "HTTP 503", None)
        assert event.next_attempt_at == timezone.now() + timedelta(seconds=60)
    assert webhook.accepted_ids() == []

    # Healthy: the sweep delivers each once; running it again, twice, sends nothing more.
    webhook.status = 200
    time_machine.shift(timedelta(seconds=61))
    assert redispatch_feedback() == 3
    assert redispatch_feedback() == 0
    time_machine.shift(timedelta(hours=7))
    assert redispatch_feedback() == 0
    for event in events:
        assert dispatch_feedback_event.delay(event.pk).get() is False

    accepted = webhook.accepted_ids()
    assert sorted(accepted) == sorted(ids)
    assert len(accepted) == len(set(accepted))
    for event in FeedbackEvent.objects.all():
        assert event.delivered_at is not None
        assert (event.attempts, event.last_error, event.next_attempt_at) == (3, "", None)


@pytest.mark.django_db
def test_backoff_doubles_up_to_the_cap(webhook, time_machine, settings):
    settings.FEEDBACK_RETRY_MAX_SECONDS = 200
    time_machine.move_to(timezone.now(), tick=False)
    system = SourceSystemFactory(webhook_url=webhook.url)
    (event,) = emit(IntakeNeedFactory(source_system=system), 1)
    waits = []
    for _attempt in range(5):
        with pytest.raises(FeedbackDispatchFailed) as failed:
            feedback_dispatch(event_id=event.pk)
        waits.append((failed.value.retry_at - timezone.now()).total_seconds())
        time_machine.shift(timedelta(seconds=waits[-1]))
    assert waits == [30, 60, 120, 200, 200]


@pytest.mark.django_db
def test_the_signature_verifies_with_the_documented_secret(webhook, eager):
    webhook.start()
    system = SourceSystemFactory(webhook_url=webhook.url)
    need = IntakeNeedFactory(source_system=system, source_ref="R-1")
    (event,) = emit(need, 1)

    assert dispatch_feedback_event.delay(event.pk).get() is True
    (request,) = webhook.received
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Portal-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(
        secret_for(system).encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Portal-Signature"], f"sha256={expected}")
    # Another system's secret does not verify it.
    other = SourceSystemFactory()
    forged = hmac.new(secret_for(other).encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] != f"sha256={forged}"

    document = json.loads(body)
    assert set(document) == {"event_id", "kind", "created_at", "need_code", "source_ref", "payload"}
    assert document["event_id"] == headers["X-Portal-Event-Id"] == str(event.event_id)
    assert (document["kind"], document["need_code"], document["source_ref"]) == ("claim", need.code, "R-1")
    assert document["payload"]["amount"] == "100.00"
    assert need.household_token not in body.decode()

    # Operators get the secret from the management command (its last line).
    out = io.StringIO()
    call_command("show_feedback_secret", "--source", system.name, stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == secret_for(system)


@pytest.mark.django_db
def test_events_of_a_system_without_webhook_wait_for_pull(eager):
    system = SourceSystemFactory(webhook_url="")
    (event,) = emit(IntakeNeedFactory(source_system=system), 1)
    assert dispatch_feedback_event.delay(event.pk).get() is False
    event.refresh_from_db()
    assert (event.delivered_at, event.attempts, event.last_error, event.next_attempt_at) == (
        None,
        0,
        "",
        None,
    )
    assert not feedback_due(now=timezone.now() + timedelta(hours=1)).exists()


@pytest.mark.django_db
def test_a_redirect_is_a_failed_delivery(webhook):
    webhook.status = 302
    webhook.start()
    system = SourceSystemFactory(webhook_url=webhook.url)
    (event,) = emit(IntakeNeedFactory(source_system=system), 1)
    with pytest.raises(FeedbackDispatchFailed):
        feedback_dispatch(event_id=event.pk)
    event.refresh_from_db()
    assert (event.delivered_at, event.last_error) == (None, "HTTP 302")


@pytest.mark.django_db
def test_emitting_on_commit_delivers_at_once_when_the_webhook_is_up(
    webhook, eager, django_capture_on_commit_callbacks
):
    webhook.start()
    system = SourceSystemFactory(webhook_url=webhook.url)
    need = IntakeNeedFactory(source_system=system)
    with django_capture_on_commit_callbacks(execute=True):
        (event,) = emit(need, 1)
    assert webhook.accepted_ids() == [str(event.event_id)]
    assert FeedbackEvent.objects.get(pk=event.pk).delivered_at is not None


@pytest.mark.django_db
def test_a_lost_wake_up_call_is_swept_after_the_grace_period(webhook, eager, time_machine):
    """Redis down when the event committed: the outbox row alone gets it delivered."""
    time_machine.move_to(timezone.now(), tick=False)
    webhook.start()
    system = SourceSystemFactory(webhook_url=webhook.url)
    (event,) = emit(IntakeNeedFactory(source_system=system), 1)  # its on-commit message never runs here
    assert redispatch_feedback() == 0
    time_machine.shift(timedelta(minutes=2))
    assert redispatch_feedback() == 1
    assert webhook.accepted_ids() == [str(event.event_id)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_never_deliver_the_same_event_twice(webhook, eager):
    webhook.delay = 0.05  # widen the window in which both workers see the same events
    webhook.start()
    system = SourceSystemFactory(webhook_url="")
    need = IntakeNeedFactory(source_system=system)
    events = emit(need, 20)  # committed; without a webhook they wait
    system.webhook_url = webhook.url
    system.save(update_fields=["webhook_url"])
    ids = [event.pk for event in events]

    orders = (ids, ids, list(reversed(ids)))  # two workers in step, a third meeting them
    barrier = threading.Barrier(len(orders))
    delivered: list[list[int]] = [[] for _ in orders]
    errors: list[BaseException] = []

    def worker(index, order):
        try:
            barrier.wait()
            for pk in order:
                if feedback_dispatch(event_id=pk):
                    delivered[index].append(pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, order)) for i, order in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []

    # Whatever a worker skipped while the other held the row, the sweep finishes; twice is harmless.
    FeedbackEvent.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    redispatch_feedback()
    redispatch_feedback()

    accepted = webhook.accepted_ids()
    assert sorted(accepted) == sorted(str(event.event_id) for event in events)
    assert len(accepted) == len(set(accepted)) == 20
    by_workers = [pk for worker_ids in delivered for pk in worker_ids]
    assert len(by_workers) == len(set(by_workers))
    assert sum(1 for worker_ids in delivered if worker_ids) >= 2  # they really ran side by side
    assert not FeedbackEvent.objects.filter(delivered_at__isnull=True).exists()
    assert set(FeedbackEvent.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_round_trips_through_redis_and_a_worker(webhook):
    from celery.contrib.testing.worker import start_worker

    assert celery_app.conf.task_always_eager is False
    webhook.start()
    system = SourceSystemFactory(webhook_url=webhook.url)
    need = IntakeNeedFactory(source_system=system)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            (event,) = emit(need, 1)  # enqueued on commit, through Redis
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not webhook.accepted_ids():
            time.sleep(0.1)
        # Sent again by hand, the worker finds it delivered and sends nothing (its result is
        # asked for: results are ignored by default).
        assert dispatch_feedback_event.apply_async((event.pk,), ignore_result=False).get(timeout=15) is False
    assert webhook.accepted_ids() == [str(event.event_id)]
    assert FeedbackEvent.objects.get(pk=event.pk).delivered_at is not None


# --- pull ---------------------------------------------------------------------------------------


@pytest.fixture
def pulling(db):
    system = SourceSystemFactory(webhook_url="")
    key = system.api_key
    need = IntakeNeedFactory(source_system=system)
    events = emit(need, 5)
    other = SourceSystemFactory()
    emit(IntakeNeedFactory(source_system=other, source_ref="O-1"), 2)
    return system, key, events


def pull(client, key, **params):
    return client.get("/api/v1/feedback/", params, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_pull_pages_through_own_events_with_the_cursor(client, pulling):
    system, key, events = pulling
    first = pull(client, key, limit=2)
    assert first.status_code == 200, first.content
    body = first.json()
    assert [e["event_id"] for e in body["events"]] == [str(e.event_id) for e in events[:2]]
    assert body["next_cursor"] == events[1].pk
    fields = {"cursor", "event_id", "kind", "created_at", "need_code", "source_ref", "payload"}
    assert set(body["events"][0]) == fields

    rest = pull(client, key, after=body["next_cursor"], limit=100).json()
    assert [e["event_id"] for e in rest["events"]] == [str(e.event_id) for e in events[2:]]
    assert rest["next_cursor"] == events[-1].pk

    empty = pull(client, key, after=rest["next_cursor"]).json()
    assert empty == {"events": [], "next_cursor": events[-1].pk}
    # Pulling marks nothing: a webhook added later still gets every event.
    assert not FeedbackEvent.objects.filter(source_system=system, delivered_at__isnull=False).exists()


@pytest.mark.parametrize("params", [{"after": "abc"}, {"after": "-1"}, {"limit": "0"}, {"limit": "100000"}])
def test_an_invalid_cursor_or_limit_is_a_400(client, pulling, params):
    _system, key, _events = pulling
    response = pull(client, key, **params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("header", [None, "Api-Key wrong", "Token something"])
def test_a_missing_or_wrong_key_is_a_401(client, pulling, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/feedback/", **extra)
    assert response.status_code == 401
    assert "events" not in response.json()


# --- back office --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_administrators_see_undelivered_events_and_retry_them_now(
    client, webhook, eager, time_machine, django_capture_on_commit_callbacks
):
    from tests.factories.accounts import UserFactory

    time_machine.move_to(timezone.now(), tick=False)
    system = SourceSystemFactory(webhook_url=webhook.url)
    pull_only = SourceSystemFactory(webhook_url="")
    need = IntakeNeedFactory(source_system=system)
    failing, waiting = emit(need, 2)
    emit(IntakeNeedFactory(source_system=pull_only, source_ref="P-1"), 1)
    with pytest.raises(FeedbackDispatchFailed):
        feedback_dispatch(event_id=failing.pk)

    client.force_login(UserFactory(caseworker=True))
    assert client.get("/admin/feedback/").status_code in (302, 403)

    client.force_login(UserFactory(administrator=True))
    page = client.get("/admin/feedback/")
    assert page.status_code == 200
    assert [event.pk for event in page.context["events"]] == [failing.pk, waiting.pk]
    assert "URLError" in page.text
    assert need.code in page.text

    # "Retry now" does not wait for the 30 s backoff: it sends once the request commits.
    webhook.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/feedback/", {"event": [failing.pk]})
    assert response.status_code == 302
    assert webhook.accepted_ids() == [str(failing.event_id)]
    failing.refresh_from_db()
    assert (failing.attempts, failing.delivered_at is not None) == (2, True)
    assert [event.pk for event in client.get("/admin/feedback/").context["events"]] == [waiting.pk]


# --- the broker down ----------------------------------------------------------------------------

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the broker is plainly down


@contextlib.contextmanager
def broker_at(url: str):
    """Point the web process's Celery app at ``url`` for its broker and its result backend, as
    when both default to one Redis, and publish for real (not in-process)."""
    from django.conf import settings

    conf = celery_app.conf
    # Celery reads these two from the environment before its configuration, when they are set.
    names = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    environment = {name: os.environ.get(name) for name in names}
    saved = (settings.CELERY_BROKER_URL, conf.broker_url, conf.result_backend, conf.task_always_eager)
    made = (celery_app._pool, celery_app.amqp._producer_pool, celery_app._backend_cache)
    os.environ.update(dict.fromkeys(names, url))
    settings.CELERY_BROKER_URL = conf.broker_url = conf.result_backend = url
    conf.task_always_eager = False
    # Connection pools and the backend are made for a URL: drop them so the next use takes ``url``.
    celery_app._pool = celery_app.amqp._producer_pool = celery_app._backend_cache = None
    celery_app._local.backend = None
    assert celery_app.connection_for_write().as_uri().replace(":**@", "") == url
    try:
        yield
    finally:
        for name, value in environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.CELERY_BROKER_URL, conf.broker_url, conf.result_backend, conf.task_always_eager = saved
        celery_app._pool, celery_app.amqp._producer_pool, celery_app._backend_cache = made
        celery_app._local.backend = None


def claim_with_the_broker_down(client, webhook, capture_on_commit) -> tuple[FeedbackEvent, float, int]:
    """A charity claims a need through the API while the broker is down; the claim's feedback
    event, the seconds the request took (its on-commit publish included) and its status."""
    system = SourceSystemFactory(region_code="420000", webhook_url=webhook.url)
    need = IntakeNeedFactory(source_system=system)
    client.force_login(
        MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.MEMBER
        ).user
    )
    with broker_at(CLOSED_PORT):
        started = time.monotonic()
        with capture_on_commit(execute=True):
            response = client.post(
                f"/api/v1/needs/{need.code}/claims/", {"amount": "100.00"}, content_type="application/json"
            )
        elapsed = time.monotonic() - started
    return FeedbackEvent.objects.get(need=need, kind="claim"), elapsed, response.status_code


@pytest.mark.django_db
def test_with_the_broker_down_a_claim_answers_at_once_and_its_event_is_swept_later(
    client, webhook, django_capture_on_commit_callbacks
):
    webhook.start()
    event, elapsed, status = claim_with_the_broker_down(client, webhook, django_capture_on_commit_callbacks)
    assert status == 201
    assert elapsed < 1.0  # Celery's own retries made it ~19 s (result backend) + ~2 s (broker)
    # Pending in the outbox: not delivered, never attempted, listed for the sweep once due.
    assert (event.delivered_at, event.attempts) == (None, 0)
    assert webhook.accepted_ids() == []

    # The broker back (here: in-process), the sweep delivers it, once.
    FeedbackEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    celery_app.conf.task_always_eager = True
    assert redispatch_feedback() == 1
    assert redispatch_feedback() == 0
    assert webhook.accepted_ids() == [str(event.event_id)]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_down_the_claim_is_kept_and_delivered_through_redis_once_it_is_back(
    client, webhook, django_capture_on_commit_callbacks
):
    from celery.contrib.testing.worker import start_worker

    webhook.start()
    event, elapsed, status = claim_with_the_broker_down(client, webhook, django_capture_on_commit_callbacks)
    assert (status, event.delivered_at) == (201, None)
    assert elapsed < 1.0

    # Redis is back: the beat sweep hands the pending event to Redis, a worker delivers it.
    FeedbackEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert redispatch_feedback() == 1
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not webhook.accepted_ids():
            time.sleep(0.1)
    assert webhook.accepted_ids() == [str(event.event_id)]
    assert FeedbackEvent.objects.get(pk=event.pk).delivered_at is not None


@pytest.mark.django_db
def test_with_the_broker_down_retry_now_still_answers_and_leaves_the_events_due(
    client, webhook, time_machine, django_capture_on_commit_callbacks
):
    from tests.factories.accounts import UserFactory

    time_machine.move_to(timezone.now(), tick=False)
    system = SourceSystemFactory(webhook_url=webhook.url)
    (event,) = emit(IntakeNeedFactory(source_system=system), 1)
    client.force_login(UserFactory(administrator=True))
    with broker_at(CLOSED_PORT), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/feedback/", {"event": [event.pk]})
    assert response.status_code == 302
    assert feedback_due().filter(pk=event.pk).exists()  # the next sweep sends it
