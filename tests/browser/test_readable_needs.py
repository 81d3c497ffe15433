"""On a phone: published needs read as text (issue 11 item 7) and the county filter offers only
counties that have needs at that level, with their counts, under a note saying why most needs
show a city (item 9)."""

from __future__ import annotations

import pytest

from privacy.redaction import REDACTED
from tests.factories.needs import NeedFactory, SourceSystemFactory, push_synthetic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def test_needs_read_as_text_and_the_county_filter_finds_them(
    live_server, phone_page, screenshots_dir, settings
):
    settings.K_ANONYMITY_K = 1  # the pushed needs publish at county level (洪山区)
    system = SourceSystemFactory(region_code="420100")
    push_synthetic(system, ["P-1", "P-2", "P-3"], county_code="420111", need_type="medical", seed=7)
    for _ in range(3):  # published at city level: under 武汉市, in no county
        NeedFactory(region="420115", public_region="420100", title=f"{REDACTED}家庭", age_band="70-79岁")
    page = phone_page

    page.goto(live_server.url + "/needs/")
    titles = page.locator(".need-card__title").all_inner_texts()
    assert len(titles) == 6
    assert not any(REDACTED in title for title in titles), titles
    assert sum(title.startswith("洪山区 · 医疗 · ") for title in titles) == 3
    assert sum(title.startswith("武汉市 · 医疗 · 70-79岁") for title in titles) == 3
    assert page.locator("#need-places-note").is_visible()

    page.locator(".need-filters__toggle").click()
    options = page.locator("#filter-county option").all_inner_texts()
    assert [option.strip() for option in options] == ["全部县（市、区）", "洪山区 (3)"]
    page.locator("#filter-county").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / "needs-county-filter-phone.png", full_page=True)

    page.locator("#filter-county").select_option("420111")
    page.get_by_role("button", name="显示需求").click()
    page.wait_for_load_state()
    assert page.locator(".need-card__title").count() == 3

    page.locator(".need-card__link").first.click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("洪山区 · 医疗 · ")
    summary = page.locator(".need-detail__summary").inner_text()
    assert "身份证" not in summary and "联系电话" not in summary and f"{REDACTED}（" not in summary
    page.screenshot(path=screenshots_dir / "need-readable-phone.png", full_page=True)
