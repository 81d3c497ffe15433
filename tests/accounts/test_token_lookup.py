"""The token look-up that every API request with a token makes: one statement gives the token,
its user as the ORM would load it, and the user's roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from accounts.tokens import api_token_create, api_token_for_key, api_token_revoke
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_the_token_comes_with_its_user_and_roles_in_one_statement():
    user = UserFactory(caseworker=True)
    user.groups.add(Group.objects.get_or_create(name="某区公告编辑")[0])  # not a role: not counted
    token, key = api_token_for_key_after_first_use(user)

    with CaptureQueriesContext(connection) as queries:
        found = api_token_for_key(key)
        roles = found.user.role_names
        staff = found.user.has_role(Role.CASEWORKER)

    assert len(queries.captured_queries) == 1
    assert found.pk == token.pk
    assert roles == User.objects.get(pk=user.pk).role_names == {Role.CASEWORKER}
    assert staff
    loaded = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(loaded, field.attname), field.name
    assert found.user._state.adding is False


def test_a_user_without_roles_has_none():
    user = UserFactory()
    _token, key = api_token_create(user=user)

    assert api_token_for_key(key).user.role_names == frozenset()


def test_revoked_tokens_and_inactive_users_find_nothing():
    revoked, active = UserFactory(), UserFactory()
    token, revoked_key = api_token_create(user=revoked)
    api_token_revoke(token=token, actor=revoked)
    _token, inactive_key = api_token_create(user=active)
    User.objects.filter(pk=active.pk).update(is_active=False)

    assert api_token_for_key(revoked_key) is None
    assert api_token_for_key(inactive_key) is None
    assert api_token_for_key("no-such-key") is None
    assert api_token_for_key("  ") is None


def api_token_for_key_after_first_use(user):
    token, key = api_token_create(user=user)
    api_token_for_key(key)  # records the first use (an UPDATE), then only reads
    return token, key
