"""Background work through a real Celery worker and the Redis broker."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from config.celery import ping


@pytest.fixture
def redis_worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.redis
def test_a_task_makes_the_round_trip_through_redis_and_a_worker(redis_worker):
    assert celery_app.conf.task_always_eager is False
    assert ping.delay().get(timeout=15) == "pong"


@pytest.mark.redis
# Transactional: starting the worker runs Celery's Django fix-up, which closes this thread's
# database connection; outside a test transaction it simply reconnects.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_sees_a_consuming_worker(client, redis_worker):
    response = client.get("/healthz?worker=1")
    assert response.status_code == 200, response.content
    assert response.json()["worker"]["ok"] is True


def test_without_a_broker_tasks_run_in_process(settings, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert ping.delay().get() == "pong"
