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


def _broker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"mode": "in-process"}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.BROKER_HEALTH_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.BROKER_HEALTH_TIMEOUT)
    return {"mode": "broker", "transport": conn.transport_cls}


def _worker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"mode": "in-process"}
    answer = ping.apply_async(expires=WORKER_TIMEOUT_SECONDS).get(timeout=WORKER_TIMEOUT_SECONDS)
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
        checks["worker"] = _timed(_worker)
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
