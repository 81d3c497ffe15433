"""The needs browser's page, /needs/: cards, filters with facet counts beside their options, errors,
pagination. What the filters select is tested in ``test_filters.py``, the counts in ``test_facets.py``."""

from __future__ import annotations

import html

import pytest
from django.core.cache import cache
from django.utils import translation

from marketplace.needs import views as views_browse
from marketplace.needs.facets import NeedFacets, need_facets
from marketplace.needs.filters import need_filter_form
from marketplace.needs.models import NeedStatus
from tests.factories.needs import NeedFactory, SourceSystemFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Facet counts are cached for a minute; each test starts from its own data.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def source(db):
    return SourceSystemFactory(region_code="420000")


# --- The page ----------------------------------------------------------------------------------------


def page(client, query: str = "", **headers):
    response = client.get(f"/needs/{query}", **headers)
    return response, html.unescape(response.content.decode())


def test_page_shows_cards_with_gap_and_progress_in_chinese(client, source):
    NeedFactory(
        source_system=source, title="住院自付费用", region="420111", need_type="medical", urgency="critical",
        target_amount=2000, claimed_amount=500, status=NeedStatus.PARTIALLY_CLAIMED,
    )  # fmt: skip

    response, text = page(client)

    assert response.status_code == 200
    assert '<html lang="zh-hans"' in text
    assert "住院自付费用" in text
    assert "洪山区" in text
    assert "医疗" in text  # the need type's label
    assert '<progress class="browse-progress" max="2000.00" value="500.00"' in text
    assert "(25%)" in text
    assert "1,500.00 元" in text  # the remaining gap
    assert "<details" in text and "need-filters" in text


def test_page_filters_and_shows_facet_counts_beside_options(client, mixed):
    response, text = page(client, "?city=420100&need_type=medical")

    assert response.status_code == 200
    facets = need_facets(filters={"city": "420100", "need_type": "medical"})
    assert facets.total == 3
    medical = f'<option value="medical" selected>医疗 ({facets.counts["need_type"]["medical"]})</option>'
    assert medical in text
    assert f'<option value="420100" selected>武汉市 ({facets.counts["city"]["420100"]})</option>' in text
    assert text.count('<li class="need-card') == 3
    # The filters in use, each removable, and one link that clears them all.
    assert 'href="?need_type=medical"' in text  # dropping the city keeps the type
    assert 'href="?city=420100"' in text


def test_page_with_invalid_filters_explains_them(client, source):
    NeedFactory(source_system=source)
    query = {"published_from": "2026-13-40", "remaining_min": "abc"}

    response, text = page(client, "?published_from=2026-13-40&remaining_min=abc")

    assert response.status_code == 400
    assert '<html lang="zh-hans"' in text
    with translation.override("zh-hans"):
        errors = need_filter_form(query).errors
    assert set(errors) == {"published_from", "remaining_min"}
    for field, messages in errors.items():
        assert f'<a href="#filter-{field}">' in text
        for message in messages:
            assert message in text  # in Chinese, beside the field and in the summary
    assert 'id="filter-published_from" name="published_from" type="date" value="2026-13-40"' in text
    assert 'aria-invalid="true"' in text
    assert "need-card" not in text


def test_page_errors_in_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/needs/"})
    with translation.override("en"):
        response, text = page(client, "?city=999999&ordering=cheapest")

    assert response.status_code == 400
    assert "“999999” is not one of Hubei's 17 cities and prefectures" in text
    assert "Unknown sort: “cheapest”" in text


def test_pagination_keeps_the_filters(client, source):
    for _ in range(23):
        NeedFactory(source_system=source, region="420102", need_type="education")
    NeedFactory(source_system=source, region="420602", need_type="education")

    response, text = page(client, "?city=420100&need_type=education&ordering=deadline")

    assert response.status_code == 200
    assert text.count('<li class="need-card') == 20
    assert 'href="?city=420100&need_type=education&ordering=deadline&page=2"' in text

    response, text = page(client, "?city=420100&need_type=education&ordering=deadline&page=2")
    assert text.count('<li class="need-card') == 3
    assert 'href="?city=420100&need_type=education&ordering=deadline&page=1"' in text
    # The sort form keeps the filters as hidden fields and drops the page.
    assert '<input type="hidden" name="city" value="420100">' in text
    assert '<input type="hidden" name="page"' not in text


def test_empty_states(client, source):
    response, text = page(client)
    assert response.status_code == 200
    assert "need-card" not in text
    assert "browse-empty" in text

    NeedFactory(source_system=source, need_type="medical")
    response, text = page(client, "?need_type=funeral")
    assert "browse-empty" in text
    assert 'href="/needs/"' in text  # clear all filters


def test_kept_page_parts_never_show_an_old_amount_or_count(client, source, settings, monkeypatch):
    """With the page's parts kept (NEED_FACETS_CACHE_SECONDS), a changed need or count shows."""
    settings.NEED_FACETS_CACHE_SECONDS = 60
    settings.NEED_LIST_PAGE_CACHE_SECONDS = 0  # the parts alone (the whole page: test_list_under_load.py)
    need = NeedFactory(source_system=source, need_type="medical", target_amount=2000)
    _response, text = page(client, "?need_type=medical")
    assert "2000.00" in text and '<option value="medical" selected>医疗 (1)</option>' in text

    # A charity claims part of it: the card shows the new gap at once, though counts are kept.
    need.claimed_amount, need.status = 500, NeedStatus.PARTIALLY_CLAIMED
    need.save(update_fields=["claimed_amount", "status"])
    _response, text = page(client, "?need_type=medical")
    assert "1,500.00 元" in text and 'value="500.00"' in text

    # New counts (a new facet period) show in the filter panel, not the panel kept before.
    counted = views_browse.need_facets

    def one_more_medical(*, filters):
        facets = counted(filters=filters)
        counts = {**facets.counts, "need_type": {**facets.counts["need_type"], "medical": 7}}
        return NeedFacets(total=facets.total, counts=counts)

    monkeypatch.setattr(views_browse, "need_facets", one_more_medical)
    _response, text = page(client, "?need_type=medical")
    assert '<option value="medical" selected>医疗 (7)</option>' in text
