"""Suite-wide fixtures and the service markers.

``@pytest.mark.postgres`` and ``@pytest.mark.redis`` tests skip, with the reason, when the
service is absent. CI sets ``REQUIRE_SERVICES=1``: there a missing service fails the run
instead of silently skipping the tests that exercise the production stack.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from kombu import Connection

from config.celery import app as celery_app

# CI (CI=true) runs each property test on a fixed sequence of examples, so that a red run is
# reproducible and never a roll of the dice; development runs draw new examples every time, and
# what they find becomes a fixed regression test (see tests/privacy/test_redaction.py).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


def _postgres_missing() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    return None


def _redis_missing() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return "needs Redis: set CELERY_BROKER_URL=redis://..."
    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"Redis at CELERY_BROKER_URL is not reachable: {exc.__class__.__name__}"
    return None


def pytest_collection_modifyitems(config, items):
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    probes = {"postgres": _postgres_missing, "redis": _redis_missing}
    reasons: dict[str, str | None] = {}
    for item in items:
        for marker, probe in probes.items():
            if marker not in item.keywords:
                continue
            if marker not in reasons:
                reasons[marker] = probe()
            reason = reasons[marker]
            if reason is None:
                continue
            if required:
                raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {item.nodeid} {reason}")
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language. A request through LocaleMiddleware
    leaves its language active in the thread, so a test after an English page would otherwise
    read services' messages in English, or not, depending on which tests ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and counts never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request, monkeypatch):
    """Tasks run in-process, as on the embedded default, even when CI sets a broker: only the
    ``redis``-marked tests, which start a real worker, send them through Redis."""
    if "redis" not in request.keywords:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def listening_webhook():
    """The monitoring platform's receiver of feedback events, listening for the test's length
    (``tests.needs.test_feedback.Webhook``: what it received, what it accepted)."""
    from tests.needs.test_feedback import Webhook

    hook = Webhook()
    hook.start()
    yield hook
    hook.stop()
