"""Issue 11 item 18: the needs list under load.

The facet cube is counted once per period for the whole deployment (a lock in the shared
cache), and the /needs/ page is kept whole for visitors without a session, never longer than
the counts it shows, with each visitor's own CSRF token put in when it is served.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from marketplace.needs import facets
from marketplace.needs.facets import need_facets
from marketplace.needs.filters import need_filter_params, region_index
from marketplace.needs.models import NeedStatus
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory, SourceSystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 60
    settings.NEED_FACETS_REFRESH_AHEAD_SECONDS = 0
    monkeypatch.setattr(facets, "_memo", None)
    cache.clear()
    yield
    cache.clear()


def redis_cache_url() -> str:
    """CACHE_URL, else the broker's Redis (the ``redis`` marker skips the test without one)."""
    return os.environ.get("CACHE_URL") or django_settings.CELERY_BROKER_URL


@pytest.fixture(
    params=[
        pytest.param("locmem", id="in-process cache"),
        pytest.param("redis", id="shared Redis cache", marks=pytest.mark.redis),
    ]
)
def shared_cache(request, settings):
    if request.param == "locmem":
        yield request.param
        return
    original, prefix = settings.CACHES, f"test-facets-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url(),
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    # Only this test's keys: the Redis database may be shared (cache.clear() would empty it).
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    settings.CACHES = original  # before the other fixtures clear "the" cache


def test_two_workers_asking_at_once_count_the_cube_once(shared_cache, monkeypatch):
    """Each "worker" (a thread with its own cache client) finds no cube and asks for it at the
    same moment; one counts (slowly, as over a million needs), the other waits for that count."""
    need_filter_params({})
    region_index()  # read once here: the workers touch no database but the count's
    real_compute = facets._compute
    counted = []

    def slow_count(extra, *, seconds):
        counted.append(threading.get_ident())
        time.sleep(0.5)
        return real_compute(extra, seconds=seconds)

    monkeypatch.setattr(facets, "_compute", slow_count)
    monkeypatch.setattr(facets, "_memo", None)
    start = threading.Barrier(2)
    answers, failures = [], []

    def worker():
        try:
            start.wait(timeout=10)
            answers.append(need_facets(filters={}))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not failures
    assert len(counted) == 1
    assert len(answers) == 2 and answers[0].counts == answers[1].counts
    # A third asking within the period counts nothing either.
    monkeypatch.setattr(facets, "_memo", None)
    need_facets(filters={"need_type": "medical"})
    assert len(counted) == 1


@pytest.fixture
def source(db):
    return SourceSystemFactory(region_code="420000")


def csrf_token_in(text: str) -> str:
    (token,) = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', text))
    return token


def test_a_kept_page_gives_each_visitor_a_working_csrf_token(source, django_assert_num_queries):
    NeedFactory(source_system=source, need_type="medical", target_amount=2000)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.get("/needs/?need_type=medical").status_code == 200

    with django_assert_num_queries(0):  # served as kept: no rows read, no counts
        response = second.get("/needs/?need_type=medical")
    text = response.content.decode()
    assert response.status_code == 200 and "2,000.00" in html.unescape(text)
    assert "csrf-token-of-this-visitor" not in text
    token = csrf_token_in(text)
    # The large-text switch on the kept page works for this visitor (no 403).
    answer = second.post("/preferences/text-size/", {"csrfmiddlewaretoken": token, "text_size": "large"})
    assert answer.status_code == 302
    # With large text the visitor gets the page rendered for large text, not the kept one.
    assert 'name="text_size" value="normal"' in second.get("/needs/?need_type=medical").content.decode()


def test_a_kept_page_is_never_older_than_its_counts_and_users_see_live_rows(source, client):
    need = NeedFactory(source_system=source, need_type="medical", target_amount=2000)
    visitor = Client()
    assert "2,000.00" in html.unescape(visitor.get("/needs/?need_type=medical").content.decode())

    need.claimed_amount, need.status = 500, NeedStatus.PARTIALLY_CLAIMED
    need.save(update_fields=["claimed_amount", "status"])
    client.force_login(UserFactory())
    assert "1,500.00" in html.unescape(client.get("/needs/?need_type=medical").content.decode())

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        text = html.unescape(visitor.get("/needs/?need_type=medical").content.decode())
    assert "1,500.00" in text
