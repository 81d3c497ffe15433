"""The back office on a phone (issue 11, item 6): a caseworker signs in, lands on the dashboard
and opens the deliveries to verify and the transfers to decide from its counts; at 390 px the
page never scrolls sideways and every action button can be reached."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.claims.models import TransferRequest, TransferStatus
from marketplace.delivery.models import Delivery
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]

PASSWORD = "correct-horse-battery"  # UserFactory's

# Each visible action button of the listing: inside the viewport, or inside an ancestor that
# scrolls sideways (then reachable by scrolling it). Returns the ones that are neither.
UNREACHABLE_BUTTONS = """
() => [...document.querySelectorAll("main table .button")]
    .filter((button) => button.offsetParent !== null)
    .filter((button) => {
        const box = button.getBoundingClientRect();
        if (box.left >= 0 && box.right <= window.innerWidth) return false;
        for (let node = button.parentElement; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (["auto", "scroll"].includes(style.overflowX) && node.scrollWidth > node.clientWidth) {
                return false;
            }
        }
        return true;
    })
    .map((button) => `${button.textContent.trim()} at ${Math.round(button.getBoundingClientRect().left)}`
        + `–${Math.round(button.getBoundingClientRect().right)}`)
"""


@pytest.fixture
def caseworker():
    """A Hongshan caseworker with two deliveries to verify and one transfer to decide."""
    for holder in ("武汉市洪山区阳光公益慈善会", "武昌区暖心志愿服务队"):
        claim = ClaimFactory(
            need=NeedFactory(region="420111", title="家庭冬季生活物资"),
            organization=OrganizationFactory(verified=True, need_types=[], name=holder),
        )
        Delivery.objects.create(
            claim=claim,
            amount=Decimal("5800.00"),
            delivered_on=timezone.localdate(),
            description="已送达米、油和棉被。",
            reported_by=claim.claimant,
        )
    TransferRequest.objects.create(
        claim=ClaimFactory(need=NeedFactory(region="420111", title="老人陪护服务")),
        requested_by=OrganizationFactory(verified=True, name="武汉市洪山区社区服务中心"),
        requester=UserFactory(),
        reason="我们就在这户所在的社区。",
        status=TransferStatus.ESCALATED,
        answer_due_at=timezone.now() - timedelta(hours=2),
    )
    return UserFactory(username="caseworker", caseworker=True)


def _click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("networkidle")


def _assert_fits(page, name: str, screenshots_dir) -> None:
    page.screenshot(path=screenshots_dir / f"backoffice-{name}-390.png", full_page=True)
    width, viewport = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{name}: the page scrolls sideways ({width}px in {viewport}px)"
    assert page.evaluate(UNREACHABLE_BUTTONS) == [], f"{name}: action buttons cut off"


def test_a_caseworker_works_the_lists_from_the_dashboard_on_a_phone(
    live_server, phone_page, caseworker, screenshots_dir
):
    page = phone_page
    page.goto(live_server.url + "/account/login/")
    page.locator("input[name=username]").fill("caseworker")
    page.locator("input[name=password]").fill(PASSWORD)
    _click(page, page.locator("main").get_by_role("button", name="登录"))
    assert page.url == live_server.url + "/admin/"  # staff land in the back office
    _assert_fits(page, "dashboard", screenshots_dir)
    # The dashboard's images (the avatar) load: none is broken.
    assert page.evaluate("[...document.images].filter((i) => i.complete && i.naturalWidth === 0).length") == 0

    _click(page, page.locator("#deliveries-to-verify-section").get_by_role("link", name="2 项待办"))
    assert page.url == live_server.url + "/admin/deliveries/?status=reported"
    assert page.locator("form:has(input[name=action][value=verify]) button").count() == 2
    _assert_fits(page, "deliveries", screenshots_dir)

    page.go_back()
    page.wait_for_load_state("networkidle")
    _click(page, page.locator("#transfers-to-decide-section").get_by_role("link", name="1 项待办"))
    assert page.url == live_server.url + "/admin/claim-transfers/"
    _assert_fits(page, "transfers", screenshots_dir)
    _click(page, page.locator("main table .portal-actions .button"))
    assert page.locator("button[name=action][value=grant]").count() == 1
