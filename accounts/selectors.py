"""Reads of users that other apps share: whom to tell about something in a region."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.models import Group
from django.db import connections, router

from accounts.models import User
from accounts.roles import Role
from core.db import fixed_query, instance_from, select_list
from regions.models import Region, covering_codes


def caseworkers_for(region: Region | str) -> list[User]:
    """The caseworkers to tell about something in ``region`` (a region or its code).

    The active caseworkers of the nearest level that has any: the region's own (the county),
    else its city's, else the province's. Someone always sees the news, and a province
    caseworker is not told of every county's business while the county has its own. Ordered
    by id; an empty list when the province has none either.
    """
    return staff_for(region, role=Role.CASEWORKER)


def staff_for(region: Region | str, *, role: str, department: str | None = None) -> list[User]:
    """The active holders of ``role`` to tell about something in ``region``, by the rule of
    ``caseworkers_for`` (the nearest level that has any); ``department``: only that department's
    (for department handlers). One fixed statement (``core.db``): every claim asks it."""
    code = region.code if isinstance(region, Region) else region
    codes = covering_codes(code)
    alias = router.db_for_read(User)
    params = [True, *(codes + codes[-1:] * 2)[:3], role]  # always three codes: one statement
    if department:
        params.append(department)
    rows = fixed_query(_staff_sql(alias, bool(department)), params, using=alias)
    users = [instance_from(User, row, using=alias) for row in rows]
    for scope in reversed(codes):  # nearest first
        nearest = [user for user in users if user.region_id == scope]
        if nearest:
            return nearest
    return []


@lru_cache(maxsize=8)
def _staff_sql(alias: str, by_department: bool) -> str:
    """The active users holding a role (by name) in one of three regions (by code), by id."""
    qn = connections[alias].ops.quote_name
    user, groups, user_groups = (qn(model._meta.db_table) for model in (User, Group, User.groups.through))
    return (
        f"SELECT {select_list(User, 'u', using=alias)} FROM {user} u "  # noqa: S608 - names from the models' meta, values bound
        "WHERE u.is_active = %s AND u.region_id IN (%s, %s, %s) AND EXISTS ("
        f"SELECT 1 FROM {user_groups} ug JOIN {groups} g ON g.id = ug.group_id "
        "WHERE ug.user_id = u.id AND g.name = %s)"
        + (" AND u.department = %s" if by_department else "")
        + " ORDER BY u.id"
    )


def department_handlers_for(region: Region | str, department: str) -> list[User]:
    """The active handlers of ``department`` whose scope covers ``region`` (its county's, city's
    or the province's), ordered by id: who hears of the department's own needs."""
    code = region.code if isinstance(region, Region) else region
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=Role.DEPARTMENT_HANDLER,
            department=department,
            region_id__in=covering_codes(code),
        )
        .distinct()
        .order_by("pk")
    )
