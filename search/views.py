"""``/search/``: one box over needs, notices and organizations, tabs by kind, facets, highlights.

The page is a plain GET form: every state (words, tab, facet, page) is in the address, so a
search can be shared as a link and works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from search.backends import get_backend
from search.forms import KIND_CHOICES, SearchForm

FACET_TITLES = {
    "region": _("Region"),
    "need_type": _("Need type"),
    "notice_type": _("Notice type"),
    "year": _("Year"),
}
# Parameters kept when a tab or a facet changes (the page starts again at 1).
KEPT = ("q", "kind", "region", "need_type", "notice_type", "year", "sort")


def _count_text(count: int, limit: int, *, at_least: bool = False) -> str:
    """A count as shown: ``10,000+`` past the backend's limit, ``123+`` for a lower bound."""
    if count > limit:
        return f"{limit:,}+"
    return f"{count:,}+" if at_least else f"{count:,}"


def _url(params: dict[str, str], **changes: str | None) -> str:
    merged = {key: value for key, value in params.items() if key in KEPT and value}
    for key, value in changes.items():
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return "?" + urlencode(merged) if merged else "?"


@transaction.non_atomic_requests
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    params = {key: request.GET.get(key, "") for key in KEPT}
    context = {"form": form, "query_text": params["q"].strip()}
    if not request.GET or (not params["q"].strip() and not any(params[k] for k in KEPT[1:])):
        return render(request, "search/search.html", {**context, "searched": False})
    if not form.is_valid():
        return render(
            request, "search/search.html", {**context, "searched": False, "has_errors": True}, status=400
        )
    query = form.search_query()
    result = get_backend().search(query)
    tabs = []
    for kind, label in KIND_CHOICES:
        count = sum(result.kind_counts.values()) if not kind else result.kind_counts.get(kind, 0)
        tabs.append(
            {
                "kind": kind,
                "label": label,
                "count": count,
                "count_text": _count_text(count, result.count_limit),
                "url": _url(params, kind=kind, page=None),
                "current": kind == query.kind,
            }
        )
    facets = []
    chosen = query.filter_map
    for name, values in result.facets.items():
        if not values:
            continue
        options = [
            {
                "label": value.label,
                "count": value.count,
                "count_text": _count_text(value.count, result.count_limit, at_least=value.at_least),
                "current": chosen.get(name) == value.value,
                "url": _url(
                    params, **{name: None if chosen.get(name) == value.value else value.value, "page": None}
                ),
            }
            for value in values
        ]
        facets.append({"name": name, "title": FACET_TITLES[name], "options": options})
    pages = {
        "previous": _url(params, page=str(query.page - 1)) if query.page > 1 else None,
        "next": _url(params, page=str(query.page + 1)) if query.page < min(result.pages, 50) else None,
        "number": query.page,
        "count": result.pages,
    }
    context.update(
        {
            "searched": True,
            "query": query,
            "result": result,
            "count_limit_text": f"{result.count_limit:,}",
            "tabs": tabs,
            "facets": facets,
            "pages": pages,
            "clear_filters_url": _url(
                params, region=None, need_type=None, notice_type=None, year=None, page=None
            ),
            "has_filters": bool(chosen),
        }
    )
    return render(request, "search/search.html", context)
