"""Issue 16 on a phone: a charity's administrator finds 我的资源供给 from 我的认领, posts an
offer, and sees the open needs it fits best with the reasons of each score."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from regions.models import Region
from tests.browser.test_whole_loop import PASSWORD, header_link, shot, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def test_admin_posts_an_offer_and_reads_why_needs_are_recommended(live_server, phone_page, screenshots_dir):
    admin = UserFactory(username="offer_admin", roles=[Role.CHARITY_ADMIN])
    admin.set_password(PASSWORD)
    admin.save()
    OrganizationFactory(
        verified=True, admin=admin, name="洪山区爱心慈善会", region=Region.objects.get(code="420111")
    )
    need = NeedFactory(region="420111", urgency="urgent", target_amount="800.00", title="住院治疗费用缺口")
    page = phone_page
    page.goto(live_server.url + "/")
    sign_in(page, "offer_admin")
    header_link(page, "我的认领").click()
    page.get_by_role("link", name="我的资源供给与认领邀请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的资源供给")
    page.get_by_role("link", name="发布资源供给").click()
    page.get_by_label("标题").fill("住院自付费用帮扶")
    page.get_by_label("数量").fill("5000")
    page.get_by_label("医疗").check()
    page.get_by_label("服务地区").select_option("420100")
    page.get_by_label("可提供截止日").fill("2099-12-31")
    shot(page, screenshots_dir, "matching-1-offer-form")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text("资源供给已发布")).to_be_visible()
    item = page.locator(".matching-recommendations li", has_text=need.code)
    expect(item).to_contain_text("同县区")
    expect(item).to_contain_text("紧急")
    expect(item).to_contain_text(re.compile(r"得分\s*90"))
    shot(page, screenshots_dir, "matching-2-recommendations")
