"""Counts stop at the backend's limit, as search engines do: past it the visitor reads "more than
N results" (超过 N 条结果) and facet counts read as "at least"; under it every count is exact."""

from __future__ import annotations

import pytest

from search.backends import SearchQuery, _backend
from search.backends.database import DatabaseBackend
from tests.search.conftest import document

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture
def engine(settings, monkeypatch):
    settings.SEARCH_BACKEND = "database"
    monkeypatch.setattr(DatabaseBackend, "count_limit", LIMIT)
    _backend.cache_clear()
    engine = _backend("database")
    engine.bulk_index(
        [
            *(
                document(
                    "need",
                    f"W{n}",
                    f"洪山区 · 医疗 · 住院费用 {n}",
                    "住院后仍有自付费用。",
                    date=f"2026-05-0{n}",
                )
                for n in range(1, 6)
            ),
            document(
                "need", "X1", "襄州区 · 医疗", "门诊费用。", region="420600", region_name="襄阳市", year=2025
            ),
            document("notice", "7", "关于做好医疗救助工作的通知", "全省医疗救助。", region="420000"),
        ]
    )
    yield engine
    _backend.cache_clear()


def test_past_the_limit_the_total_is_more_than_the_limit_and_facets_are_lower_bounds(engine):
    result = engine.search(SearchQuery(text="医疗", kind="need"))
    assert result.total == LIMIT + 1 and result.total_is_lower_bound
    assert result.kind_counts == {"need": LIMIT + 1, "notice": 1, "organization": 0}
    assert all(value.at_least for values in result.facets.values() for value in values)
    # The page is still the right one: the newest of the matching needs first.
    newest = engine.search(SearchQuery(text="医疗", kind="need", sort="newest"))
    assert [hit.id for hit in newest.hits][:2] == ["W5", "W4"]


def test_a_filter_under_the_limit_counts_exactly(engine):
    result = engine.search(SearchQuery(text="医疗", kind="need", filters=(("region", "420600"),)))
    assert [hit.id for hit in result.hits] == ["X1"]
    assert result.total == 1 and not result.total_is_lower_bound


def test_under_the_limit_every_count_is_exact(engine):
    result = engine.search(SearchQuery(text="门诊"))
    assert result.total == 1 and not result.total_is_lower_bound
    assert not any(value.at_least for values in result.facets.values() for value in values)


def test_the_page_says_more_than_the_limit_in_chinese(client, engine):
    html = client.get("/search/", {"q": "医疗", "kind": "need"}).content.decode()
    assert f"超过 {LIMIT} 条结果" in html
    assert f'<span class="search-tab__count">{LIMIT}+</span>' in html  # the needs tab
    assert '<span class="search-facet__count">' in html and "+</span>" in html
    assert "<mark>医疗</mark>" in html
    exact = client.get("/search/", {"q": "门诊"}).content.decode()
    assert "1 条结果" in exact and "超过" not in exact


def test_the_api_says_the_total_is_a_lower_bound(client, engine):
    body = client.get("/api/v1/search/", {"q": "医疗", "kind": "need"}).json()
    assert body["total"] == LIMIT + 1 and body["total_is_lower_bound"] is True
    assert all(value["at_least"] for value in body["facets"]["region"])
    exact = client.get("/api/v1/search/", {"q": "门诊"}).json()
    assert exact["total"] == 1 and exact["total_is_lower_bound"] is False
