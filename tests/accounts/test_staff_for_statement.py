"""accounts.selectors.staff_for (and caseworkers_for) in one fixed statement: whatever the region
(a county, a city, the province; a code or a Region) it costs one query and gives whole users;
inactive users and users without the role stay out even at the nearest level, a user holding
several roles comes once, a department narrows the handlers before the nearest level is chosen,
and the users of that level come ordered by id.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import caseworkers_for, staff_for
from regions.models import Region
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

HONGSHAN, WUHAN, PROVINCE = "420111", "420100", "420000"


def staff(code: str, role: str = Role.CASEWORKER, **extra) -> User:
    return UserFactory(roles=[role], region=Region.objects.get(code=code), **extra)


def handler(code: str, department: str, **extra) -> User:
    return staff(code, Role.DEPARTMENT_HANDLER, department=department, **extra)


@pytest.mark.parametrize("code", [HONGSHAN, WUHAN, PROVINCE])
def test_one_query_whatever_the_level_and_the_users_are_whole(code, django_assert_num_queries):
    own = [staff(code), staff(code)]
    region = Region.objects.get(code=code)
    with django_assert_num_queries(1):
        found = caseworkers_for(region)
        # What a notification reads of them is there already: nothing deferred.
        assert [(user.email, user.is_active, user.region_id) for user in found] == [
            (user.email, True, code) for user in own
        ]
        assert all(user.get_deferred_fields() == set() for user in found)
    with django_assert_num_queries(1):
        assert staff_for(code, role=Role.CASEWORKER) == own


def test_at_the_nearest_level_inactive_users_and_other_roles_are_left_out():
    county = staff(HONGSHAN)
    staff(HONGSHAN, is_active=False)
    supervisor = staff(HONGSHAN, Role.SUPERVISOR)
    UserFactory(region=Region.objects.get(code=HONGSHAN))  # no role at all
    staff(WUHAN)
    assert caseworkers_for(HONGSHAN) == [county]
    assert staff_for(HONGSHAN, role=Role.SUPERVISOR) == [supervisor]


def test_a_user_with_several_roles_is_listed_once():
    county = Region.objects.get(code=HONGSHAN)
    both = UserFactory(roles=[Role.CASEWORKER, Role.HOTLINE_OPERATOR], region=county)
    assert caseworkers_for(HONGSHAN) == [both]
    assert staff_for(HONGSHAN, role=Role.HOTLINE_OPERATOR) == [both]


def test_a_caseworker_without_a_region_is_never_told():
    UserFactory(roles=[Role.CASEWORKER], region=None)
    assert caseworkers_for(HONGSHAN) == []
    assert caseworkers_for(PROVINCE) == []


def test_the_county_is_preferred_over_the_city_and_the_province_by_code_or_region():
    staff(PROVINCE)
    staff(WUHAN)
    county = staff(HONGSHAN)
    for region in (HONGSHAN, Region.objects.get(code=HONGSHAN)):
        assert staff_for(region, role=Role.CASEWORKER) == [county]


def test_the_nearest_level_comes_ordered_by_id():
    # Made in this order, so their names sort neither way their ids do.
    made = [staff(HONGSHAN, username=name) for name in ("z-first", "a-second", "m-third")]
    staff(WUHAN, username="0-city")
    assert [user.pk for user in caseworkers_for(HONGSHAN)] == sorted(user.pk for user in made)
    assert [user.username for user in caseworkers_for(HONGSHAN)] == ["z-first", "a-second", "m-third"]


def test_a_province_region_has_one_covering_code_and_hears_only_its_own():
    staff(HONGSHAN)
    staff(WUHAN)
    assert caseworkers_for(PROVINCE) == []  # never the county's or the city's
    province = staff(PROVINCE)
    assert caseworkers_for(PROVINCE) == [province]
    assert caseworkers_for(Region.objects.get(code=PROVINCE)) == [province]


def test_a_department_narrows_the_handlers_before_the_nearest_level_is_chosen():
    handler(HONGSHAN, "civil_affairs")  # the county has a handler, of another department
    city_health = handler(WUHAN, "health")
    handler(PROVINCE, "health")
    assert staff_for(HONGSHAN, role=Role.DEPARTMENT_HANDLER, department="health") == [city_health]

    county_health = handler(HONGSHAN, "health")
    handler(HONGSHAN, "health", is_active=False)
    staff(HONGSHAN, department="health")  # a caseworker of that department is no handler
    assert staff_for(HONGSHAN, role=Role.DEPARTMENT_HANDLER, department="health") == [county_health]
    # Without a department, the county's handlers of every department.
    assert [user.department for user in staff_for(HONGSHAN, role=Role.DEPARTMENT_HANDLER)] == [
        "civil_affairs",
        "health",
    ]
    assert staff_for(HONGSHAN, role=Role.DEPARTMENT_HANDLER, department="education") == []


def test_a_department_query_is_one_query_too(django_assert_num_queries):
    expected = handler(WUHAN, "health")
    with django_assert_num_queries(1):
        assert staff_for(HONGSHAN, role=Role.DEPARTMENT_HANDLER, department="health") == [expected]
