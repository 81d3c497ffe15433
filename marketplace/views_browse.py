"""The public needs browser ``/needs/``: filters, facet counts, sorting and pages in the URL.

Published needs only, allow-listed fields only (``PublicNeedSerializer``), plus the claimed and
remaining amounts the progress bar shows.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from marketplace.choices import LowIncomeCategory, NeedType, Urgency
from marketplace.facets import KnownCountPaginator, facet_options, need_facets
from marketplace.filters import NeedOrdering, NeedState, cleaned_params, need_filter_form, region_index
from marketplace.models import AmountKind, Need
from marketplace.selectors import need_public_list
from marketplace.serializers import PublicNeedSerializer

PAGE_SIZE = 20
# Parameters that are not filters: they stay when filters change, but never show as one.
NOT_FILTERS = ("ordering", "page")


def need_list(request: HttpRequest) -> HttpResponse:
    form = need_filter_form(request.GET)
    context = {
        "form": form,
        "cities": region_index().cities,
        "county_groups": _county_groups(request.GET.get("county")),
        "orderings": NeedOrdering.choices,
        "ordering": _ordering(request.GET),
        "kept_params": _kept_params(request.GET, drop=("ordering", "page")),
    }
    if not form.is_valid():
        context.update({"options": _options(request.GET, None), "active_filters": []})
        return render(request, "marketplace/need_list.html", context, status=400)

    params = cleaned_params(form)
    needs = need_public_list(filters=params)
    facets = need_facets(filters=params)
    page = KnownCountPaginator(needs, PAGE_SIZE, count=facets.total).get_page(request.GET.get("page"))
    context.update(
        {
            "page": page,
            "needs": [_card(need, shown) for need, shown in _serialized(page.object_list)],
            "total": facets.total,
            "options": _options(request.GET, facet_options(facets, params)),
            "active_filters": _active_filters(request.GET, form, params),
        }
    )
    return render(request, "marketplace/need_list.html", context)


def _ordering(query: QueryDict) -> str:
    value = query.get("ordering")
    return value if value in NeedOrdering.values else NeedOrdering.NEWEST


def _serialized(needs) -> list[tuple[Need, dict]]:
    needs = list(needs)
    return list(zip(needs, PublicNeedSerializer(needs, many=True).data, strict=True))


def _card(need: Need, shown: dict) -> dict:
    """The allow-listed fields, and the amounts of the progress bar.

    The claimed amount says how much charities have taken on, nothing about the household.
    """
    target, claimed = need.target_amount, need.claimed_amount
    percent = int(claimed * 100 / target) if target > 0 else 0
    return {
        **shown,
        "claimed_amount": claimed,
        "claimed_percent": min(max(percent, 0), 100),
        "has_target": target > Decimal(0),
        # Formatted here rather than by an include per amount: 60 includes a page cost ~2 ms.
        "remaining_text": _amount(need.remaining_amount, need),
        "claimed_text": _amount(claimed, need),
        "target_text": _amount(target, need),
    }


def _amount(amount: Decimal, need: Need) -> str:
    """An amount with its unit, as ``includes/need_amount.html`` shows it."""
    number = formats.localize(amount)
    if need.amount_kind == AmountKind.MONEY:
        return f"{number} {_('yuan')}"
    if need.amount_kind == AmountKind.HOURS:
        return f"{number} {_('hours')}"
    return f"{number} {need.unit}"


def _options(query: QueryDict, facets: dict[str, list[dict]] | None) -> dict[str, list[dict]]:
    """The options of each select: with their facet counts, or without when the filters are invalid."""
    choices = {
        "need_type": NeedType.choices,
        "urgency": Urgency.choices,
        "state": NeedState.choices,
        "city": region_index().cities,
        "category": LowIncomeCategory.choices,
    }
    options = {
        name: [
            {"value": value, "label": str(label), "count": None, "selected": query.get(name) == value}
            for value, label in values
        ]
        for name, values in choices.items()
    }
    if facets is not None:
        options.update(facets)
    return options


def _county_groups(selected: str | None) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    index = region_index()
    return [
        (name, [(code, county, code == selected) for code, county in index.counties[city]])
        for city, name in index.cities
    ]


def _kept_params(query: QueryDict, *, drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every parameter but ``drop``, as hidden fields of a form that changes only those."""
    return [(key, value) for key, values in query.lists() if key not in drop for value in values if value]


def _without(query: QueryDict, *names: str) -> str:
    remaining = query.copy()
    for name in (*names, "page"):
        remaining.pop(name, None)
    encoded = remaining.urlencode()
    return f"?{encoded}" if encoded else "?"


def _active_filters(query: QueryDict, form, params: dict) -> list[dict]:
    """Each filter in force, with its label and the link that drops it (and keeps the others)."""
    names = region_index().names
    chips = []
    for name, value in params.items():
        if name in NOT_FILTERS:
            continue
        field = form.fields[name]
        if name in ("city", "county"):
            shown = names.get(value, value)
        elif hasattr(field, "choices"):
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        # Dropping the city drops its county too: the county alone still lies in that city, so
        # dropping only the city would change nothing the visitor sees.
        drop = ("city", "county") if name == "city" else (name,)
        chips.append(
            {
                "label": _("%(filter)s: %(value)s") % {"filter": field.label, "value": shown},
                "remove_url": _without(query, *drop),
            }
        )
    return chips
