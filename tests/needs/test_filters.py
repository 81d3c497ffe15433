"""The needs browser's filters and sorts (``NeedFilter`` through ``need_public_list``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.needs.facets import need_facets
from marketplace.needs.filters import NeedFilter, region_index
from marketplace.needs.models import Need, NeedStatus
from marketplace.needs.selectors import need_public_list
from tests.factories.needs import NeedFactory, SourceSystemFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Facet counts are cached for a minute; each test starts from its own data.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def source(db):
    return SourceSystemFactory(region_code="420000")


def codes(filters=None) -> list[str]:
    return list(need_public_list(filters=filters).values_list("code", flat=True))


# --- Which needs are listed ----------------------------------------------------------------------


def test_only_public_statuses_are_listed(client, source):
    shown = {NeedFactory(source_system=source, status=status).code: status for status in NeedStatus.values}

    listed = {code: shown[code] for code in codes()}

    assert set(listed.values()) == {
        NeedStatus.PUBLISHED,
        NeedStatus.PARTIALLY_CLAIMED,
        NeedStatus.CLAIMED,
        NeedStatus.FULFILLED,
        NeedStatus.CLOSED,
    }
    text = client.get("/needs/").content.decode()
    for code, status in shown.items():
        assert (f"/needs/{code}/" in text) == (code in listed), status


@pytest.fixture
def placed(source):
    """Needs at county level, at city level (generalized), in another city and a direct unit."""
    return {
        "hongshan": NeedFactory(source_system=source, region="420111").code,
        "wuhan_level_1": NeedFactory(source_system=source, region="420111", public_region="420100").code,
        "jiangan": NeedFactory(source_system=source, region="420102").code,
        "xiangcheng": NeedFactory(source_system=source, region="420602").code,
        "xiantao": NeedFactory(source_system=source, region="429004").code,
    }


def test_city_matches_everything_published_inside_it(placed):
    assert set(codes({"city": "420100"})) == {placed["hongshan"], placed["wuhan_level_1"], placed["jiangan"]}
    assert codes({"city": "420600"}) == [placed["xiangcheng"]]
    # A unit administered directly by the province is a city as well as a county.
    assert codes({"city": "429004"}) == [placed["xiantao"]]


def test_the_city_the_database_keeps_is_the_region_trees_for_every_region(source):
    """Need.public_city (a generated column the city filter uses) agrees with the region tree for
    every region a need can be published in: each city and county-level unit of Hubei."""
    city_of = region_index().city_of
    needs = [NeedFactory(source_system=source, region=code, public_region=code) for code in sorted(city_of)]

    stored = dict(
        Need.objects.filter(pk__in=[n.pk for n in needs]).values_list("public_region_id", "public_city")
    )

    assert stored == city_of
    assert len(stored) == 17 + 103 - 4  # the four direct units are cities and counties at once


def test_county_matches_only_needs_published_at_that_county(placed):
    assert codes({"county": "420111"}) == [placed["hongshan"]]  # not the need published as 武汉市
    assert codes({"county": "420102"}) == [placed["jiangan"]]
    assert codes({"county": "429004"}) == [placed["xiantao"]]
    assert codes({"city": "420100", "county": "420111"}) == [placed["hongshan"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"city": "420111"}, "city"),  # a county is not a city
        ({"city": "4201"}, "city"),
        ({"county": "420100"}, "county"),  # a city is not a county
        ({"county": "999999"}, "county"),
        ({"city": "420600", "county": "420111"}, "county"),  # Hongshan is not in Xiangyang
        ({"need_type": "luxury"}, "need_type"),
        ({"category": "rich"}, "category"),
        ({"urgency": "whenever"}, "urgency"),
        ({"state": "published"}, "state"),  # states are open / claimed / fulfilled
        ({"remaining_min": "abc"}, "remaining_min"),
        ({"remaining_min": "-5"}, "remaining_min"),
        ({"remaining_min": "500", "remaining_max": "100"}, "remaining_max"),
        ({"published_from": "2026-02-30"}, "published_from"),
        ({"published_from": "2026-03-02", "published_to": "2026-03-01"}, "published_to"),
        ({"ordering": "cheapest"}, "ordering"),
    ],
)
def test_invalid_values_are_refused_per_parameter(db, params, field):
    with pytest.raises(ValidationError) as refused:
        need_public_list(filters=params)
    assert set(refused.value.message_dict) == {field}
    with pytest.raises(ValidationError):
        need_facets(filters=params)


def test_unknown_parameters_are_ignored(placed):
    assert len(codes({"page": "2", "page_size": "5", "utm_source": "wechat"})) == len(placed)


def test_need_type_urgency_and_state(source):
    medical = NeedFactory(source_system=source, need_type="medical").code
    education = NeedFactory(source_system=source, need_type="education", urgency="critical").code
    partly = NeedFactory(
        source_system=source, status=NeedStatus.PARTIALLY_CLAIMED, claimed_amount=100, urgency="urgent"
    ).code
    claimed = NeedFactory(source_system=source, status=NeedStatus.CLAIMED, claimed_amount=1000).code
    fulfilled = NeedFactory(source_system=source, status=NeedStatus.FULFILLED, claimed_amount=1000).code
    closed = NeedFactory(source_system=source, status=NeedStatus.CLOSED, claimed_amount=1000).code

    assert codes({"need_type": "education"}) == [education]
    assert medical in codes({"need_type": "medical"})
    assert codes({"urgency": "critical"}) == [education]
    assert codes({"urgency": "urgent"}) == [partly]
    assert set(codes({"state": "open"})) == {medical, education, partly}
    assert codes({"state": "claimed"}) == [claimed]
    assert set(codes({"state": "fulfilled"})) == {fulfilled, closed}


def test_low_income_category_matches_whole_codes(source):
    """ "dibao" must not match "near_dibao": the portable lookup compares whole JSON strings."""
    dibao = NeedFactory(source_system=source, categories=["dibao"]).code
    near = NeedFactory(source_system=source, categories=["near_dibao"]).code
    both = NeedFactory(source_system=source, categories=["illness_poverty", "dibao"]).code
    NeedFactory(source_system=source, categories=[])

    assert set(codes({"category": "dibao"})) == {dibao, both}
    assert codes({"category": "near_dibao"}) == [near]
    assert codes({"category": "illness_poverty"}) == [both]
    assert codes({"category": "extreme_poverty"}) == []


@pytest.mark.postgres
def test_low_income_category_uses_json_containment_on_postgresql(source):
    dibao = NeedFactory(source_system=source, categories=["dibao", "illness_poverty"]).code
    NeedFactory(source_system=source, categories=["near_dibao"])

    with CaptureQueriesContext(connection) as queries:
        assert codes({"category": "dibao"}) == [dibao]
    assert "@>" in queries[-1]["sql"]


def test_remaining_gap_range(source):
    small = NeedFactory(
        source_system=source, target_amount=1000, claimed_amount=900, status=NeedStatus.PARTIALLY_CLAIMED
    ).code  # 100 left
    middle = NeedFactory(source_system=source, target_amount=800).code  # 800 left
    large = NeedFactory(
        source_system=source, target_amount=5000, claimed_amount=1000, status=NeedStatus.PARTIALLY_CLAIMED
    ).code  # 4000

    assert set(codes({"remaining_min": "100"})) == {small, middle, large}
    assert set(codes({"remaining_min": "100.01"})) == {middle, large}
    assert set(codes({"remaining_max": "800"})) == {small, middle}
    assert codes({"remaining_min": "500", "remaining_max": "1000"}) == [middle]


def test_publication_dates_are_whole_days_in_beijing_time(source):
    late_on_first = NeedFactory(
        source_system=source, published_at=datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    ).code
    early_on_second = NeedFactory(
        source_system=source, published_at=datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI)
    ).code
    NeedFactory(source_system=source, published_at=datetime(2026, 2, 20, 12, 0, tzinfo=SHANGHAI))

    assert codes({"published_from": "2026-03-01", "published_to": "2026-03-01"}) == [late_on_first]
    assert codes({"published_from": "2026-03-02"}) == [early_on_second]
    assert set(codes({"published_from": "2026-03-01"})) == {late_on_first, early_on_second}
    assert len(codes({"published_to": "2026-03-01"})) == 2


# --- Sorting ---------------------------------------------------------------------------------------


@pytest.fixture
def sortable(source):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)
    today = date(2026, 3, 10)
    return {
        "old_critical": NeedFactory(
            source_system=source, urgency="critical", published_at=now - timedelta(days=5),
            needed_by=today + timedelta(9), target_amount=300,
        ).code,
        "new_normal": NeedFactory(
            source_system=source, urgency="normal", published_at=now, needed_by=today + timedelta(2),
            target_amount=2000,
        ).code,
        "mid_urgent": NeedFactory(
            source_system=source, urgency="urgent", published_at=now - timedelta(days=1),
            needed_by=today + timedelta(30), target_amount=5000, claimed_amount=4000,
            status=NeedStatus.PARTIALLY_CLAIMED,
        ).code,  # 1000 left
        "new_critical": NeedFactory(
            source_system=source, urgency="critical", published_at=now - timedelta(hours=1),
            needed_by=today + timedelta(5), target_amount=1500,
        ).code,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["new_normal", "new_critical", "mid_urgent", "old_critical"]),
        ("newest", ["new_normal", "new_critical", "mid_urgent", "old_critical"]),
        ("urgency", ["new_critical", "old_critical", "mid_urgent", "new_normal"]),
        ("deadline", ["new_normal", "new_critical", "old_critical", "mid_urgent"]),
        ("gap", ["new_normal", "new_critical", "mid_urgent", "old_critical"]),
    ],
)
def test_each_sort(sortable, ordering, expected):
    by_code = {code: name for name, code in sortable.items()}
    filters = {"ordering": ordering} if ordering else None

    assert [by_code[code] for code in codes(filters)] == expected


def test_gap_sort_puts_the_largest_remaining_gap_first_whatever_the_target(source):
    big_target_mostly_claimed = NeedFactory(
        source_system=source, target_amount=10000, claimed_amount=9500, status=NeedStatus.PARTIALLY_CLAIMED
    ).code  # 500 left
    small_target_open = NeedFactory(source_system=source, target_amount=800).code

    assert codes({"ordering": "gap"}) == [small_target_open, big_target_mostly_claimed]


def test_filterset_documents_every_parameter():
    assert list(NeedFilter.base_filters) == [
        "q", "city", "county", "need_type", "category", "urgency", "state", "remaining_min",
        "remaining_max", "published_from", "published_to", "ordering",
    ]  # fmt: skip
