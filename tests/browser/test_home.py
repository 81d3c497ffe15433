"""The home page on a phone, in Chinese and then in English through the visible switch."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database afterwards; serialized rollback restores the rows that
    # data migrations made (home page, regions, role groups) for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]

NAV_ZH = ["救助需求", "慈善组织", "公示公告", "投诉建议", "投诉查询", "搜索", "统计"]
NAV_EN = [
    "Assistance needs",
    "Charities",
    "Notices",
    "Complaints and suggestions",
    "Track a complaint",
    "Search",
    "Statistics",
]


def _nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.site-nav a").all_inner_texts()]


def _assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_home_page_on_a_phone_switches_to_english(live_server, phone_page, screenshots_dir):
    page = phone_page
    page.goto(live_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.title() == "湖北社会救助慈善帮扶衔接平台"
    assert page.get_by_role("heading", level=1).inner_text() == "湖北社会救助慈善帮扶衔接平台"
    assert _nav_labels(page) == NAV_ZH
    assert page.get_by_role("link", name="12345").first.is_visible()
    _assert_fits_the_screen(page)
    page.screenshot(path=screenshots_dir / "home-zh.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Hubei Social Assistance and Charity Portal"
    assert _nav_labels(page) == NAV_EN
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    _assert_fits_the_screen(page)
    page.screenshot(path=screenshots_dir / "home-en.png", full_page=True)


def test_large_text_switch_works_on_a_phone(live_server, phone_page, screenshots_dir):
    page = phone_page
    page.goto(live_server.url + "/stats/")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()

    assert page.url == live_server.url + "/stats/"
    assert "text-large" in (page.locator("html").get_attribute("class") or "")
    large_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large_size > normal_size
    assert page.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("heading", level=1).is_visible()
    _assert_fits_the_screen(page)
    page.screenshot(path=screenshots_dir / "stats-zh-large.png", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_fit_a_small_phone_with_large_text(live_server, browser, screenshots_dir, language):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    context.add_cookies(
        [
            {"name": "text_size", "value": "large", "url": live_server.url},
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    try:
        for path, status in [
            ("/", 200),
            ("/needs/", 200),
            ("/complaints/track/", 200),
            ("/no-such-page/", 404),
        ]:
            response = page.goto(live_server.url + path)
            assert response.status == status
            assert page.locator("html").get_attribute("lang") == language
            assert page.get_by_role("heading", level=1).inner_text()
            _assert_fits_the_screen(page)
        page.goto(live_server.url + "/")
        short = language.split("-")[0]
        page.screenshot(path=screenshots_dir / f"home-{short}-large-360.png", full_page=True)
    finally:
        context.close()
