"""An offer's ranking page by page: the bounded top-k gives exactly the rows of scoring every
candidate (a province-wide offer takes the bounded path), and past the cap the count says
"more than" in Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from marketplace.delivery.models import DuplicateAidAlert
from marketplace.matching import scoring
from tests.factories.accounts import UserFactory
from tests.factories.matching import OfferFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db

COUNTIES = ["420111", "420102", "420502", "420602", "421002"]


def needs_of_every_kind():
    now = timezone.now()
    needs = []
    for number in range(30):
        needs.append(
            NeedFactory(
                region=COUNTIES[number % len(COUNTIES)],
                urgency=("critical", "urgent", "normal")[number % 3],
                target_amount=str(200 + 150 * (number % 7)),
                published_at=now - timedelta(days=(number * 7) % 95),
                categories=[("dibao", "extreme_poverty")[number % 2]],
            )
        )
    DuplicateAidAlert.objects.create(
        household_token=needs[0].household_token, need=needs[0], need_type=needs[0].need_type, window_days=90
    )
    return needs


@pytest.mark.parametrize("categories", [[], ["dibao"]])
def test_every_page_of_a_province_wide_offer_equals_scoring_every_candidate(categories):
    needs_of_every_kind()
    offer = OfferFactory(region_prefixes=["42"], categories=categories, quantity=Decimal("600"))
    now = timezone.now()
    every = [(row["pk"], row["score"]) for row in scoring.scored_needs(offer, now=now)]
    assert len(every) > 10
    for limit in (1, 3, 7):
        for offset in range(0, len(every) + limit, limit):
            rows, total = scoring.ranked_rows(offer, offset=offset, limit=limit, now=now)
            assert [(row["pk"], row["score"]) for row in rows] == every[offset : offset + limit]
            assert total == len(every)


def test_past_the_cap_the_count_says_more_than(monkeypatch):
    monkeypatch.setattr(scoring, "COUNT_CAP", 4)
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    offer = OfferFactory(organization=OrganizationFactory(verified=True, admin=admin))
    for _ in range(6):
        NeedFactory(region="420111")
    client = APIClient()
    client.force_authenticate(admin)
    body = client.get(reverse("matching-api:recommendations", args=[offer.pk])).json()
    assert body["count"] == 4 and body["count_capped"] is True
    assert len(body["results"]) == 6  # the page still holds its rows; only the count stops
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(admin)
    text = page.get(reverse("matching:offer", args=[offer.pk])).content.decode()
    assert "超过 4 条开放需求符合此供给" in text


def test_under_the_cap_the_count_is_exact():
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    offer = OfferFactory(organization=OrganizationFactory(verified=True, admin=admin))
    for _ in range(3):
        NeedFactory(region="420111")
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(admin)
    text = page.get(reverse("matching:offer", args=[offer.pk])).content.decode()
    assert "共 3 条开放需求符合此供给" in text
