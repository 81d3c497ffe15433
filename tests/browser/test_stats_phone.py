"""/stats/ on a phone: reached from the navigation, the page never scrolls sideways; each wide
table scrolls inside its own box with the row names still in view, and downloads as CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.supervision.open311_helpers import make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def test_statistics_read_on_a_phone(live_server, phone_page, screenshots_dir):
    now = timezone.now()
    for region in ["420111"] * 9 + ["420602"] * 3:
        make_ticket(kind="complaint", region=region, submitted_at=now - timedelta(days=2))
    page = phone_page
    page.goto(live_server.url + "/")
    page.locator("nav.site-nav a", has_text="统计").click()
    page.wait_for_url("**/stats/")
    assert page.locator("h1").inner_text() == "统计"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"

    box = page.locator(".stats-scroll").first
    row_name = box.locator("tbody th", has_text="武汉市")
    before = row_name.bounding_box()["x"]
    box.evaluate("element => { element.scrollLeft = element.scrollWidth }")
    assert box.evaluate("element => element.scrollLeft") > 0  # the table is wider than the phone
    assert abs(row_name.bounding_box()["x"] - before) < 1  # the row names stay in view
    column = box.locator("thead th").all_inner_texts().index("投诉") - 1
    xiangyang = box.locator("tbody tr", has=page.locator("th", has_text="襄阳市")).locator("td").nth(column)
    wuhan = box.locator("tbody tr", has=page.locator("th", has_text="武汉市")).locator("td").nth(column)
    assert xiangyang.inner_text() == "*"  # 3 complaints: hidden
    assert wuhan.inner_text() in ("9", "*")
    page.screenshot(path=str(screenshots_dir / "stats-phone.png"), full_page=False)

    with page.expect_download() as download:
        page.locator(".stats-download").first.click()
    assert download.value.suggested_filename == "stats-kind-city.csv"
