"""Factories of matching: offers (funds by default, for medical needs in Wuhan)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from marketplace.matching.models import Offer
from tests.factories.accounts import UserFactory
from tests.factories.organizations import OrganizationFactory


class OfferFactory(factory.django.DjangoModelFactory):
    """An open funds offer of a verified Hongshan organization for medical needs in Wuhan."""

    class Meta:
        model = Offer

    organization = factory.SubFactory(OrganizationFactory, verified=True)
    kind = "funds"
    title = factory.Sequence(lambda n: f"测试资源{n}")
    quantity = Decimal("5000.00")
    need_types = factory.LazyFunction(lambda: ["medical"])
    categories = factory.LazyFunction(list)
    region_prefixes = factory.LazyFunction(lambda: ["4201"])
    available_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    available_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    created_by = factory.SubFactory(UserFactory)
