"""Reads of users that other apps share: whom to tell about something in a region."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
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
    (for department handlers)."""
    code = region.code if isinstance(region, Region) else region
    codes = covering_codes(code)
    users = User.objects.filter(is_active=True, groups__name=role, region_id__in=codes)
    if department:
        users = users.filter(department=department)
    users = list(users.distinct().order_by("pk"))
    for scope in reversed(codes):  # nearest first
        nearest = [user for user in users if user.region_id == scope]
        if nearest:
            return nearest
    return []


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
