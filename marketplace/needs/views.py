"""The public needs: the browser ``/needs/`` (filters, facet counts, sorting and pages in the URL)
and a need's own page ``/needs/<code>/``.

Published needs only, allow-listed fields only: each card is the public shape of the need
(``PublicNeedSerializer``, built from plain column values by ``public_need_dicts``) plus the
texts and percentage of its progress bar. The rows are read live on every request; the rendered
filter panel and cards are kept under a digest of what they show (``_fragment``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.formatting import format_amount
from marketplace.needs.choices import NeedType, Urgency
from marketplace.needs.facets import (
    KnownCountPaginator,
    NeedFacets,
    county_groups,
    facet_options,
    need_facets,
)
from marketplace.needs.facets import cache_seconds as facet_cache_seconds
from marketplace.needs.filters import (
    PUBLIC_CATEGORY_CHOICES,
    STATE_OF_STATUS,
    NeedFilter,
    NeedOrdering,
    NeedState,
    need_filter_form,
    need_filter_params,
    region_index,
)
from marketplace.needs.hooks import need_page_panels
from marketplace.needs.models import Need
from marketplace.needs.selectors import need_public_get, need_public_rows
from marketplace.needs.serializers import (
    ROW_COLUMNS,
    PublicNeedSerializer,
    public_medical_figures,
    public_need_dicts,
)

PAGE_SIZE = 20
# Parameters that are not filters: they stay when filters change, but never show as one.
NOT_FILTERS = ("ordering", "page")
FRAGMENT_CACHE_PREFIX = "needs:fragment:1:"
# A kept fragment lives this many facet periods: it is keyed by what it shows, so it is never out
# of date however long it is kept (a changed need or count is another key), and rendering it
# again each period would only cost the first request of every period ~10 ms.
FRAGMENT_PERIODS = 10
PAGE_CACHE_PREFIX = "needs:page:1:"
# Stands for the CSRF token in a kept page; replaced by each visitor's own when served.
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor"


# Reads only, one SELECT at a time: no request transaction (it would cost two round trips).
@transaction.non_atomic_requests
def need_list(request: HttpRequest) -> HttpResponse:
    key = _page_cache_key(request)
    if key is not None and (html := cache.get(key)) is not None:
        return _page_response(request, html)
    response = _need_list(request, csrf_placeholder=key is not None)
    if key is not None and response.status_code == 200:
        html = response.content.decode()
        timeout = min(_page_cache_seconds(), int(response.facets_expire_at - time.time()))
        if timeout > 0:
            cache.set(key, html, timeout=timeout)
        return _page_response(request, html)
    return response


def _page_cache_seconds() -> int:
    return int(getattr(settings, "NEED_LIST_PAGE_CACHE_SECONDS", 0))


def _page_cache_key(request: HttpRequest) -> str | None:
    """Where the whole page is kept for a visitor without a session, or None: not kept.

    Such a visitor's page depends only on the address, the language and the text size (and
    the CSRF token, put in per request: ``_page_response``); a signed-in user's, or a visitor's
    with messages waiting, is always rendered. The page is kept ``NEED_LIST_PAGE_CACHE_SECONDS``
    and never beyond its facet counts' period: its rows are at most that old, never older than
    the counts beside them may be.
    """
    if request.method != "GET" or _page_cache_seconds() <= 0 or facet_cache_seconds() <= 0:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    shown = repr(
        (
            translation.get_language(),
            get_script_prefix(),
            request.get_host(),
            request.get_full_path(),
            request.COOKIES.get("text_size") == "large",
        )
    )
    return f"{PAGE_CACHE_PREFIX}{hashlib.sha256(shown.encode()).hexdigest()[:32]}"


def _page_response(request: HttpRequest, html: str) -> HttpResponse:
    """The kept page with this visitor's own CSRF token in its forms (and its cookie set)."""
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def _need_list(request: HttpRequest, *, csrf_placeholder: bool) -> HttpResponse:
    context = {
        "orderings": NeedOrdering.choices,
        "ordering": _ordering(request.GET),
        "kept_params": _kept_params(request.GET, drop=("ordering", "page")),
        # The keyword box changes the words only: every other parameter but the page stays.
        "keyword": request.GET.get("q", ""),
        "keyword_kept": _kept_params(request.GET, drop=("q", "page")),
    }
    try:
        params = need_filter_params(request.GET)
    except ValidationError:
        form = need_filter_form(request.GET)
        context.update(
            {"form": form, "has_errors": True, "options": _options(request.GET, None), "active_filters": []}
        )
        # The counties offered are those with needs published at their level, whatever the filters.
        context["filter_panel"] = _filter_panel(request, context, need_facets())
        return render(request, "needs/need_list.html", context, status=400)
    if csrf_placeholder:
        # The page is kept for every visitor: its forms get each one's token when served.
        context["csrf_token"] = CSRF_PLACEHOLDER

    needs = need_public_rows(filters=params, columns=ROW_COLUMNS)
    facets = need_facets(filters=params)
    page = KnownCountPaginator(needs, PAGE_SIZE, count=facets.total).get_page(request.GET.get("page"))
    rows = page.object_list
    context.update(
        {
            "page": page,
            "needs": rows,
            # The rows' values are all a card shows (in the active language): they key it.
            "cards": _fragment("cards", rows, lambda: _cards(public_need_dicts(rows))),
            "total": facets.total,
            "active_filters": _active_filters(request.GET, params),
        }
    )
    # The panel shows the query's values and the facet counts, nothing else of the request.
    query = sorted((key, tuple(values)) for key, values in request.GET.lists() if key != "page")
    context["filter_panel"] = _fragment(
        "panel",
        (query, facets.total, facets.counts, facets.counties),
        lambda: _filter_panel(
            request,
            {
                **context,
                "form": need_filter_form(request.GET),
                "options": _options(request.GET, facet_options(facets, params)),
            },
            facets,
        ),
    )
    response = render(request, "needs/need_list.html", context)
    response.facets_expire_at = facets.expires_at
    return response


def _fragment(kind: str, shows: object, render_fragment: Callable[[], str]) -> str:
    """A part of the page, kept for ``FRAGMENT_PERIODS`` × ``NEED_FACETS_CACHE_SECONDS`` under a
    digest of everything it shows (``shows``, and the language); 0 renders it every time.

    The filter panel's ~180 options and the 20 cards are most of the page's rendering (measured
    ~7 ms and ~3 ms of ~12 ms). Keyed by their content, not by time: a changed need, count or
    language is another key, so a kept fragment is never out of date; the period only bounds
    how long an unused one takes memory.
    """
    seconds = facet_cache_seconds()
    if seconds <= 0:
        return render_fragment()
    # The language and the URL prefix are part of what a fragment shows (its texts and links).
    shown = repr((translation.get_language(), get_script_prefix(), shows))
    digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
    key = f"{FRAGMENT_CACHE_PREFIX}{kind}:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(render_fragment())
        cache.set(key, html, timeout=seconds * FRAGMENT_PERIODS)
    return mark_safe(html)  # noqa: S308 - rendered (and escaped) by our own templates


def _filter_panel(request: HttpRequest, context: dict, facets: NeedFacets) -> str:
    panel = {**context, "county_groups": county_groups(facets, request.GET.get("county"))}
    return render_to_string("needs/includes/need_filters.html", panel, request)


def _cards(shown: list[dict]) -> str:
    detail_url = _detail_url()
    return render_to_string(
        "needs/includes/need_cards.html", {"needs": [_card(s, detail_url) for s in shown]}
    )


def _detail_url() -> Callable[[str], str]:
    """A need's page address from its code, reversed once per request rather than per card."""
    marker = "0MARKER0"
    prefix, suffix = reverse("needs:detail", args=[marker]).split(marker)
    return lambda code: f"{prefix}{code}{suffix}"


def _ordering(query: QueryDict) -> str:
    value = query.get("ordering")
    return value if value in NeedOrdering.values else NeedOrdering.NEWEST


def _card(shown: dict, detail_url: Callable[[str], str]) -> dict:
    """The public shape of a need, its address, and the texts and share of its progress bar."""
    target, claimed = Decimal(shown["target_amount"]), Decimal(shown["claimed_amount"])
    percent = int(claimed * 100 / target) if target > 0 else 0
    kind, unit = shown["amount_kind"], shown["unit"]
    return {
        **shown,
        "url": detail_url(shown["code"]),
        "claimed_percent": min(max(percent, 0), 100),
        "has_target": target > 0,
        # Formatted here rather than by an include per amount: 60 includes a page cost ~2 ms.
        "remaining_text": format_amount(shown["remaining_amount"], kind, unit),
        "claimed_text": format_amount(claimed, kind, unit),
        "target_text": format_amount(target, kind, unit),
    }


def _options(query: QueryDict, facets: dict[str, list[dict]] | None) -> dict[str, list[dict]]:
    """The options of each select: with their facet counts, or without when the filters are invalid."""
    choices = {
        "need_type": NeedType.choices,
        "urgency": Urgency.choices,
        "state": NeedState.choices,
        "city": region_index().cities,
        "category": PUBLIC_CATEGORY_CHOICES,
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


def _kept_params(query: QueryDict, *, drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every parameter but ``drop``, as hidden fields of a form that changes only those."""
    return [(key, value) for key, values in query.lists() if key not in drop for value in values if value]


def _without(query: QueryDict, *names: str) -> str:
    # Pairs rather than ``query.copy()``, a deep copy of the whole query for each chip.
    dropped = (*names, "page")
    encoded = urlencode(
        [(key, value) for key, values in query.lists() if key not in dropped for value in values]
    )
    return f"?{encoded}" if encoded else "?"


def _active_filters(query: QueryDict, params: dict) -> list[dict]:
    """Each filter in force, with its label and the link that drops it (and keeps the others)."""
    names = region_index().names
    labels, choices = _filter_labels(translation.get_language())
    chips = []
    for name, value in params.items():
        if name in NOT_FILTERS:
            continue
        if name in ("city", "county"):
            shown = names.get(value, value)
        elif name in choices:
            shown = choices[name].get(value, value)
        else:
            shown = value
        # Dropping the city drops its county too: the county alone still lies in that city, so
        # dropping only the city would change nothing the visitor sees.
        drop = ("city", "county") if name == "city" else (name,)
        chips.append(
            {
                "label": _("%(filter)s: %(value)s") % {"filter": labels[name], "value": shown},
                "remove_url": _without(query, *drop),
            }
        )
    return chips


@lru_cache(maxsize=8)
def _filter_labels(language: str | None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Each filter's label, and the labels of the choices of those that have some, in
    ``language`` (the active one: the argument keys the cache)."""
    fields = NeedFilter.form_class().base_fields
    labels = {name: str(field.label) for name, field in fields.items()}
    choices = {
        name: {str(value): str(label) for value, label in field.choices}
        for name, field in fields.items()
        if hasattr(field, "choices")
    }
    return labels, choices


def need_detail(request, code: str):
    """The public page of one need: public needs only, allow-listed fields."""
    try:
        need = need_public_get(code=code)
    except Need.DoesNotExist:
        raise Http404 from None
    return render_need_detail(request, need)


def render_need_detail(request, need: Need, *, status: int = 200, **state):
    """The need's page with the panels upper apps add (``hooks.need_page_panels``: the claim
    panel); ``state`` reaches each panel (a refused claim form re-rendered with its errors)."""
    public_state = STATE_OF_STATUS.get(need.status)
    context = {
        "need": PublicNeedSerializer(need).data,
        # Where the need stands, in the public's words (open, fully claimed, fulfilled).
        "state": public_state,
        "state_label": NeedState(public_state).label if public_state else "",
        "medical": public_medical_figures(need),
        "panels": [],
    }
    for panel in need_page_panels:
        template, panel_context = panel(request, need, **state)
        context["panels"].append(template)
        context.update(panel_context)
    return render(request, "needs/need_detail.html", context, status=status)
