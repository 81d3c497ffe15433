"""Filters of the public needs list (救助需求筛选), shared by the page, the API and the facet counts.

One ``NeedFilter`` FilterSet validates the query parameters (``?city=420100&need_type=medical``)
and narrows a queryset of public needs; ``ordering`` picks one of four sorts. The same
parameters work on ``/needs/`` and ``GET /api/v1/needs/``, so a filtered view can be shared as
a link.

Where a need is published (DESIGN §3, k-anonymity): ``public_region`` is its county, or its city
when the county alone would single the household out. So ``city`` matches every need published
inside the city (its counties and the city itself), while ``county`` matches only the needs
published at that county: a need generalized to its city is in no county's list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from marketplace.needs.choices import LowIncomeCategory, NeedType, Urgency
from marketplace.needs.hooks import need_keyword_search
from marketplace.needs.models import NEED_REMAINING, NEED_URGENCY_RANK, Need, NeedStatus
from marketplace.needs.placement import LOW_INCOME
from regions.models import Region, RegionLevel

# What the category filter offers: the categories, and 低收入家庭 for needs published without
# their exact categories (marketplace.needs.placement.LOW_INCOME).
PUBLIC_CATEGORY_CHOICES = [*LowIncomeCategory.choices, (LOW_INCOME, _("Low-income household"))]

# --- States and sorts ---------------------------------------------------------------------------


class NeedState(models.TextChoices):
    """What the public sees of a need's status: still open, fully claimed, or done."""

    OPEN = "open", _("Open for claims")
    CLAIMED = "claimed", _("Fully claimed")
    FULFILLED = "fulfilled", _("Fulfilled")


STATE_STATUSES: dict[str, tuple[str, ...]] = {
    NeedState.OPEN: (NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED),
    NeedState.CLAIMED: (NeedStatus.CLAIMED,),
    NeedState.FULFILLED: (NeedStatus.FULFILLED, NeedStatus.CLOSED),
}
STATE_OF_STATUS: dict[str, str] = {
    status: state for state, statuses in STATE_STATUSES.items() for status in statuses
}


class NeedOrdering(models.TextChoices):
    NEWEST = "newest", _("Newest first")
    URGENCY = "urgency", _("Most urgent first")
    DEADLINE = "deadline", _("Soonest deadline first")
    GAP = "gap", _("Largest remaining gap first")


# The sort keys are the model's index expressions, so PostgreSQL can use those indexes.
URGENCY_RANK = NEED_URGENCY_RANK
REMAINING = NEED_REMAINING

DEFAULT_ORDERING = NeedOrdering.NEWEST
# Every sort ends on the primary key, so pages never repeat or skip a need of equal rank.
ORDERINGS: dict[str, tuple] = {
    NeedOrdering.NEWEST: (F("published_at").desc(), F("id").desc()),
    NeedOrdering.URGENCY: (URGENCY_RANK.asc(), F("published_at").desc(), F("id").desc()),
    NeedOrdering.DEADLINE: (F("needed_by").asc(), F("id").asc()),
    NeedOrdering.GAP: (REMAINING.desc(), F("id").desc()),
}


# --- The region tree, read once per process -------------------------------------------------------


@dataclass(frozen=True)
class RegionIndex:
    """What the filters and facets need of the region tree: ~120 rows that change only by migration."""

    names: dict[str, str]
    cities: tuple[tuple[str, str], ...]  # (code, name) of the 17 city-level units, by code
    counties: dict[str, tuple[tuple[str, str], ...]]  # city code → its county-level units
    city_of: dict[str, str]  # region code → code of its city-level unit (itself for one)
    county_cities: dict[str, str]  # county-level code → its city (a direct unit is its own)
    city_codes: frozenset[str]
    county_codes: frozenset[str]


@lru_cache(maxsize=1)
def region_index() -> RegionIndex:
    regions = list(Region.objects.order_by("code"))
    by_code = {region.code: region for region in regions}

    def city_of(region: Region) -> str | None:
        node: Region | None = region
        while node is not None:
            if node.is_city_level:
                return node.code
            node = by_code.get(node.parent_id) if node.parent_id else None
        return None

    cities = tuple((r.code, r.name) for r in regions if r.is_city_level)
    mapping = {r.code: code for r in regions if (code := city_of(r)) is not None}
    counties: dict[str, list[tuple[str, str]]] = {code: [] for code, _name in cities}
    for region in regions:
        if region.level == RegionLevel.COUNTY and region.code in mapping:
            counties[mapping[region.code]].append((region.code, region.name))
    county_codes = frozenset(r.code for r in regions if r.level == RegionLevel.COUNTY)
    return RegionIndex(
        names={r.code: r.name for r in regions},
        cities=cities,
        counties={city: tuple(items) for city, items in counties.items()},
        city_of=mapping,
        county_cities={code: mapping[code] for code in sorted(county_codes)},
        city_codes=frozenset(code for code, _name in cities),
        county_codes=county_codes,
    )


class _RegionCodeField(forms.CharField):
    """A six-digit region code of the required level, checked against the cached tree.

    ``codes_of`` picks the valid codes of that level out of the cached ``region_index()``.
    """

    codes_of: Callable[[RegionIndex], Collection[str]]

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if value not in type(self).codes_of(region_index()):
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"value": value})
        return value


class CityCodeField(_RegionCodeField):
    default_error_messages = {
        "unknown": _(
            "“%(value)s” is not one of Hubei's 17 cities and prefectures; use a code such as 420100."
        ),
    }

    codes_of = staticmethod(lambda index: index.city_codes)


class CountyCodeField(_RegionCodeField):
    default_error_messages = {
        "unknown": _("“%(value)s” is not one of Hubei's counties or districts; use a code such as 420111."),
    }

    codes_of = staticmethod(lambda index: index.county_codes)


# The schema lists the codes this filter accepts (``x-region-level``: config.api.document_parameters).
@extend_schema_field({"type": "string", "x-region-level": "city"})
class CityFilter(django_filters.CharFilter):
    field_class = CityCodeField


@extend_schema_field({"type": "string", "x-region-level": "county"})
class CountyFilter(django_filters.CharFilter):
    field_class = CountyCodeField


class KeywordField(forms.CharField):
    """Free text; a NUL character (which no text holds) is dropped rather than refused."""

    def to_python(self, value):
        return super().to_python(value.replace("\x00", "") if isinstance(value, str) else value)


@extend_schema_field({"type": "string", "maxLength": 100})
class KeywordFilter(django_filters.CharFilter):
    field_class = KeywordField


# An amount as the gap filters accept it: at most 12 digits, 2 of them decimals, not negative.
@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$", "example": "500.00"})
class AmountFilter(django_filters.NumberFilter):
    """A NumberFilter whose schema says exactly which amounts it accepts (for API clients)."""


# --- The FilterSet -----------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the portal's time zone (a range on the column keeps it indexable)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class NeedFilterForm(forms.Form):
    """The checks that span two parameters."""

    def clean(self):
        data = super().clean()
        low, high = data.get("remaining_min"), data.get("remaining_max")
        if low is not None and high is not None and low > high:
            self.add_error("remaining_max", _("The largest gap must not be below the smallest gap."))
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end date must not be before the start date."))
        city, county = data.get("city"), data.get("county")
        if city and county and region_index().city_of.get(county) != city:
            self.add_error("county", _("This county or district is not in the chosen city."))
        return data


class NeedFilter(django_filters.FilterSet):
    q = KeywordFilter(
        method="filter_keyword",
        max_length=100,
        label=_("Keywords"),
        help_text=_(
            "Words to look for in the needs' titles and summaries, e.g. 医疗 or 武汉 教育 "
            "(all words must match)."
        ),
        error_messages={"max_length": _("Keep the keywords under 100 characters.")},
    )
    city = CityFilter(
        method="filter_city",
        label=_("City or prefecture"),
        help_text=_("Six-digit code of a city-level unit, e.g. 420100: needs published inside it."),
    )
    county = CountyFilter(
        field_name="public_region",
        label=_("County or district"),
        help_text=_(
            "Six-digit code of a county-level unit, e.g. 420111: needs published at that county "
            "(needs published at city level are not in it)."
        ),
    )
    need_type = django_filters.ChoiceFilter(
        choices=NeedType.choices,
        label=_("Need type"),
        error_messages={"invalid_choice": _("Unknown type of need: “%(value)s”.")},
    )
    category = django_filters.ChoiceFilter(
        choices=PUBLIC_CATEGORY_CHOICES,
        method="filter_category",
        label=_("Low-income category"),
        help_text=_(
            "A category as published: a need shown as low-income household (low_income) matches "
            "only that, never its exact categories."
        ),
        error_messages={"invalid_choice": _("Unknown low-income category: “%(value)s”.")},
    )
    urgency = django_filters.ChoiceFilter(
        choices=Urgency.choices,
        label=_("Urgency"),
        error_messages={"invalid_choice": _("Unknown urgency: “%(value)s”.")},
    )
    state = django_filters.ChoiceFilter(
        choices=NeedState.choices,
        method="filter_state",
        label=_("State"),
        help_text=_("open: published or partly claimed; claimed: fully claimed; fulfilled: delivered."),
        error_messages={"invalid_choice": _("Unknown state: “%(value)s”; use open, claimed or fulfilled.")},
    )
    remaining_min = AmountFilter(
        method="filter_remaining_min",
        label=_("Smallest remaining gap"),
        help_text=_("Only needs whose unclaimed amount is at least this."),
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    remaining_max = AmountFilter(
        method="filter_remaining_max",
        label=_("Largest remaining gap"),
        help_text=_("Only needs whose unclaimed amount is at most this."),
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    published_from = django_filters.DateFilter(
        method="filter_published_from",
        label=_("Published from"),
        help_text=_("YYYY-MM-DD, inclusive (Beijing time)."),
    )
    published_to = django_filters.DateFilter(
        method="filter_published_to",
        label=_("Published until"),
        help_text=_("YYYY-MM-DD, inclusive (Beijing time)."),
    )
    ordering = django_filters.ChoiceFilter(
        choices=NeedOrdering.choices,
        method="order",
        label=_("Sort by"),
        help_text=_("newest (default), urgency (critical first), deadline, gap (largest first)."),
        error_messages={
            "invalid_choice": _("Unknown sort: “%(value)s”; use newest, urgency, deadline or gap.")
        },
    )

    class Meta:
        model = Need
        fields: list[str] = []
        form = NeedFilterForm

    def filter_keyword(self, queryset: QuerySet[Need], name: str, value: str) -> QuerySet[Need]:
        # The search app answers through the hook (its index segments Chinese words); without
        # it, a plain substring match of the whole text.
        value = value.strip()
        if not value:
            return queryset
        for codes in need_keyword_search.call(query=value):
            if codes is not None:
                return queryset.filter(code__in=codes)
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def filter_city(self, queryset: QuerySet[Need], name: str, value: str) -> QuerySet[Need]:
        # The database-kept city of the published region (Need.public_city): one indexed equality.
        return queryset.filter(public_city=value)

    def filter_category(self, queryset: QuerySet[Need], name: str, value: str) -> QuerySet[Need]:
        # The categories the public sees (k-anonymity may show 低收入家庭 instead of the exact
        # ones): filtering on an exact category must not reveal a generalized need's.
        # ``public_categories`` is a JSON list. PostgreSQL answers ``@>`` (and a GIN index can serve it);
        # SQLite has no JSON containment in Django, so there the stored JSON text is searched for
        # the quoted code: the quotes keep "dibao" from matching "near_dibao".
        if connections[queryset.db].vendor == "postgresql":
            return queryset.filter(public_categories__contains=[value])
        return queryset.filter(public_categories__icontains=f'"{value}"')

    def filter_state(self, queryset: QuerySet[Need], name: str, value: str) -> QuerySet[Need]:
        return queryset.filter(status__in=STATE_STATUSES[value])

    def filter_remaining_min(self, queryset: QuerySet[Need], name: str, value) -> QuerySet[Need]:
        return queryset.filter(GreaterThanOrEqual(REMAINING, value))

    def filter_remaining_max(self, queryset: QuerySet[Need], name: str, value) -> QuerySet[Need]:
        return queryset.filter(LessThanOrEqual(REMAINING, value))

    def filter_published_from(self, queryset: QuerySet[Need], name: str, value: date) -> QuerySet[Need]:
        return queryset.filter(published_at__gte=_day_start(value))

    def filter_published_to(self, queryset: QuerySet[Need], name: str, value: date) -> QuerySet[Need]:
        return queryset.filter(published_at__lt=_day_start(value + timedelta(days=1)))

    def order(self, queryset: QuerySet[Need], name: str, value: str) -> QuerySet[Need]:
        return queryset.order_by(*ORDERINGS[value])

    @classmethod
    def form_class(cls) -> type[forms.Form]:
        """The validating form, built once per class: its fields depend on nothing per request
        (django-filter would build the class anew for every filterset, a few ms each time)."""
        if "_form_class" not in cls.__dict__:
            cls._form_class = cls(queryset=Need.objects.none()).get_form_class()
        return cls._form_class


# Parameters that only sort: they change no count.
SORT_PARAMS = frozenset({"ordering"})
FILTER_NAMES = tuple(NeedFilter.base_filters)


class NeedFilterParams(dict):
    """Filter parameters already validated (``need_filter_params``): passed on as they are."""


def need_filter_form(data: Mapping[str, Any] | None) -> forms.Form:
    """The bound form of the filters, to validate ``data`` and to show its values and errors."""
    return NeedFilter.form_class()(data or {})


def need_filter_params(filters: Mapping[str, Any] | None) -> NeedFilterParams:
    """The validated, non-empty filter parameters of ``filters`` (e.g. ``request.GET``).

    Unknown parameters (``page``, ``page_size``…) are ignored; already validated parameters are
    returned as they are. Raises ``django.core.exceptions.ValidationError`` with one entry per
    bad parameter.
    """
    if isinstance(filters, NeedFilterParams):
        return filters
    if not filters:
        return NeedFilterParams()
    # The form reads one value per field (the last of a repeated parameter, like QueryDict.get).
    given = tuple((name, filters.get(name)) for name in FILTER_NAMES if name in filters)
    try:
        return NeedFilterParams(_valid_params(translation.get_language(), given))
    except TypeError:  # a value that cannot key the memo (e.g. a list): validate it afresh
        return _validated(dict(given))


@lru_cache(maxsize=1024)
def _valid_params(language: str | None, given: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    """``_validated`` remembered per distinct parameters: a filter form costs ~0.7 ms to build
    and clean, and the same few combinations come back on every page of every visitor. The
    result depends only on the values and the language (dates are parsed in its formats);
    refusals raise, so they are never remembered and keep their messages' language."""
    return tuple(_validated(dict(given)).items())


def _validated(data: Mapping[str, Any]) -> NeedFilterParams:
    form = need_filter_form(data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return cleaned_params(form)


def cleaned_params(form: forms.Form) -> NeedFilterParams:
    """The non-empty values of a valid filter form."""
    return NeedFilterParams(
        (name, value) for name, value in form.cleaned_data.items() if value not in (None, "")
    )


@lru_cache(maxsize=1)
def _filters() -> dict[str, django_filters.Filter]:
    # The filters only read their own settings and the filterset's methods: one set serves all.
    return NeedFilter(queryset=Need.objects.none()).filters


def apply_need_filters(queryset: QuerySet[Need], params: Mapping[str, Any]) -> QuerySet[Need]:
    """Narrow (and sort) ``queryset`` by parameters validated by ``need_filter_params``."""
    filters = _filters()
    for name, value in params.items():
        queryset = filters[name].filter(queryset, value)
    return queryset
