"""The whole loop on a phone, by links and buttons only (issue 11, "Done when").

A charity member signs in, finds a published need, claims it and reports the delivery with a
photo; the county caseworker signs in and verifies it; the need's public page shows it
fulfilled. After the home page, no address is ever typed: every page is reached by a link or a
button on the page before, as a person on a phone would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from marketplace.needs.models import Need, NeedStatus
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.delivery import jpeg_with_exif
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]

PASSWORD = "correct-horse-battery"
TITLE = "为困难家庭购置冬季取暖物资"


@pytest.fixture
def world():
    need = NeedFactory(title=TITLE, need_type="basic_living", target_amount="300.00")
    charity = OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")
    MembershipFactory(organization=charity, role=MembershipRole.MEMBER, user__username="sunshine")
    UserFactory(username="hongshan_caseworker", caseworker=True)
    return need


def fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def shot(page, screenshots_dir, name: str) -> None:
    fits_the_screen(page)
    page.screenshot(path=screenshots_dir / f"loop-{name}.png", full_page=True)


def sign_in(page, username: str) -> None:
    """From any public page: the header's sign-in link, the form, and wherever it lands."""
    page.locator(".site-tools").get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.org-form").get_by_role("button", name="登录").click()
    assert "/account/login/" not in page.url, page.content()


def header_link(page, name: str):
    """A link of the header's tools (its name may carry a count of unread messages)."""
    return page.locator(".site-tools").get_by_role("link", name=re.compile(f"^{name}"))


def open_delivery_to_verify(page, need: Need) -> None:
    """The caseworker's way to the reported delivery from wherever signing in landed them: the
    back office's menu there, or the message about it on the public site."""
    if "/admin/" in page.url:
        toggle = page.get_by_role("button", name=re.compile("侧边栏|菜单|sidebar", re.IGNORECASE))
        if toggle.count() and toggle.first.is_visible():
            toggle.first.click()
        page.get_by_role("link", name="待核实的交付").first.click()
        page.get_by_role("link", name=re.compile(need.code)).first.click()
        return
    header_link(page, "消息").click()
    note = page.locator("li", has_text=f"需求 {need.code} 有待核实的交付")
    note.get_by_role("link", name=re.compile("^查看")).click()


def test_a_charity_member_claims_delivers_and_the_caseworker_verifies_on_a_phone(
    live_server, browser, phone_page, screenshots_dir, world
):
    need = world
    page = phone_page

    # The charity member signs in from the home page and finds the need through the navigation.
    page.goto(live_server.url + "/")
    sign_in(page, "sunshine")
    page.locator("nav.site-nav").get_by_role("link", name="救助需求").click()
    shot(page, screenshots_dir, "1-needs")
    page.get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # Claims the whole gap (the form offers it).
    claim_form = page.locator("form.claim-form")
    expect(claim_form.locator("#claim-amount")).to_have_value("300.00")
    shot(page, screenshots_dir, "2-need-to-claim")
    claim_form.get_by_role("button", name="认领", exact=True).click()
    expect(page.get_by_text("认领成功，感谢您的帮助！").first).to_be_visible()
    # The need page now shows the holder what to do next: report the delivery.
    expect(page.locator(".claim-mine").get_by_role("link", name="上报交付")).to_be_visible()
    shot(page, screenshots_dir, "3-claimed")

    # Later, from 我的认领 in the header: the claim's card offers the delivery report.
    header_link(page, "我的认领").click()
    card = page.locator(".claim-card", has_text=TITLE)
    expect(card.get_by_role("button", name="续期认领")).to_be_visible()
    shot(page, screenshots_dir, "4-my-claims")
    card.get_by_role("link", name="上报交付").click()

    # The delivery report, with a real photo.
    expect(page.get_by_role("heading", level=1)).to_have_text("上报交付")
    page.get_by_label("交付数额").fill("300.00")
    page.get_by_label("交付内容").fill("送去棉被两床、取暖器一台，已由家属签收。")
    page.locator("input[type=file]").set_input_files(
        {"name": "签收照片.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif(size=(320, 240))}
    )
    shot(page, screenshots_dir, "5-report-form")
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_text("交付报告已提交，经办人员将进行核实。")).to_be_visible()
    expect(page.locator(".delivery-list").get_by_role("link", name=re.compile("照片"))).to_have_count(1)
    shot(page, screenshots_dir, "6-reported")

    # 我的认领 now says the report waits for verification, and offers no second report.
    header_link(page, "我的认领").click()
    card = page.locator(".claim-card", has_text=TITLE)
    expect(card).to_contain_text("等待经办人员核实")
    expect(card.get_by_role("link", name="上报交付")).to_have_count(0)

    # The county caseworker, on their own phone, signs in and verifies it.
    caseworker_context = browser.new_context(
        viewport=page.viewport_size, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        office = caseworker_context.new_page()
        office.goto(live_server.url + "/")
        sign_in(office, "hongshan_caseworker")
        open_delivery_to_verify(office, need)
        expect(office.get_by_role("img", name=re.compile("证明照片"))).to_be_visible()
        office.screenshot(path=screenshots_dir / "loop-7-verify.png", full_page=True)
        office.get_by_role("button", name="核实交付").click()
        expect(office.get_by_text("交付已核实。")).to_be_visible()
    finally:
        caseworker_context.close()

    need.refresh_from_db()
    assert need.status == NeedStatus.FULFILLED

    # The member follows the need from their earlier claims: its public page shows it fulfilled.
    header_link(page, "我的认领").click()
    page.locator(".claim-card--ended", has_text=TITLE).get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.locator(".need-detail__state")).to_have_text("状态: 已帮扶到位")
    expect(page.locator("#claims")).to_contain_text("帮扶已交付，并经经办人员核实。")
    shot(page, screenshots_dir, "8-fulfilled")
