"""Search on a phone, in Chinese: from the home page's menu to a result with its words marked."""

from __future__ import annotations

import pytest

from search.backends import _backend
from tests.search.conftest import document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


@pytest.fixture
def indexed(settings):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()
    _backend("database").bulk_index(
        [
            document("need", "N1", "洪山区 · 医疗 · 住院费用", "住院后仍有自付费用，需要医疗帮扶。"),
            document("need", "N2", "襄州区 · 教育 · 学费", "高中学费。", type="education", type_label="教育"),
        ]
    )
    yield
    _backend.cache_clear()


def test_a_visitor_on_a_phone_reaches_search_from_the_home_page_and_sees_the_word_marked(
    live_server, phone_page, screenshots_dir, indexed
):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.locator("nav.site-nav").get_by_role("link", name="搜索").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/search/"
    assert page.get_by_role("heading", level=1).inner_text() == "搜索"

    page.get_by_label("搜索关键词").fill("医疗")
    page.locator("form[role=search]").get_by_role("button", name="搜索").click()
    page.wait_for_load_state()

    assert "q=%E5%8C%BB%E7%96%97" in page.url
    assert page.locator("#search-count").inner_text() == "1 条结果"
    hit = page.locator(".search-hit").first
    assert hit.get_by_role("link").inner_text() == "洪山区 · 医疗 · 住院费用"
    assert hit.locator(".search-hit__title mark").inner_text() == "医疗"
    assert hit.locator(".search-hit__snippet mark").first.inner_text() == "医疗"
    assert hit.locator("mark").first.is_visible()
    assert "学费" not in page.locator(".search-hits").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    page.screenshot(path=screenshots_dir / "search-zh-phone.png", full_page=True)
