"""/healthz as a load balancer and an operator read it."""

from __future__ import annotations

import socket
import threading

import pytest
from django.db import OperationalError

from config.celery import app as celery_app


@pytest.fixture
def broker_down(settings, monkeypatch):
    # Port 1 on loopback: nothing listens there, the broker is plainly down.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.BROKER_HEALTH_TIMEOUT = 1.0
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)


@pytest.mark.django_db
def test_healthy_portal_answers_200_with_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_down_database_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": pytest.approx(0, abs=5000),
    }


@pytest.mark.django_db
def test_down_broker_is_reported_not_waited_for(client, broker_down):
    answers = []
    probe = threading.Thread(target=lambda: answers.append(client.get("/healthz")))
    probe.start()
    probe.join(timeout=30)
    assert answers, "/healthz hung on a down broker"
    response = answers[0]
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.fixture
def silent_broker(settings, monkeypatch):
    """A broker host that accepts TCP connections and never answers (hung, or half-open)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    settings.BROKER_HEALTH_TIMEOUT = 1.0
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    yield
    listener.close()
    for conn in held:
        conn.close()


def healthz_within(client, url: str, seconds: float = 30):
    answers = []
    probe = threading.Thread(target=lambda: answers.append(client.get(url)), daemon=True)
    probe.start()
    probe.join(timeout=seconds)
    assert answers, f"{url} hung on the broker"
    return answers[0]


@pytest.mark.django_db
def test_a_broker_that_never_answers_is_reported_down(client, silent_broker):
    response = healthz_within(client, "/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


@pytest.mark.django_db
def test_with_the_broker_down_the_worker_is_reported_unreachable_without_asking(client, broker_down):
    response = healthz_within(client, "/healthz?worker=1")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert (body["worker"]["ok"], body["worker"]["error"]) == (False, "BrokerDown")


@pytest.mark.django_db
def test_post_is_refused(client):
    assert client.post("/healthz").status_code == 405
