"""Issue 12 on a phone: from the home page, by links, to a notice; it fits the screen in normal
and large text, and its attachment downloads."""

from __future__ import annotations

from datetime import date

import pytest

from cms.models import NoticeType
from tests.cms.notice_helpers import PDF_BYTES, document, notice, section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def _assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_a_reader_opens_a_notice_from_the_home_page_and_downloads_its_attachment(
    live_server, phone_page, screenshots_dir
):
    wuhan = section("420100", "武汉市", "wuhan")
    attachment = document("shenqingbiao.pdf", PDF_BYTES, title="附件1：临时救助申请表")
    notice(
        wuhan,
        title="武汉市关于做好2026年冬春临时救助工作的通知",
        slug="linshi-jiuzhu-2026",
        notice_type=NoticeType.POLICY,
        document_number="武民政规〔2026〕3号",
        region="420100",
        day=date(2026, 11, 28),
        body=[
            ("heading", {"text": "一、救助对象", "level": "h2"}),
            ("paragraph", "<p>因突发事件导致基本生活暂时出现严重困难的家庭。</p>"),
            (
                "callout",
                {"kind": "important", "title": "申请方式", "text": "向户籍所在地乡镇（街道）提出申请。"},
            ),
            ("attachment", {"document": attachment, "title": ""}),
        ],
    )
    page = phone_page
    page.goto(live_server.url + "/")

    page.locator(".card__title").get_by_text("公示公告", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "公示公告"
    _assert_fits_the_screen(page)

    page.get_by_role("link", name="武汉市关于做好2026年冬春临时救助工作的通知").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "武汉市关于做好2026年冬春临时救助工作的通知"
    assert "武民政规〔2026〕3号" in page.locator(".notice__facts").inner_text()
    _assert_fits_the_screen(page)
    page.screenshot(path=screenshots_dir / "notice-phone.png", full_page=True)

    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("class") == "text-large"
    _assert_fits_the_screen(page)
    page.screenshot(path=screenshots_dir / "notice-phone-large.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="附件1：临时救助申请表").click()
    download = download_info.value
    assert download.suggested_filename == "shenqingbiao.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"
