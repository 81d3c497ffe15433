"""``/healthz``: is the database reachable, is the broker reachable (and, on request, a worker)?

Never hangs: each probe has a timeout, and a failing probe is reported, not raised.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from config.celery import app as celery_app
from config.celery import ping

WORKER_TIMEOUT_SECONDS = 3.0


def _timed(probe) -> dict:
    started = time.monotonic()
    try:
        result = {"ok": True, **probe()}
    except Exception as exc:  # noqa: BLE001 - any failure is reported as "down"
        result = {"ok": False, "error": exc.__class__.__name__}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


class BrokerDown(Exception):
    """The worker was not asked: the broker that would carry the question is down."""


def _broker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"mode": "in-process"}
    timeout = settings.BROKER_HEALTH_TIMEOUT
    # One attempt, and a socket timeout on the connect and on each reply: a broker host that
    # drops packets, or a Redis that accepts and never answers, is reported down, not waited on.
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 0}
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=timeout,
        transport_options={**settings.CELERY_BROKER_TRANSPORT_OPTIONS, **options},
    ) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)
    return {"mode": "broker", "transport": conn.transport_cls}


def _worker(*, broker_ok: bool) -> dict:
    if celery_app.conf.task_always_eager:
        return {"mode": "in-process"}
    if not broker_ok:
        raise BrokerDown
    answer = ping.apply_async(expires=WORKER_TIMEOUT_SECONDS, retry=False).get(timeout=WORKER_TIMEOUT_SECONDS)
    if answer != "pong":
        raise RuntimeError("unexpected answer")
    return {}


# Not atomic: ATOMIC_REQUESTS would open the database before the probe could report it down.
@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _timed(_database), "broker": _timed(_broker)}
    if request.GET.get("worker") == "1":
        checks["worker"] = _timed(lambda: _worker(broker_ok=checks["broker"]["ok"]))
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
