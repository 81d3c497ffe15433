"""Recommendations: score parts on constructed cases, the same in SQL and in Python, the API
(paginated, with the parts, only for the offer's members and caseworkers) and the pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from marketplace.delivery.models import DuplicateAidAlert
from marketplace.matching.models import StatutoryProgramme
from marketplace.matching.scoring import recommend_needs, recommend_offers, score_pair, scored_needs
from marketplace.needs.models import Need
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.matching import OfferFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db


def parts(recommendation) -> dict[str, tuple[str, int]]:
    return {part.name: (part.code, part.points) for part in recommendation.parts}


def ranked(offer):
    return recommend_needs(offer, scored_needs(offer))


def test_score_parts_of_a_constructed_case_say_why_in_words():
    offer = OfferFactory(quantity=Decimal("800"))  # organization in Hongshan 420111
    need = NeedFactory(
        region="420111", urgency="urgent", target_amount="500.00",
        published_at=timezone.now() - timedelta(days=20),
    )  # fmt: skip
    (rec,) = ranked(offer)
    assert rec.need.pk == need.pk
    assert parts(rec) == {
        "type": ("fit", 30),
        "category": ("any", 10),
        "region": ("county", 20),
        "urgency": ("urgent", 15),
        "waiting": ("14", 10),
        "gap": ("closes", 15),
        "duplicate": ("none", 0),
    }
    assert rec.score == 100
    words = rec.words
    assert "同县区" in words or "same county" in words
    assert rec.suggested_amount == Decimal("500.00")


def test_ranking_prefers_near_urgent_long_waiting_and_lowers_duplicate_aid():
    offer = OfferFactory(quantity=Decimal("300"))
    near = NeedFactory(region="420111", urgency="critical", target_amount="200")
    city = NeedFactory(region="420102", urgency="critical", target_amount="200")
    far = NeedFactory(region="420502", urgency="critical", target_amount="200")  # Yichang: not served
    old = NeedFactory(region="420102", urgency="normal", published_at=timezone.now() - timedelta(days=70))
    dup = NeedFactory(region="420111", urgency="critical", target_amount="200")
    DuplicateAidAlert.objects.create(
        household_token=dup.household_token, need=dup, need_type=dup.need_type, window_days=90
    )
    order = [rec.need.pk for rec in ranked(offer)]
    assert far.pk not in order
    assert order.index(near.pk) < order.index(city.pk) < order.index(dup.pk)
    dup_rec = next(rec for rec in ranked(offer) if rec.need.pk == dup.pk)
    assert parts(dup_rec)["duplicate"] == ("alert", -40)
    old_rec = next(rec for rec in ranked(offer) if rec.need.pk == old.pk)
    assert parts(old_rec)["waiting"] == ("60", 30)
    assert parts(old_rec)["gap"] == ("part", 5)  # 1000 open, 300 offered


def test_sql_parts_equal_the_python_parts_for_each_need():
    offer = OfferFactory(categories=["dibao"], quantity=Decimal("600"))
    needs = [
        NeedFactory(region="420111", urgency="normal", categories=["dibao"]),
        NeedFactory(region="420102", urgency="urgent", public_categories=["low_income"], target_amount="100"),
        NeedFactory(region="420106", urgency="critical", published_at=timezone.now() - timedelta(days=35)),
    ]
    by_sql = {rec.need.pk: parts(rec) for rec in ranked(offer)}
    assert set(by_sql) == {need.pk for need in needs}
    for need in Need.objects.filter(pk__in=by_sql):
        python = {part.name: (part.code, part.points) for part in score_pair(offer, need)}
        assert python == by_sql[need.pk]


def test_ineligible_needs_are_not_recommended():
    offer = OfferFactory(kind="goods", unit="箱", need_types=["basic_living"])
    NeedFactory(need_type="basic_living", amount_kind="money")
    NeedFactory(need_type="basic_living", amount_kind="goods", unit="件")
    fits = NeedFactory(need_type="basic_living", amount_kind="goods", unit="箱")
    assert [rec.need.pk for rec in ranked(offer)] == [fits.pk]
    jobs = OfferFactory(kind="jobs", need_types=["employment"], quantity=Decimal("3"))
    NeedFactory(need_type="medical")
    job_need = NeedFactory(need_type="employment")
    assert [rec.need.pk for rec in ranked(jobs)] == [job_need.pk]


def test_statutory_programme_unconfirmed_is_said_and_lowers_the_score():
    StatutoryProgramme.objects.create(
        region=Region.objects.get(code="420100"),
        need_type="education",
        name="武汉市教育资助",
        department="教育局",
    )
    offer = OfferFactory(need_types=["education"])
    unconfirmed = NeedFactory(need_type="education", region="420111")
    confirmed = NeedFactory(need_type="education", region="420111", statutory_exhausted=True)
    recs = {rec.need.pk: rec for rec in ranked(offer)}
    assert parts(recs[unconfirmed.pk])["statutory"] == ("unconfirmed", -10)
    assert parts(recs[confirmed.pk])["statutory"] == ("confirmed", 0)
    # The need page says which programme applies and that it was not confirmed.
    page = APIClient().get(reverse("needs:detail", args=[unconfirmed.code])).content.decode()
    assert "武汉市教育资助" in page
    assert "need-statutory__flag" in page


def test_offers_for_a_need_ranked_for_the_caseworker():
    need = NeedFactory(region="420111", urgency="urgent")
    near = OfferFactory()
    far = OfferFactory(
        organization=OrganizationFactory(verified=True, region=Region.objects.get(code="420102"))
    )
    OfferFactory(need_types=["education"])
    recs = recommend_offers(need, [near, far])
    assert [rec.offer.pk for rec in recs] == [near.pk, far.pk]
    caseworker = UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111"), is_staff=True)
    client = APIClient()
    client.force_login(caseworker)
    page = client.get(reverse("matching_allocation:need", args=[need.code]))
    assert page.status_code == 200
    assert near.title in page.content.decode()


def test_recommendations_api_paginated_with_parts_and_permissions():
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    offer = OfferFactory(organization=OrganizationFactory(verified=True, admin=admin))
    for _ in range(25):
        NeedFactory(region="420111")
    url = reverse("matching-api:recommendations", args=[offer.pk])
    client = APIClient()
    assert client.get(url).status_code == 401
    client.force_authenticate(UserFactory(roles=[Role.CHARITY_ADMIN]))
    assert client.get(url).status_code == 403
    client.force_authenticate(admin)
    body = client.get(url).json()
    assert body["count"] == 25 and len(body["results"]) == 20 and body["next"]
    first = body["results"][0]
    assert {part["part"] for part in first["parts"]} >= {
        "type",
        "region",
        "urgency",
        "waiting",
        "gap",
        "duplicate",
    }
    assert first["score"] == sum(part["points"] for part in first["parts"])
    assert all(part["words"] for part in first["parts"])
    assert len(client.get(url, {"page": 2}).json()["results"]) == 5
    public = APIClient().get(reverse("matching-api:offers")).json()
    assert public["results"][0]["id"] == offer.pk
    assert "created_by" not in public["results"][0]


def test_volunteer_availability_shows_on_the_service_need_for_the_caseworker():
    from marketplace.matching.services.offers import availability_save
    from tests.factories.organizations import VolunteerFactory

    volunteer = VolunteerFactory()
    availability_save(
        volunteer=volunteer,
        data={
            "hours_per_week": 6,
            "skills": "陪护",
            "need_types": ["care_service"],
            "region_prefixes": ["4201"],
        },
    )
    need = NeedFactory(region="420111", need_type="care_service", amount_kind="hours", target_amount="20")
    client = APIClient()
    client.force_login(
        UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111"), is_staff=True)
    )
    page = client.get(reverse("matching_allocation:need", args=[need.code])).content.decode()
    assert volunteer.masked_name in page and "陪护" in page
