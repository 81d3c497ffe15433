"""The back office's dashboard: each role's queues, counted in its region, in Chinese (issue 11,
item 3). The panels come from the apps that own the queues (needs, delivery, claims)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from marketplace.claims.models import TransferRequest, TransferStatus
from marketplace.delivery.models import Delivery, DeliveryStatus
from marketplace.needs.models import Need
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db

HONGSHAN, JIANGAN, XILING = "420111", "420102", "420502"  # two counties of Wuhan, one of Yichang
PANELS = ("needs-to-review", "deliveries-to-verify", "transfers-to-decide")


def held_need(region: str, *, days_ago: int = 0) -> Need:
    need = NeedFactory(pending_review=True, region=region)
    Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return need


def reported_delivery(region: str, *, days_ago: int = 0) -> Delivery:
    claim = ClaimFactory(need=NeedFactory(region=region))
    delivery = Delivery.objects.create(
        claim=claim,
        amount=Decimal("100.00"),
        delivered_on=timezone.localdate(),
        description="已送达。",
        reported_by=claim.claimant,
        status=DeliveryStatus.REPORTED,
    )
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return delivery


def escalated_transfer(region: str, *, days_ago: int = 0) -> TransferRequest:
    claim = ClaimFactory(need=NeedFactory(region=region))
    return TransferRequest.objects.create(
        claim=claim,
        requested_by=OrganizationFactory(verified=True),
        requester=UserFactory(),
        reason="我们离这户更近。",
        status=TransferStatus.ESCALATED,
        answer_due_at=timezone.now() - timedelta(days=days_ago, minutes=5),
    )


@pytest.fixture
def queues():
    """In Hongshan two of each (one waiting five days), in Jiang'an one of each, in Yichang's
    Xiling one of each; and what is not waiting (a published need, a verified delivery, a
    pending transfer) in Hongshan."""
    for region, recent, old in ((HONGSHAN, 1, 1), (JIANGAN, 1, 0), (XILING, 1, 0)):
        for make in (held_need, reported_delivery, escalated_transfer):
            for _ in range(recent):
                make(region)
            for _ in range(old):
                make(region, days_ago=5)
    NeedFactory(region=HONGSHAN)
    Delivery.objects.filter(pk=reported_delivery(HONGSHAN).pk).update(status=DeliveryStatus.VERIFIED)
    TransferRequest.objects.filter(pk=escalated_transfer(HONGSHAN).pk).update(status=TransferStatus.PENDING)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str, name: str) -> str:
    match = re.search(rf'<section[^>]*id="{name}-section".*?</section>', page, re.S)
    assert match, f"no panel {name}"
    return re.sub(r"\s+", " ", match.group(0))


LINKS = {
    "needs-to-review": "/admin/review/",
    "deliveries-to-verify": "/admin/deliveries/?status=reported",
    "transfers-to-decide": "/admin/claim-transfers/",
}


def test_a_caseworker_sees_the_queues_of_their_county_linked_to_the_lists(client, queues):
    page = dashboard(client, UserFactory(caseworker=True))  # Hongshan
    for name in PANELS:
        html = panel(page, name)
        assert f'<a href="{LINKS[name]}">2 项待办</a>' in html, html
        assert "已等待超过" not in html  # overdue is the supervisors' count
    assert "待审核需求" in page and "待核实的交付" in page and "待裁定的认领转让" in page


def test_a_supervisor_sees_their_city_with_what_is_overdue_and_not_another_city(client, queues):
    page = dashboard(client, UserFactory(supervisor=True))  # Wuhan: Hongshan and Jiang'an
    for name in PANELS:
        html = panel(page, name)
        assert "3 项待办" in html, html  # not Xiling's
        assert "其中 1 项已等待超过 3 天" in html
        # Supervisors do not open the caseworkers' lists: the count is not a dead link.
        assert LINKS[name] not in html


def test_a_supervisor_of_another_city_sees_none_of_wuhan(client, queues):
    page = dashboard(client, UserFactory(roles=[Role.SUPERVISOR], region_id="420500"))  # Yichang
    for name in PANELS:
        html = panel(page, name)
        assert "1 项待办" in html and "其中 0 项" in html, html


def test_an_administrator_sees_every_region_with_links_and_overdue(client, queues):
    page = dashboard(client, UserFactory(administrator=True))
    for name in PANELS:
        html = panel(page, name)
        assert f'<a href="{LINKS[name]}">4 项待办</a>' in html, html
        assert "其中 1 项已等待超过 3 天" in html


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HANDLER, Role.HOTLINE_OPERATOR])
def test_staff_without_these_queues_get_no_panels(client, queues, role):
    page = dashboard(client, UserFactory(roles=[role], region_id="420100"))
    for name in PANELS:
        assert f'id="{name}-section"' not in page


def test_each_panel_costs_the_same_queries_however_many_rows_wait(client):
    user = UserFactory(administrator=True)
    client.force_login(user)
    for make in (held_need, reported_delivery, escalated_transfer):
        make(HONGSHAN)
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for make in (held_need, reported_delivery, escalated_transfer):
        for _ in range(5):
            make(JIANGAN)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/").content.decode()
    assert "16 项待办" not in page and "6 项待办" in page
    assert len(many) == len(few)


def test_the_dashboard_speaks_chinese_and_its_images_are_the_portals_own(client, queues):
    page = dashboard(client, UserFactory(caseworker=True))
    for english in (
        "Search all pages",
        'value="Search"',
        "editor guide",
        "Dashboard",
        '"label": "Shortcuts"',
    ):
        assert english not in page, english
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    assert sources, "the avatar is drawn"
    for source in sources:
        assert source.startswith("/static/"), source  # no Gravatar, nothing from elsewhere
        assert finders.find(source.removeprefix("/static/").split("?")[0]), f"{source} is not served"
