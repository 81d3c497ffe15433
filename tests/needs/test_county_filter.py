"""The county filter finds something (issue 11 item 9): it offers only the counties where needs
are published at county level, each with how many it would show, from the facet cache; the page
says why most needs show a city; the API's county parameter is unchanged."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.needs import facets
from marketplace.needs.facets import need_facets
from marketplace.needs.selectors import need_public_list

# The ``mixed`` fixture (tests/needs/conftest.py) publishes at county level in 洪山区 420111
# (2 needs; a third is at city level), 江岸区 420102 (2), 襄城区 420602 (1; another at city level)
# and 仙桃 429004 (1); its 恩施 need is at city level only.
AT_COUNTY_LEVEL = {"420111": 2, "420102": 2, "420602": 1, "429004": 1}


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    cache.clear()
    monkeypatch.setattr(facets, "_memo", None)
    yield
    cache.clear()


def _county_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="county"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [option.strip() for option in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, AT_COUNTY_LEVEL),
        ({"need_type": "medical"}, {"420111": 2, "420102": 1, "420602": 1}),
        ({"city": "420100"}, {"420111": 2, "420102": 2}),  # the chosen city's counties only
        ({"state": "open", "urgency": "critical"}, {"420111": 1, "420602": 1}),
        ({"county": "420111"}, AT_COUNTY_LEVEL),  # the county facet leaves its own filter out
        ({"category": "dibao"}, {"420111": 1, "420102": 1, "420602": 1, "429004": 1}),
    ],
)
def test_each_county_offered_counts_what_choosing_it_shows(mixed, params, expected):
    counties = need_facets(filters=params).counties
    assert counties == expected
    others = {name: value for name, value in params.items() if name != "county"}
    for county, count in counties.items():
        assert need_public_list(filters={**others, "county": county}).count() == count


def test_the_list_offers_only_counties_with_needs_at_that_level_and_how_many(client, mixed):
    html = client.get("/needs/").text
    assert _county_options(html) == [
        "全部县（市、区）",
        "江岸区 (2)",
        "洪山区 (2)",
        "襄城区 (1)",
        "仙桃市 (1)",
    ]
    # Why most needs show a city, said next to the filter, outside the folded panel.
    assert "在人口较少的县区，需求按市级发布" in html
    assert "只列出有县级发布需求的县（市、区）" in html


def test_a_chosen_county_without_needs_stays_chosen(client, mixed):
    html = client.get("/needs/?county=420115").text
    assert "江夏区 (0)" in _county_options(html)
    assert re.search(r'<option value="420115" selected>江夏区 \(0\)</option>', html)


def test_the_offered_counties_follow_the_other_filters(client, mixed):
    html = client.get("/needs/?city=420100&need_type=medical").text
    assert _county_options(html)[1:] == ["江岸区 (1)", "洪山区 (2)"]


def test_invalid_filters_still_offer_only_counties_with_needs(client, mixed):
    response = client.get("/needs/?need_type=nonsense")
    assert response.status_code == 400
    assert _county_options(response.text)[1:] == ["江岸区 (2)", "洪山区 (2)", "襄城区 (1)", "仙桃市 (1)"]


def test_the_county_counts_come_from_the_cached_cube(mixed, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 60
    need_facets()  # counts the cube once
    with CaptureQueriesContext(connection) as queries:
        counties = need_facets(filters={"city": "420100", "urgency": "normal"}).counties
    assert counties == {"420111": 1, "420102": 1}
    assert not any("needs_need" in query["sql"] for query in queries)


def test_the_apis_county_parameter_keeps_its_contract(client, mixed):
    body = client.get("/api/v1/needs/?county=420111&facets=1").json()
    assert body["count"] == 2
    assert {need["location"]["code"] for need in body["results"]} == {"420111"}
    assert set(body["facets"]) == {"need_type", "urgency", "state", "city"}
    refused = client.get("/api/v1/needs/?county=420100")
    assert refused.status_code == 400
    assert "county" in refused.json()["errors"]
