"""The staff's and the members' pages show a need's title as the public reads it (tidied, or
composed from the published fields when mostly redaction marks), never the stored draft with its
〔已隐去〕 marks: the review queue, 我的认领, the back office's transfer and delivery pages.
``marketplace.needs.serializers.public_title``, the function the public pages use."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from marketplace.claims.services.claims import need_claim
from marketplace.claims.services.transfers import transfer_request, transfers_escalate
from marketplace.delivery.services.reports import delivery_report
from marketplace.needs.serializers import public_title
from privacy.redaction import REDACTED as M
from tests.factories.accounts import UserFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

STORED = f"{M}家庭冬季生活物资"  # mostly marks: the public reads a composed title
SHOWN = "洪山区 · 基本生活 · 60-69岁 · 3-4人家庭"
TIDIED_STORED = f"困难家庭（身份证{M}）冬季生活物资"
TIDIED = f"困难家庭{M}冬季生活物资"


def need(**fields):
    values = {
        "title": STORED,
        "region": "420111",
        "need_type": "basic_living",
        "age_band": "60-69岁",
        "household_size_band": "3-4人",
        "target_amount": "1000.00",
    }
    return NeedFactory(**{**values, **fields})


def test_public_title_is_what_the_public_pages_show(client):
    published = need()
    tidied = need(title=TIDIED_STORED)

    assert public_title(published) == SHOWN == client.get(f"/api/v1/needs/{published.code}/").json()["title"]
    assert public_title(tidied) == TIDIED == client.get(f"/api/v1/needs/{tidied.code}/").json()["title"]


def test_the_review_queue_lists_the_title_the_public_will_read(client):
    need(pending_review=True, hold_reasons=[{"code": "residual_risk", "detail": ""}])
    client.force_login(UserFactory(caseworker=True))

    html = client.get("/admin/review/").text

    assert SHOWN in html
    assert f"{M}家庭" not in html


@pytest.fixture
def holder():
    return OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")


@pytest.fixture
def member(holder):
    return MembershipFactory(organization=holder, user__username="holder_member").user


@pytest.fixture
def claim(holder, member):
    return need_claim(need=need(), amount=Decimal("600.00"), actor=member, organization=holder)


def test_my_claims_show_the_public_title(client, claim, member):
    client.force_login(member)

    html = client.get("/claims/mine/").text

    assert claim.need.code in html and SHOWN in html
    assert f"{M}家庭" not in html


def test_the_back_offices_transfer_pages_show_the_public_title(client, claim):
    requester = OrganizationFactory(verified=True, need_types=[], name="武昌区暖心志愿服务队")
    asker = MembershipFactory(organization=requester).user
    transfer = transfer_request(claim=claim, organization=requester, actor=asker, reason="我们就在该社区")
    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        transfers_escalate()
    client.force_login(UserFactory(caseworker=True))

    for url in ("/admin/claim-transfers/", f"/admin/claim-transfers/{transfer.pk}/"):
        html = client.get(url).text
        assert SHOWN in html, url
        assert f"{M}家庭" not in html, url


def test_the_back_offices_delivery_page_and_the_report_form_show_the_public_title(client, claim, member):
    client.force_login(member)
    form = client.get(f"/claims/{claim.pk}/deliver/").text
    assert SHOWN in form and f"{M}家庭" not in form

    delivery = delivery_report(
        claim=claim,
        actor=member,
        amount="600.00",
        delivered_on=timezone.localdate(),
        description="已送达棉被和米油，附签收单。",
        files=[upload("签收单.png", png_bytes(), "image/png")],
    )
    client.force_login(UserFactory(caseworker=True))
    html = client.get(f"/admin/deliveries/{delivery.pk}/").text

    assert SHOWN in html
    assert f"{M}家庭" not in html
