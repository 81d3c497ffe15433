"""Who may act where: the one rule later selectors and services call.

Staff carry a region scope; they may act on an object when the object's region lies inside
that scope (by GB/T 2260 code prefix) and they hold one of the roles the action asks for.
Department handlers additionally act only on their own department's objects. Administrators
and superusers act everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from regions.models import code_prefix, is_within


def _acts_everywhere(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.ADMINISTRATOR)


def user_may_act(
    user,
    *,
    region_code: str,
    roles: Iterable[str],
    department: str | None = None,
) -> bool:
    """True when ``user`` may act, in one of ``roles``, on an object in ``region_code``.

    ``department`` is the object's department, when it has one: a department handler may act
    only on objects of their own department.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _acts_everywhere(user):
        return True
    if not user.has_role(*roles) or user.region_id is None:
        return False
    if not is_within(region_code, user.region_id):
        return False
    if (
        department
        and user.has_role(Role.DEPARTMENT_HANDLER)
        and not user.has_role(Role.CASEWORKER, Role.SUPERVISOR)
    ):
        return user.department == department
    return True


def scope_queryset(
    queryset: QuerySet,
    user,
    *,
    roles: Iterable[str],
    region_field: str = "region__code",
    department_field: str | None = None,
) -> QuerySet:
    """``queryset`` narrowed to the objects ``user`` may act on, by the same rule as above."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if _acts_everywhere(user):
        return queryset
    if not user.has_role(*roles) or user.region_id is None:
        return queryset.none()
    queryset = queryset.filter(**{f"{region_field}__startswith": code_prefix(user.region_id)})
    if (
        department_field
        and user.has_role(Role.DEPARTMENT_HANDLER)
        and not user.has_role(Role.CASEWORKER, Role.SUPERVISOR)
    ):
        queryset = queryset.filter(**{department_field: user.department})
    return queryset
