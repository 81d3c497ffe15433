"""``GET /api/v1/needs/``: the browser's filters, sorts and facet counts over the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.needs.facets import need_facets
from marketplace.needs.models import NeedStatus
from marketplace.needs.selectors import need_public_list
from tests.factories.needs import NeedFactory, SourceSystemFactory

URL = "/api/v1/needs/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def source(db):
    return SourceSystemFactory(region_code="420000")


def get(client, **params):
    return client.get(URL, params)


def result_codes(response) -> list[str]:
    return [need["code"] for need in response.json()["results"]]


def test_filters_narrow_like_the_page(client, source):
    hongshan = NeedFactory(source_system=source, region="420111", need_type="medical").code
    wuhan = NeedFactory(
        source_system=source, region="420102", public_region="420100", need_type="medical"
    ).code
    NeedFactory(source_system=source, region="420111", need_type="education")
    NeedFactory(source_system=source, region="420602", need_type="medical")
    NeedFactory(source_system=source, region="420111", need_type="medical", status=NeedStatus.WITHDRAWN)

    response = get(client, city="420100", need_type="medical")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert set(result_codes(response)) == {hongshan, wuhan}
    assert "facets" not in body
    assert result_codes(get(client, county="420111", need_type="medical")) == [hongshan]


def test_every_filter_is_accepted(client, source):
    need = NeedFactory(
        source_system=source, region="420111", need_type="medical", categories=["dibao"], urgency="urgent",
        target_amount=2000, claimed_amount=500, status=NeedStatus.PARTIALLY_CLAIMED,
        published_at=timezone.now(),  # the factory's default goes back a minute per need made
    ).code  # fmt: skip
    today = timezone.localdate().isoformat()

    response = get(
        client, city="420100", county="420111", need_type="medical", category="dibao", urgency="urgent",
        state="open", remaining_min="1000", remaining_max="1500", published_from=today,
        published_to=today, ordering="gap",
    )  # fmt: skip

    assert response.status_code == 200
    assert result_codes(response) == [need]


@pytest.mark.parametrize("ordering", ["newest", "urgency", "deadline", "gap"])
def test_ordering_matches_the_selector(client, source, ordering):
    today = timezone.localdate()
    for index, (urgency, target) in enumerate([("normal", 900), ("critical", 300), ("urgent", 5000)]):
        NeedFactory(
            source_system=source,
            urgency=urgency,
            target_amount=target,
            needed_by=today + timedelta(days=10 - index),
        )

    response = get(client, ordering=ordering)

    expected = list(need_public_list(filters={"ordering": ordering}).values_list("code", flat=True))
    assert result_codes(response) == expected
    first = response.json()["results"][0]
    assert {
        "newest": first["code"] == expected[0],
        "urgency": first["urgency"] == "critical",
        "deadline": first["needed_by"] == (today + timedelta(days=8)).isoformat(),
        "gap": first["target_amount"] == "5000.00",
    }[ordering]


def test_facets_on_request(client, source):
    NeedFactory(source_system=source, region="420111", need_type="medical", urgency="critical")
    NeedFactory(source_system=source, region="420102", need_type="education")
    NeedFactory(
        source_system=source,
        region="420602",
        need_type="medical",
        status=NeedStatus.CLAIMED,
        claimed_amount=1000,
    )

    body = get(client, need_type="medical", facets="1").json()

    assert body["count"] == 2
    facets = body["facets"]
    assert set(facets) == {"need_type", "urgency", "state", "city"}
    by_value = {facet: {o["value"]: o for o in options} for facet, options in facets.items()}
    medical = {"value": "medical", "label": "医疗", "count": 2, "selected": True}
    assert by_value["need_type"]["medical"] == medical
    assert by_value["need_type"]["education"]["count"] == 1  # its own filter left out
    assert by_value["city"]["420100"]["count"] == 1
    assert by_value["city"]["420600"]["count"] == 1
    assert by_value["city"]["420600"]["label"] == "襄阳市"
    assert len(facets["city"]) == 17  # every city-level unit, the four direct units among them
    assert by_value["state"]["open"]["count"] == 1
    assert by_value["state"]["claimed"]["count"] == 1
    assert by_value["urgency"]["critical"]["count"] == 1
    expected = need_facets(filters={"need_type": "medical"})
    assert {o["value"]: o["count"] for o in facets["urgency"]} == expected.counts["urgency"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"city": "420111"}, "city"),
        ({"county": "abc"}, "county"),
        ({"need_type": "luxury"}, "need_type"),
        ({"category": "DIBAO"}, "category"),
        ({"urgency": "high"}, "urgency"),
        ({"state": "closed"}, "state"),
        ({"remaining_min": "lots"}, "remaining_min"),
        ({"remaining_min": "9", "remaining_max": "1"}, "remaining_max"),
        ({"published_to": "yesterday"}, "published_to"),
        ({"ordering": "-published_at"}, "ordering"),
        ({"facets": "please"}, "facets"),
    ],
)
def test_invalid_parameters_give_400_json(client, db, params, field):
    response = get(client, **params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0]


def test_page_size_is_capped_at_100_and_pages_keep_the_filters(client, source):
    for _ in range(105):
        NeedFactory(source_system=source, need_type="housing")
    NeedFactory(source_system=source, need_type="medical")

    body = get(client, need_type="housing", page_size="500").json()
    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert "need_type=housing" in body["next"]
    assert "page=2" in body["next"]

    second = client.get(body["next"]).json()
    assert len(second["results"]) == 5


def test_public_fields_only(client, source):
    NeedFactory(source_system=source)

    need = get(client).json()["results"][0]

    assert "household_token" not in need
    assert "source_ref" not in need
    assert "region" not in need  # the county, when the need is published at city level


def test_schema_documents_filters_ordering_and_facets(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/needs/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    for name in (
        "city", "county", "need_type", "category", "urgency", "state", "remaining_min", "remaining_max",
        "published_from", "published_to", "ordering", "facets", "page", "page_size",
    ):  # fmt: skip
        assert name in parameters, name
    assert parameters["ordering"]["schema"]["enum"] == ["deadline", "gap", "newest", "urgency"]
    assert parameters["state"]["schema"]["enum"] == ["claimed", "fulfilled", "open"]
    assert parameters["published_from"]["schema"]["format"] == "date"
    assert "400" in operation["responses"]


def test_whole_answers_are_cached_only_when_asked(client, source, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 0  # counts live too: this test is about whole answers
    NeedFactory(source_system=source, need_type="medical")
    assert get(client, need_type="medical").json()["count"] == 1
    NeedFactory(source_system=source, need_type="medical")
    assert get(client, need_type="medical").json()["count"] == 2  # off by default: read live

    settings.NEED_LIST_CACHE_SECONDS = 30
    first = get(client, need_type="medical", facets="1")
    NeedFactory(source_system=source, need_type="medical")
    again = get(client, need_type="medical", facets="1")
    assert again.content == first.content  # served again for a few seconds
    assert again["Content-Type"] == "application/json"
    assert "Accept-Language" in again["Vary"]
    other = get(client, need_type="medical", facets="1", page_size="5")
    assert len(other.json()["results"]) == 3  # another URL is answered afresh
    assert get(client, city="abc").status_code == 400  # errors are never cached


def test_a_page_costs_one_query_and_no_count_once_counts_are_kept(client, source, settings):
    settings.NEED_FACETS_CACHE_SECONDS = 60
    for _ in range(25):
        NeedFactory(source_system=source, need_type="medical")
    assert get(client, need_type="medical", facets="1").json()["count"] == 25

    with CaptureQueriesContext(connection) as queries:
        body = get(client, need_type="medical", facets="1", page="2").json()

    assert (body["count"], len(body["results"])) == (25, 5)
    assert len(queries) == 1, [query["sql"] for query in queries]
    assert "COUNT(" not in queries[0]["sql"].upper()
