"""Issue 11 item 8 on a phone: a need published as 低收入家庭 is found under that category and
never under its exact one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.sources import source_system_create
from tests.needs.test_kanon import record

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def test_the_category_filter_offers_low_income_household_and_hides_exact_membership(
    live_server, phone_page, screenshots_dir, settings
):
    settings.K_ANONYMITY_K = 5
    system, _key = source_system_create(
        name="省级救助信息系统", department="civil_affairs", region_code="420000"
    )
    records = [record(f"B-{i}") for i in range(4)] + [record("B-4", categories=("extreme_poverty",))]
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    results = needs_intake(source_system=system, records=[{**r, "needed_by": due} for r in records])
    assert {result.status for result in results} == {"created"}
    cache.clear()
    page = phone_page

    def open_filters() -> None:
        if not page.locator("#need-filters").evaluate("details => details.open"):
            page.locator("summary.need-filters__toggle").click()

    page.goto(live_server.url + "/needs/")
    open_filters()
    page.locator("#filter-category").select_option(label="特困人员")
    page.get_by_role("button", name="显示需求").click()
    page.wait_for_load_state()
    assert page.locator("#filter-category").input_value() == "extreme_poverty"
    for result in results:
        assert result.need_code not in page.content()
    page.screenshot(path=screenshots_dir / "kanon-exact-category.png", full_page=True)

    open_filters()
    page.locator("#filter-category").select_option(label="低收入家庭")
    page.get_by_role("button", name="显示需求").click()
    page.wait_for_load_state()
    for result in results:
        assert result.need_code in page.content()
    page.screenshot(path=screenshots_dir / "kanon-low-income.png", full_page=True)
