"""On a phone: file a complaint from the home page by following links, then track it with the
number and query code the answer page shows."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_a_complaint_is_filed_and_tracked_on_a_phone(live_server, phone_page, screenshots_dir):
    page = phone_page
    page.goto(live_server.url + "/")
    page.locator("nav.site-nav").get_by_role("link", name="投诉建议").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "投诉、求助与建议"
    _fits(page)

    page.get_by_label("投诉", exact=True).check()
    page.get_by_label("地区").select_option(label="洪山区")
    page.get_by_label("具体情况或诉求").fill("申请临时救助已经一个多月，社区一直没有答复。")
    page.get_by_label("手机或电话号码").fill("13912345678")
    page.screenshot(path=screenshots_dir / "complaint-new.png", full_page=True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "已收到"
    number = page.locator("[data-ticket-number]").inner_text()
    code = page.locator("[data-query-code]").inner_text()
    assert len(number) == 14 and len(code) == 6
    _fits(page)
    page.screenshot(path=screenshots_dir / "complaint-received.png", full_page=True)

    page.get_by_role("link", name="查询进度").first.click()
    page.wait_for_load_state()
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.locator("[data-ticket-status]").inner_text() == "已提交"
    assert number in page.get_by_role("heading", level=2).first.inner_text()
    assert "13912345678" not in page.content()
    _fits(page)
    page.screenshot(path=screenshots_dir / "complaint-track.png", full_page=True)
