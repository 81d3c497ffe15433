"""Every page family writes amounts with ``core.formatting``: grouped digits, then the unit
("12,000.00 元", "8 小时"), in the public pages and the back office alike (no "¥" any more)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from marketplace.claims.models import TransferRequest, TransferStatus
from marketplace.delivery.models import Delivery, DuplicateAidAlert
from marketplace.needs.models import NeedStatus
from marketplace.organizations.models import MembershipRole
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def caseworker():
    return UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111"))


@pytest.fixture
def charity():
    return OrganizationFactory(region=Region.objects.get(code="420111"), verified=True, need_types=[])


@pytest.fixture
def member(charity):
    return MembershipFactory(organization=charity, role=MembershipRole.ADMIN).user


@pytest.fixture
def claim(charity, member):
    need = NeedFactory(region="420111", target_amount=Decimal("12000.00"))
    return ClaimFactory(need=need, organization=charity, claimant=member, amount=Decimal("1200.00"))


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- needs: the public list and page, the review page -------------------------------------------


def test_the_need_pages_show_money_and_hours_with_their_units(client):
    money = NeedFactory(region="420111", target_amount=Decimal("12000.00"))
    hours = NeedFactory(
        region="420111", need_type="care_service", amount_kind="hours", target_amount=Decimal("8")
    )

    listing = text(client.get("/needs/"))
    assert "12,000.00 元" in listing and "8 小时" in listing
    detail = text(client.get(f"/needs/{money.code}/"))
    assert "12,000.00 元" in detail and "¥" not in detail
    assert "12,000.00 yuan" in text(client.get(f"/needs/{money.code}/", **EN))
    assert "8 小时" in text(client.get(f"/needs/{hours.code}/"))


def test_the_review_page_shows_the_amounts_in_yuan(client, caseworker):
    need = NeedFactory(
        region="420111",
        target_amount=Decimal("12000.00"),
        requested_amount=Decimal("15000.00"),
        status=NeedStatus.PENDING_REVIEW,
    )
    client.force_login(caseworker)
    page = text(client.get(f"/admin/review/{need.code}/"))
    assert "15,000.00 元" in page and "12,000.00 元" in page
    assert "¥" not in page


# --- claims: my claims, the escalated transfers -----------------------------------------------------


def test_my_claims_show_the_claimed_amount(client, claim, member):
    client.force_login(member)
    assert "1,200.00 元" in text(client.get("/claims/mine/"))
    assert "1,200.00 yuan" in text(client.get("/claims/mine/", **EN))


def test_the_escalated_transfers_show_the_claimed_amount(client, claim, caseworker):
    requester = OrganizationFactory(region=Region.objects.get(code="420111"), verified=True, need_types=[])
    TransferRequest.objects.create(
        claim=claim,
        requested_by=requester,
        requester=MembershipFactory(organization=requester, role=MembershipRole.ADMIN).user,
        reason="我们就在附近",
        status=TransferStatus.ESCALATED,
        answer_due_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(caseworker)
    page = text(client.get("/admin/claim-transfers/"))
    assert "1,200.00 元" in page


# --- delivery: the report form, the caseworker's queue ----------------------------------------------


def test_the_delivery_form_shows_what_is_left_in_yuan(client, claim, member):
    client.force_login(member)
    page = text(client.get(f"/claims/{claim.pk}/deliver/"))
    assert "1,200.00 元" in page
    assert "(元)" in page  # the amount field's unit


def test_the_delivery_queue_shows_amounts_in_yuan_not_with_a_currency_sign(client, claim, member, caseworker):
    Delivery.objects.create(
        claim=claim,
        amount=Decimal("1200.00"),
        delivered_on=timezone.localdate(),
        description="已送达米面油。",
        reported_by=member,
    )
    client.force_login(caseworker)
    page = text(client.get("/admin/deliveries/"))
    assert "1,200.00 元" in page and "¥" not in page


def test_the_duplicate_aid_alerts_show_the_claimed_amount_in_yuan(client, claim, caseworker):
    DuplicateAidAlert.objects.create(
        household_token=claim.need.household_token,
        need=claim.need,
        claim=claim,
        need_type=claim.need.need_type,
        window_days=90,
        detail="同一户在 90 天内已获同类帮扶。",
    )
    client.force_login(caseworker)
    assert "1,200.00 元" in text(client.get("/admin/duplicate-aid/"))


def test_the_claim_form_says_how_much_is_still_open_with_its_unit(client, member):
    need = NeedFactory(region="420111", target_amount=Decimal("12000.00"))
    client.force_login(member)
    assert "12,000.00 yuan, what is still open" in text(client.get(f"/needs/{need.code}/", **EN))
