"""Every notification to "the caseworkers" of a need or organization goes through
``accounts.selectors.caseworkers_for``: the nearest level that has active caseworkers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from marketplace.claims.services.claims import claim_announce, need_claim
from marketplace.delivery.services.reports import delivery_report
from marketplace.organizations.models import MembershipRole
from marketplace.organizations.services.registration import organization_register
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, next_uscc

pytestmark = pytest.mark.django_db


def caseworker(code: str):
    return UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code=code))


def told() -> set:
    return set(Notification.objects.filter(user__groups__name=Role.CASEWORKER).values_list("user", flat=True))


def claim_made():
    need = NeedFactory(region="420111")
    charity = OrganizationFactory(region=Region.objects.get(code="420111"), verified=True, need_types=[])
    claim = need_claim(
        need=need,
        amount=Decimal("100.00"),
        actor=MembershipFactory(organization=charity, role=MembershipRole.ADMIN).user,
        organization=charity,
    )
    claim_announce(claim_id=claim.pk)  # what the task does once the claim has committed


def delivery_reported():
    claim = ClaimFactory(need=NeedFactory(region="420111"), amount=Decimal("100.00"))
    delivery_report(
        claim=claim,
        actor=claim.claimant,
        amount=Decimal("100.00"),
        delivered_on=timezone.localdate(),
        description="已送达米面油。",
        files=[upload("receipt.png", png_bytes(), "image/png")],
    )


def organization_registered():
    organization_register(
        user=UserFactory(),
        name="洪山区阳光慈善会",
        kind="charity",
        uscc=next_uscc(),
        registration_authority="武汉市洪山区民政局",
        region_code="420111",
        service_regions=["420111"],
        need_types=["medical"],
        contact_name="王老师",
        contact_phone="027-87654321",
    )


EVENTS = [claim_made, delivery_reported, organization_registered]


@pytest.mark.parametrize("event", EVENTS)
def test_the_county_is_told_and_the_city_and_province_are_not(event):
    county = caseworker("420111")
    caseworker("420100")
    caseworker("420000")
    caseworker("420102")  # a neighbouring county
    event()
    assert told() == {county.pk}


@pytest.mark.parametrize("event", EVENTS)
def test_without_county_caseworkers_the_city_is_told(event):
    city = caseworker("420100")
    caseworker("420000")
    event()
    assert told() == {city.pk}
