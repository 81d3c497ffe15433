"""accounts.selectors.caseworkers_for: whom every notification about a region tells."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.selectors import caseworkers_for
from regions.models import Region
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

HONGSHAN, JIANGAN, WUHAN, PROVINCE, YICHANG = "420111", "420102", "420100", "420000", "420500"


def caseworker(code: str, **extra):
    return UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code=code), **extra)


def test_the_countys_own_caseworkers_are_told_and_not_those_above_them():
    county = [caseworker(HONGSHAN), caseworker(HONGSHAN)]
    caseworker(WUHAN)
    caseworker(PROVINCE)
    assert caseworkers_for(HONGSHAN) == county
    assert caseworkers_for(Region.objects.get(code=HONGSHAN)) == county


def test_without_county_caseworkers_the_citys_are_told():
    city = caseworker(WUHAN)
    caseworker(PROVINCE)
    assert caseworkers_for(HONGSHAN) == [city]


def test_with_only_province_caseworkers_the_province_is_told():
    province = caseworker(PROVINCE)
    assert caseworkers_for(HONGSHAN) == [province]
    # A county the province administers directly (仙桃) has no city above it.
    assert caseworkers_for("429004") == [province]


def test_inactive_caseworkers_are_skipped_for_the_next_level():
    caseworker(HONGSHAN, is_active=False)
    city = caseworker(WUHAN)
    assert caseworkers_for(HONGSHAN) == [city]


def test_other_regions_and_other_roles_are_never_told():
    caseworker(JIANGAN)  # a neighbouring county
    caseworker(YICHANG)  # another city
    UserFactory(roles=[Role.SUPERVISOR], region=Region.objects.get(code=HONGSHAN))
    UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code=WUHAN), department="health")
    assert caseworkers_for(HONGSHAN) == []


def test_a_city_region_is_told_through_its_own_then_the_province():
    city = caseworker(WUHAN)
    caseworker(HONGSHAN)  # below the city: not told of the city's business
    province = caseworker(PROVINCE)
    assert caseworkers_for(WUHAN) == [city]
    city.is_active = False
    city.save(update_fields=["is_active"])
    assert caseworkers_for(WUHAN) == [province]
