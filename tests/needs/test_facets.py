"""Facet counts of the needs browser: each count matches the filtered list; counts kept for a
period are counted again in the background shortly before they expire, so that no request waits
for the count; they are never older than the period."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.needs import facets
from marketplace.needs.facets import need_facets
from marketplace.needs.selectors import need_public_list
from tests.factories.needs import NeedFactory, SourceSystemFactory

# The background count has its own connection: it sees committed rows only.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    cache.clear()
    monkeypatch.setattr(facets, "_memo", None)
    yield
    _wait_for_background_counts()
    cache.clear()


def _wait_for_background_counts() -> None:
    for thread in threading.enumerate():
        if thread.name == "need-facets-refresh":
            thread.join(timeout=30)


def _counts_needs(queries) -> bool:
    return any("needs_need" in query["sql"] for query in queries)


@pytest.fixture
def source(db):
    return SourceSystemFactory(region_code="420000")


def codes(filters=None) -> list[str]:
    return list(need_public_list(filters=filters).values_list("code", flat=True))


FACET_CASES = [
    {},
    {"city": "420100"},
    {"county": "420111"},
    {"need_type": "medical"},
    {"city": "420100", "need_type": "medical"},
    {"urgency": "critical", "state": "open"},
    {"category": "dibao"},
    {"category": "dibao", "city": "420100", "state": "open"},
    {"remaining_min": "500", "need_type": "medical"},
    {"published_from": "2000-01-01", "urgency": "normal"},
    {"city": "429004", "county": "429004"},
    {"county": "420111", "need_type": "medical", "state": "open"},
    {"county": "420602", "category": "dibao", "urgency": "critical"},
    {"need_type": "funeral"},
]


@pytest.mark.parametrize("params", FACET_CASES)
def test_facet_counts_match_the_filtered_set(mixed, params):
    """Each facet: what the list would hold with the option chosen and the other filters kept."""
    facets = need_facets(filters=params)

    assert facets.total == len(codes(params))
    for facet, counts in facets.counts.items():
        others = {name: value for name, value in params.items() if name != facet}
        if facet == "city":
            others.pop("county", None)  # the region facet leaves out both region filters
        for value, count in counts.items():
            assert count == len(codes({**others, facet: value})), (facet, value)


def test_facet_counts_are_cached_and_follow_the_data_after_the_period(source, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 60
    NeedFactory(source_system=source, need_type="medical")
    assert need_facets(filters={"need_type": "medical"}).total == 1

    NeedFactory(source_system=source, need_type="medical")
    with CaptureQueriesContext(connection) as queries:
        cached = need_facets(filters={"need_type": "medical"})
        other_combination = need_facets(filters={"need_type": "education", "city": "420100"})
    assert cached.total == 1  # up to a minute old, by design
    assert other_combination.counts["need_type"]["medical"] == 1  # the shared cube
    assert not [query for query in queries if "needs_need" in query["sql"]]

    cache.clear()  # the period is over
    assert need_facets(filters={"need_type": "medical"}).total == 2


def test_without_a_cache_period_every_request_counts(source, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 0
    NeedFactory(source_system=source)
    assert need_facets().total == 1
    NeedFactory(source_system=source)
    assert need_facets().total == 2


# --- Counted ahead, in the background ------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Moves time on for the facet counts and the cache alike."""
    now = [time.time()]
    monkeypatch.setattr(facets.time, "time", lambda: now[0])
    return now


def _one_need_counted_and_a_second_added(settings, *, refresh_ahead: int) -> None:
    """Counts kept for 60 s that say one medical need, while the table has two."""
    settings.NEED_FACETS_CACHE_SECONDS = 60
    settings.NEED_FACETS_REFRESH_AHEAD_SECONDS = refresh_ahead
    source = SourceSystemFactory(region_code="420000")
    NeedFactory(source_system=source, need_type="medical")
    assert need_facets(filters={"need_type": "medical"}).total == 1
    NeedFactory(source_system=source, need_type="medical")


@committed
def test_counts_are_renewed_in_the_background_before_they_expire(settings, clock):
    _one_need_counted_and_a_second_added(settings, refresh_ahead=10)

    clock[0] += 30  # well within the period: the kept counts, nothing counted
    with CaptureQueriesContext(connection) as queries:
        assert need_facets(filters={"need_type": "medical"}).total == 1
    _wait_for_background_counts()
    assert not _counts_needs(queries)
    assert need_facets(filters={"need_type": "education"}).counts["need_type"]["medical"] == 1

    clock[0] += 25  # 5 s before they expire: still the kept counts, and the next ones are counted
    with CaptureQueriesContext(connection) as queries:
        assert need_facets(filters={"need_type": "medical"}).total == 1
    assert not _counts_needs(queries)  # by this request: in the background
    _wait_for_background_counts()

    with CaptureQueriesContext(connection) as queries:
        renewed = need_facets(filters={"need_type": "housing"})
    assert renewed.counts["need_type"]["medical"] == 2
    assert not _counts_needs(queries)  # from the renewed counts

    clock[0] += 10  # the first counts' period is over: everything from the renewed counts
    assert need_facets(filters={"need_type": "medical"}).total == 2


@committed
def test_without_counting_ahead_the_first_request_after_the_period_counts(settings, clock):
    _one_need_counted_and_a_second_added(settings, refresh_ahead=0)

    clock[0] += 55
    assert need_facets(filters={"need_type": "medical"}).total == 1
    assert not [thread for thread in threading.enumerate() if thread.name == "need-facets-refresh"]

    clock[0] += 10
    with CaptureQueriesContext(connection) as queries:
        assert need_facets(filters={"need_type": "medical"}).total == 2
    assert _counts_needs(queries)
