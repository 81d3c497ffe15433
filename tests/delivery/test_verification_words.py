"""The glossary on the pages (issue 11 items 4 and 14): the back office names organizations
慈善组织 as the public site does, a delivery is 核实 and an organization 认证, and need types and
urgency read as the seed writes them, in Chinese and in English."""

from __future__ import annotations

import html
import json
import re

import pytest

from marketplace.delivery.models import Delivery, DeliveryStatus
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)


@pytest.fixture
def verified_delivery():
    claim = ClaimFactory(need=NeedFactory(target_amount="500.00"), amount="500.00")
    return Delivery.objects.create(
        claim=claim,
        amount=claim.amount,
        delivered_on=claim.created_at.date(),
        description="已送达",
        status=DeliveryStatus.VERIFIED,
        reported_by=claim.claimant,
    )


def test_the_back_office_names_organizations_as_the_public_site_does(client, caseworker):
    OrganizationFactory(name="待认证的测试慈善会")
    client.force_login(caseworker)
    # The sidebar is drawn by script from JSON: read the menu item's label there.
    sidebar = client.get("/admin/").content.decode()
    label = re.search(r'"name": "organizations", "label": "([^"]*)"', sidebar).group(1)
    assert json.loads(f'"{label}"') == "慈善组织"
    organizations = _text(client.get("/admin/organizations/"))
    assert "在您所辖地区登记的慈善组织。请对照登记证书核对待认证的组织" in organizations
    assert "社会组织" not in organizations
    public = _text(client.get("/organizations/register/", **ZH))
    assert "社会组织" not in public


def test_a_verified_delivery_is_核实_and_a_verified_organization_is_认证(
    client, caseworker, verified_delivery
):
    client.force_login(caseworker)
    queue = client.get("/admin/deliveries/?status=verified")
    assert queue.status_code == 200
    text = _text(queue)
    assert "已核实" in text and verified_delivery.claim.need.code in text
    assert "已认证" not in text

    organization = verified_delivery.claim.organization
    page = _text(client.get(f"/organizations/{organization.pk}/", **ZH))
    assert "已认证" in page and "已核实" not in page


@pytest.mark.parametrize(
    ("headers", "said", "not_said"),
    [
        (ZH, ["受灾人员救助", "急难社会救助", "危急"], ["受灾救助", "急难临时救助", "特急"]),
        (EN, ["Disaster relief", "Emergency and temporary assistance", "Critical"], ["受灾", "急难", "危急"]),
    ],
    ids=["zh", "en"],
)
def test_need_types_and_urgency_read_as_the_seed_writes_them(client, headers, said, not_said):
    NeedFactory(need_type="disaster", urgency="critical", title="暴雨后的生活物资")
    NeedFactory(need_type="emergency", urgency="critical", title="突发困难的临时帮助")
    page = _text(client.get("/needs/", **headers))
    for words in said:
        assert words in page
    for words in not_said:
        assert words not in page
