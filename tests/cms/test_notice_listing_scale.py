"""The notices listing at scale: the index, its feed and the home page cost the same number of
queries with 100 or 1,000 live notices, and the database's filtering, ordering and pagination
show what the listing showed when it sorted every notice in Python."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from cms.models import NoticeType
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create
from cms.publicity.spreadsheet import read_table
from tests.cms.bulk_notices import bulk_notices
from tests.cms.notice_helpers import index, notice, section
from tests.cms.publicity.sheets import csv_bytes, row

pytestmark = pytest.mark.django_db

ADDRESSES = (
    "/notices/",
    "/notices/?type=policy&city=420100&year=2025",
    "/notices/?page=3",
    "/notices/wuhan/",
    "/notices/feed/",
    "/notices/feed/?type=news",
    "/",
)


def _titles(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("<", 1)[0] for part in html.split('class="notice-item__title"')[1:]]


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(queries)


@pytest.fixture
def sections():
    return [
        section("420100", "武汉市", "wuhan"),
        section("420500", "宜昌市", "yichang"),
        section("420111", "洪山区", "hongshan", parent=section("420100", "武汉市", "wuhan")),
    ]


def test_the_listing_reads_as_many_rows_with_1000_notices_as_with_100(client, sections):
    bulk_notices(sections, 100, slug_prefix="first-")
    for address in ADDRESSES:
        client.get(address)  # the process's caches (sites, regions) are warm for both counts
    before = {address: _queries(client, address) for address in ADDRESSES}
    first_page = _titles(client.get("/notices/").content.decode())

    bulk_notices(sections, 900, slug_prefix="more-")
    after = {address: _queries(client, address) for address in ADDRESSES}
    html = client.get("/notices/").content.decode()

    assert after == before
    assert "1000 条公告" in html
    assert len(_titles(html)) == 20 and _titles(html) != first_page


def _publicity_list(home, **fields):
    rows = [row(1, "张三", "", "", "洪山区珞南街道张家湾社区", 3, "全额", "1200", "2026-11")]
    return publicity_list_create(
        masked=mask_table(read_table(csv_bytes(rows))),
        title=fields.pop("title"),
        programme="dibao",
        region_code="420111",
        objection_phone="027-87654321",
        objection_address="洪山区民政局",
        parent=home,
        **fields,
    )


def test_lists_merge_with_notices_by_date_and_unpublished_or_private_pages_never_show(client, sections):
    wuhan, yichang, hongshan = sections
    older = notice(hongshan, title="洪山旧闻", slug="old", region="420111", day=date(2025, 6, 1))
    notice(wuhan, title="武汉新闻", slug="new", region="420100", day=date(2026, 11, 1))
    policy = notice(
        yichang,
        title="宜昌政策",
        slug="policy",
        notice_type=NoticeType.POLICY,
        region="420500",
        day=date(2025, 6, 1),
    )
    current = _publicity_list(
        hongshan, title="洪山低保公示", period_start=date(2026, 10, 1), period_end=date(2099, 10, 7)
    )
    expired = _publicity_list(
        hongshan, title="洪山过期公示", period_start=date(2024, 3, 1), period_end=date(2024, 3, 7)
    )
    hidden = notice(wuhan, title="撤下的新闻", slug="hidden", region="420100", day=date(2026, 12, 1))
    hidden.unpublish()
    private = notice(index(), title="内部通知", slug="private", day=date(2026, 12, 2))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    # Newest first (a list by its first day); ties by page id, the newer page first.
    listed = _titles(client.get("/notices/").content.decode())
    assert listed == ["武汉新闻", "洪山低保公示", "宜昌政策", "洪山旧闻", "洪山过期公示"]
    assert policy.pk > older.pk
    # A list is a publicity notice of its region and of the year its period starts.
    html = client.get("/notices/?type=publicity").content.decode()
    assert _titles(html) == ["洪山低保公示", "洪山过期公示"] and "2 条公告" in html
    assert _titles(client.get("/notices/?city=420100&county=420111").content.decode()) == [
        "洪山低保公示",
        "洪山旧闻",
        "洪山过期公示",
    ]
    html = client.get("/notices/?year=2024").content.decode()
    assert _titles(html) == ["洪山过期公示"]
    assert [y for y in ("2026", "2025", "2024") if f'<option value="{y}"' in html] == ["2026", "2025", "2024"]
    # An unknown year is no filter, as before.
    assert len(_titles(client.get("/notices/?year=2019").content.decode())) == 5
    # Sections list what is under them; the feed and the home page read the same listing.
    assert _titles(client.get("/notices/wuhan/").content.decode()) == [
        "武汉新闻",
        "洪山低保公示",
        "洪山旧闻",
        "洪山过期公示",
    ]
    feed = client.get("/notices/feed/?type=publicity").content.decode()
    assert "洪山低保公示" in feed and "武汉新闻" not in feed
    home = client.get("/").content.decode()
    assert home.index("武汉新闻") < home.index("洪山低保公示") < home.index("宜昌政策")
    for page in (hidden, private):
        assert page.title not in client.get("/notices/").content.decode()
        assert page.title not in client.get("/notices/feed/").content.decode()
        assert page.title not in home
    assert Page.objects.filter(pk=current.pk, live=True).exists() and expired.live
