"""Reads of the region tree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from regions.filters import RegionFilter
from regions.models import Region


def region_list(*, parent: str | None = None, level: str | None = None) -> QuerySet[Region]:
    """Regions ordered by code, optionally only the direct children of ``parent`` and/or at ``level``.

    ``level="city"`` gives the 17 city-level units and ``level="county"`` the 103 county-level
    ones; the four units administered directly by the province are in both.

    Raises ``django.core.exceptions.ValidationError`` (one entry per bad parameter) when
    ``level`` is not a known level or ``parent`` is not the six-digit code of a known region.
    """
    params = {key: value for key, value in (("parent", parent), ("level", level)) if value is not None}
    filterset = RegionFilter(params, queryset=Region.objects.all())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
