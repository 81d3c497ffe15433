"""Who may act where: region prefixes, roles and departments."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from accounts.scoping import scope_queryset, user_may_act
from regions.models import Region
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CASEWORK = [Role.CASEWORKER]


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_a_county_caseworker_acts_in_their_county_only():
    caseworker = UserFactory(caseworker=True)  # 洪山区 420111
    assert user_may_act(caseworker, region_code="420111", roles=CASEWORK)
    assert not user_may_act(caseworker, region_code="420102", roles=CASEWORK)  # 江岸区
    assert not user_may_act(caseworker, region_code="420100", roles=CASEWORK)  # the whole city


def test_a_city_supervisor_sees_all_its_counties():
    supervisor = UserFactory(supervisor=True)  # 武汉市 420100
    for code in ("420102", "420111", "420117"):
        assert user_may_act(supervisor, region_code=code, roles=[Role.SUPERVISOR])
    assert not user_may_act(supervisor, region_code="420202", roles=[Role.SUPERVISOR])  # 黄石


def test_a_directly_administered_unit_scopes_only_itself():
    caseworker = UserFactory(roles=CASEWORK, region=region("429004"))  # 仙桃
    assert user_may_act(caseworker, region_code="429004", roles=CASEWORK)
    assert not user_may_act(caseworker, region_code="429005", roles=CASEWORK)  # 潜江


def test_the_role_must_match():
    supervisor = UserFactory(supervisor=True)
    assert not user_may_act(supervisor, region_code="420111", roles=CASEWORK)


def test_department_handlers_act_on_their_own_department_only():
    handler = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=region("420100"), department="health")
    roles = [Role.DEPARTMENT_HANDLER]
    assert user_may_act(handler, region_code="420111", roles=roles, department="health")
    assert not user_may_act(handler, region_code="420111", roles=roles, department="education")


def test_administrators_act_everywhere_and_the_public_nowhere():
    admin = UserFactory(administrator=True)
    assert user_may_act(admin, region_code="422801", roles=CASEWORK)
    assert not user_may_act(AnonymousUser(), region_code="420111", roles=CASEWORK)


def test_inactive_or_unscoped_staff_act_nowhere():
    inactive = UserFactory(caseworker=True, is_active=False)
    unscoped = UserFactory(roles=CASEWORK, region=None)
    assert not user_may_act(inactive, region_code="420111", roles=CASEWORK)
    assert not user_may_act(unscoped, region_code="420111", roles=CASEWORK)


def test_scope_queryset_applies_the_same_rule():
    UserFactory(username="in-hongshan", roles=CASEWORK, region=region("420111"))
    UserFactory(username="in-jiangan", roles=CASEWORK, region=region("420102"))
    supervisor = UserFactory(supervisor=True)
    caseworker = User.objects.get(username="in-hongshan")
    users = User.objects.filter(username__startswith="in-")

    seen_by_caseworker = scope_queryset(users, caseworker, roles=CASEWORK)
    seen_by_supervisor = scope_queryset(users, supervisor, roles=[Role.SUPERVISOR])
    assert set(seen_by_caseworker.values_list("username", flat=True)) == {"in-hongshan"}
    assert set(seen_by_supervisor.values_list("username", flat=True)) == {"in-hongshan", "in-jiangan"}
    assert not scope_queryset(users, AnonymousUser(), roles=CASEWORK).exists()
