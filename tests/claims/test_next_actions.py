"""Every active claim shows its holder what to do next where they look (issue 11, item 1).

Report the delivery, renew, withdraw, answer a transfer: on 我的认领, on the need's page and
through the notification of the claim; only the actions the user may actually take, and none
to people who may not act.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from accounts.models import Notification
from marketplace.claims.models import ClaimStatus, TransferStatus
from marketplace.claims.services.claims import claim_withdraw, need_claim
from marketplace.claims.services.status import transfer_set_status
from marketplace.claims.services.transfers import transfer_request
from marketplace.delivery.services.reports import delivery_report
from marketplace.delivery.services.verification import delivery_dispute, delivery_verify
from marketplace.organizations.models import MembershipRole, OrganizationStatus
from tests.factories.accounts import UserFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

REPORT = "上报交付"
SEE_REPORTS = "查看交付报告"
RENEW = "续期认领"
WITHDRAW = "撤回认领"


@pytest.fixture
def need():
    return IntakeNeedFactory(source_system=SourceSystemFactory(region_code="420000"), target="1000.00")


@pytest.fixture
def holder():
    return OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")


@pytest.fixture
def holder_admin(holder):
    return MembershipFactory(
        organization=holder, role=MembershipRole.ADMIN, user__username="holder_admin"
    ).user


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, role=MembershipRole.MEMBER, user__username="sunshine").user


@pytest.fixture
def claim(need, holder, member, django_capture_on_commit_callbacks):
    # The claim's notifications are sent after commit (claims.announce_claim).
    with django_capture_on_commit_callbacks(execute=True):
        return need_claim(need=need, amount=Decimal("600.00"), actor=member, organization=holder)


@pytest.fixture
def officer():
    return UserFactory(username="province_admin", administrator=True)


def report(claim, user, amount: str):
    return delivery_report(
        claim=claim,
        actor=user,
        amount=Decimal(amount),
        delivered_on=timezone.localdate(),
        description="送去米面油和冬衣。",
        files=[upload("photo.png", png_bytes(), "image/png")],
    )


def page(client, user, path: str) -> BeautifulSoup:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def card(soup: BeautifulSoup, claim):
    """The claim's own card (我的认领) or item (the need's claim panel), or None."""
    return soup.find(id=f"claim-{claim.pk}")


def links(element) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in element.find_all("a")} if element else {}


def buttons(element) -> dict[str, str]:
    """Each submit button's text and its form's action: the state-changing actions (POST)."""
    if element is None:
        return {}
    found = {}
    for button in element.find_all("button"):
        form = button.find_parent("form")
        assert form["method"] == "post"
        found[button.get_text(strip=True)] = form["action"]
    summaries = [summary.get_text(strip=True) for summary in element.find_all("summary")]
    return found | {summary: "" for summary in summaries}


def places(client, user, claim) -> dict[str, object]:
    """The claim as ``user`` sees it in 我的认领 and on the need's page."""
    return {
        "mine": card(page(client, user, "/claims/mine/"), claim),
        "need": card(page(client, user, f"/needs/{claim.need.code}/"), claim),
    }


# --- an active claim with nothing delivered -------------------------------------------------------


def test_an_active_claim_shows_report_renew_and_withdraw_in_both_places(client, claim, member):
    for where, element in places(client, member, claim).items():
        assert links(element)[REPORT] == f"/claims/{claim.pk}/deliver/", where
        actions = buttons(element)
        assert actions[RENEW] == f"/claims/{claim.pk}/renew/", where
        assert WITHDRAW in actions and actions["撤回"] == f"/claims/{claim.pk}/withdraw/", where


def test_the_report_link_opens_the_delivery_form(client, claim, member):
    href = links(places(client, member, claim)["mine"])[REPORT]
    response = client.get(href)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_the_notification_of_the_claim_leads_to_its_actions(client, claim, member):
    note = Notification.objects.get(user=member, subject__contains=claim.need.code)
    assert note.url == f"/claims/mine/#claim-{claim.pk}"
    assert "上报交付" in note.body
    client.force_login(member)
    opened = client.get(f"/account/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == note.url
    soup = page(client, member, "/claims/mine/")
    assert links(card(soup, claim))[REPORT] == f"/claims/{claim.pk}/deliver/"


def test_a_volunteer_sees_the_report_link_of_their_own_claim(client):
    need = IntakeNeedFactory(
        source_system=SourceSystemFactory(region_code="420000"), target="10", need_type="care_service"
    )
    volunteer = VolunteerFactory()
    claim = need_claim(need=need, amount=Decimal("4"), actor=volunteer.user, volunteer=volunteer)
    for where, element in places(client, volunteer.user, claim).items():
        assert links(element)[REPORT] == f"/claims/{claim.pk}/deliver/", where


# --- deliveries reported, disputed, verified ------------------------------------------------------


def test_a_report_waiting_for_verification_is_shown_instead_of_the_report_link(client, claim, member):
    report(claim, member, "600.00")
    for where, element in places(client, member, claim).items():
        text = element.get_text(" ", strip=True)
        assert "已上报交付 600.00 元，等待经办人员核实。" in text, where
        assert REPORT not in links(element), where
        assert links(element)[SEE_REPORTS] == f"/claims/{claim.pk}/deliver/", where
        # Aid was given: the claim is neither renewed (it no longer expires) nor withdrawn.
        assert buttons(element) == {}, where
        assert "无需续期" in text, where


def test_a_partial_report_leaves_the_rest_to_report(client, claim, member):
    report(claim, member, "200.00")
    element = places(client, member, claim)["mine"]
    assert "已上报交付 200.00 元" in element.get_text(" ", strip=True)
    assert links(element)[REPORT] == f"/claims/{claim.pk}/deliver/"


def test_a_disputed_report_asks_to_report_again(client, claim, member, officer):
    delivery = report(claim, member, "600.00")
    delivery_dispute(delivery=delivery, actor=officer, note="照片无法辨认")
    for where, element in places(client, member, claim).items():
        assert "提出了异议" in element.get_text(" ", strip=True), where
        assert links(element)[REPORT] == f"/claims/{claim.pk}/deliver/", where
        assert RENEW in buttons(element), where


def test_a_partly_verified_claim_says_so_and_offers_the_rest(client, claim, member, officer):
    delivery_verify(delivery=report(claim, member, "100.00"), actor=officer)
    element = places(client, member, claim)["need"]
    assert "已核实交付 100.00 元。" in element.get_text(" ", strip=True)
    assert REPORT in links(element)


def test_a_fully_verified_claim_is_completed_and_offers_nothing(client, claim, member, officer):
    delivery_verify(delivery=report(claim, member, "600.00"), actor=officer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    mine = page(client, member, "/claims/mine/")
    assert card(mine, claim) is None
    assert f"/claims/{claim.pk}/deliver/" not in str(mine)
    assert card(page(client, member, f"/needs/{claim.need.code}/"), claim) is None


def test_a_withdrawn_claim_offers_nothing(client, claim, member):
    claim_withdraw(claim=claim, actor=member, reason="计划变更")
    mine = page(client, member, "/claims/mine/")
    assert card(mine, claim) is None
    assert f"/claims/{claim.pk}/" not in str(mine.find(id="active-title").find_parent("section"))


def test_a_suspended_organization_may_only_withdraw(client, claim, member, holder):
    holder.status = OrganizationStatus.SUSPENDED
    holder.save(update_fields=["status"])
    for where, element in places(client, member, claim).items():
        assert REPORT not in links(element), where
        assert RENEW not in buttons(element), where
        assert WITHDRAW in buttons(element), where
        assert "未通过认证" in element.get_text(" ", strip=True), where


# --- people who may not act ------------------------------------------------------------------------


def test_no_actions_for_people_who_do_not_hold_the_claim(client, claim):
    other = MembershipFactory(
        organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
    ).user
    for user in (other, UserFactory(caseworker=True), UserFactory(administrator=True)):
        soup = page(client, user, f"/needs/{claim.need.code}/")
        assert card(soup, claim) is None
        assert f"/claims/{claim.pk}/" not in str(soup)
        assert card(page(client, user, "/claims/mine/"), claim) is None
    client.logout()
    anonymous = client.get(f"/needs/{claim.need.code}/").content.decode()
    assert f"/claims/{claim.pk}/" not in anonymous


def test_a_former_member_sees_no_actions(client, claim, member):
    membership = member.memberships.get()
    membership.status = "removed"
    membership.save(update_fields=["status"])
    assert card(page(client, member, f"/needs/{claim.need.code}/"), claim) is None


# --- transfer requests ---------------------------------------------------------------------------


@pytest.fixture
def requester():
    return OrganizationFactory(verified=True, need_types=[], name="武昌区暖心志愿服务队")


@pytest.fixture
def requester_member(requester):
    return MembershipFactory(organization=requester, role=MembershipRole.MEMBER).user


@pytest.fixture
def transfer(claim, requester, requester_member):
    return transfer_request(claim=claim, organization=requester, actor=requester_member, reason="就近服务")


def test_the_holders_administrator_answers_a_transfer_where_the_claim_is(client, holder_admin, transfer):
    claim = transfer.claim
    for where, element in places(client, holder_admin, claim).items():
        text = element.get_text(" ", strip=True)
        assert "武昌区暖心志愿服务队 请求您转让该认领。" in text, where
        actions = buttons(element)
        assert actions["同意转让"] == f"/transfers/{transfer.pk}/accept/", where
        assert actions["拒绝"] == f"/transfers/{transfer.pk}/decline/", where
    mine = page(client, holder_admin, "/claims/mine/")
    assert links(mine.find(id="to-answer-title").find_parent("section")) == {
        f"武昌区暖心志愿服务队 请求接手您在需求 {claim.need.code} 上的认领": f"#transfer-{transfer.pk}"
    }
    note = Notification.objects.get(user=holder_admin, subject__contains="武昌区暖心志愿服务队")
    assert note.url == f"/claims/mine/#transfer-{transfer.pk}"


def test_accepting_from_the_need_page_comes_back_to_it(client, holder_admin, transfer):
    client.force_login(holder_admin)
    code = transfer.claim.need.code
    response = client.post(f"/transfers/{transfer.pk}/accept/", {"next": f"/needs/{code}/#claims"})
    assert response.status_code == 302 and response["Location"] == f"/needs/{code}/#claims"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED


def test_a_member_who_does_not_answer_for_the_holder_sees_no_answer_buttons(
    client, holder_admin, transfer, member
):
    for where, element in places(client, member, transfer.claim).items():
        assert "同意转让" not in buttons(element), where
        assert REPORT in links(element), where


def test_a_member_of_an_organization_without_administrator_answers(client, transfer, member):
    """``holder_admins`` names every active member when the organization has no administrator."""
    actions = buttons(places(client, member, transfer.claim)["mine"])
    assert actions["同意转让"] == f"/transfers/{transfer.pk}/accept/"
    assert client.post(f"/transfers/{transfer.pk}/accept/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED


def test_the_requester_sees_its_pending_request_on_the_need_page(client, transfer, requester_member):
    soup = page(client, requester_member, f"/needs/{transfer.claim.need.code}/")
    text = soup.find(id="claims").get_text(" ", strip=True)
    assert "武昌区暖心志愿服务队 已请求 洪山区阳光公益慈善会 转让其认领，对方应在" in text
    transfer_set_status(transfer=transfer, to_status=TransferStatus.ESCALATED, actor=None, note="")
    text = (
        page(client, requester_member, f"/needs/{transfer.claim.need.code}/").find(id="claims").get_text(" ")
    )
    assert "现由县级经办人员决定" in text
