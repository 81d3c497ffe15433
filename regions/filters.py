"""Filters over the region tree, shared by the region selectors and the API."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regions.models import Region, RegionLevel, RegionQuerySet

REGION_CODE_RE = re.compile(r"\d{6}")


class RegionCodeField(forms.CharField):
    """A six-digit GB/T 2260 code of a region that exists in the tree."""

    default_error_messages = {
        "format": _("A region code is six digits, for example 420111."),
        "unknown": _("Unknown region code."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not REGION_CODE_RE.fullmatch(value):
            raise ValidationError(self.error_messages["format"], code="format")
        if not Region.objects.filter(code=value).exists():
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return value


class RegionCodeFilter(django_filters.CharFilter):
    field_class = RegionCodeField


class RegionFilter(django_filters.FilterSet):
    # Direct children only: ``within()`` is the way to get a whole subtree.
    parent = RegionCodeFilter(field_name="parent")
    level = django_filters.ChoiceFilter(
        choices=RegionLevel.choices,
        method="filter_level",
        error_messages={"invalid_choice": _("Unknown level: use province, city or county.")},
    )

    class Meta:
        model = Region
        fields = ["parent", "level"]

    def filter_level(self, queryset: RegionQuerySet, name: str, value: str) -> RegionQuerySet:
        # The four directly administered units are stored as counties but count as cities too.
        if value == RegionLevel.CITY:
            return queryset.city_level()
        if value == RegionLevel.COUNTY:
            return queryset.county_level()
        return queryset.filter(level=value)
