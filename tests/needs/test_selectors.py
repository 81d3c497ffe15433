"""On PostgreSQL the public list prepares the statements it runs often: planned once per
connection, but the rows are still read live on every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.needs.models import NeedStatus
from tests.factories.needs import NeedFactory, SourceSystemFactory

URL = "/api/v1/needs/"
FILTERS = {"city": "420100", "need_type": "medical"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def codes(client, **params) -> list[str]:
    response = client.get(URL, {**FILTERS, **params})
    assert response.status_code == 200
    return [need["code"] for need in response.json()["results"]]


def _prepared_list_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "needs_need"%'],
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_a_prepared_list_still_shows_every_change_at_once(client):
    source = SourceSystemFactory(region_code="420000")
    older = NeedFactory(source_system=source, region="420111")
    for _ in range(4):
        assert codes(client) == [older.code]
    assert _prepared_list_statements() >= 1

    newer = NeedFactory(
        source_system=source,
        region="420102",
        public_region="420100",
        published_at=timezone.now() + timedelta(minutes=1),
    )
    assert codes(client) == [newer.code, older.code]

    older.status = NeedStatus.WITHDRAWN
    older.save(update_fields=["status"])
    assert codes(client) == [newer.code]

    newer.claimed_amount = newer.target_amount
    newer.status = NeedStatus.CLAIMED
    newer.save(update_fields=["claimed_amount", "status"])
    assert codes(client) == [newer.code]
    assert codes(client, state="open") == []


def test_the_list_query_is_seen_by_djangos_query_log(client):
    source = SourceSystemFactory(region_code="420000")
    need = NeedFactory(source_system=source, region="420111")
    for _ in range(3):
        codes(client)

    with CaptureQueriesContext(connection) as queries:
        assert codes(client) == [need.code]

    rows = [query["sql"] for query in queries if "ORDER BY" in query["sql"]]
    assert len(rows) == 1
    assert "'medical'" in rows[0]


@pytest.mark.postgres
def test_prepared_statements_can_be_turned_off(client, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    source = SourceSystemFactory(region_code="420000")
    need = NeedFactory(source_system=source, region="420111", need_type="medical", title="不预备的查询")
    before = _prepared_list_statements()

    for _ in range(4):
        assert codes(client, county="420111") == [need.code]

    assert _prepared_list_statements() == before
