"""Facet counts of the public needs list (分面计数): how many needs each option would show.

Counts per need type, urgency, state and city for the current filters, each facet counted with
the *other* filters applied and its own left out (standard faceting: the counts beside the
"urgency" options say what choosing each urgency would give, whatever urgency is chosen now).
The total of the current filters comes with them, so the list's pagination needs no
``COUNT(*)`` of its own. The county filter's options come from the same cube: only the
counties where needs are published at county level, with their counts (``counties``).

Not a scan per request. The four facet dimensions and the two region filters are all columns
of one small aggregate, the *cube*: public needs grouped by (published region, need type,
urgency, status), at most ~120 × 12 × 3 × 5 rows. It is computed with one ``GROUP BY`` query
(an index-only scan with the proposed ``need_public_facets`` index), kept in Django's cache
(and in the process, so it is not unpickled per request) and shared by every combination of
those filters: their facets are sums over the cube's cells (rolled up to cities: ≤ 17 × 12 ×
3 × 3 cells, a few milliseconds of Python), cached in turn under the normalized parameters.
Filters the cube cannot answer (category, remaining gap, publication dates) run the same
grouped query with those filters applied, once per distinct parameters per cache period.

Staleness, the trade-off: cached counts are at most ``NEED_FACETS_CACHE_SECONDS`` old (60 s
by default; a facet result never outlives the cube it came from). A claim, a publication or
a withdrawal shows in the list itself at once (the rows are always read live) and in the
counts within that period; the last page may then be one need short or hold one need more.
Services are not asked to bump a cache generation: this module follows the data without
touching the write path. The next cube is counted in a background thread shortly before the
current one expires (``NEED_FACETS_REFRESH_AHEAD_SECONDS``), so no request waits for the count
(``_refresh_ahead``).

Once per period for the whole deployment: whoever counts the shared cube (the refresh thread,
or a request that finds it expired) first takes a lock in the cache, and the cube goes to the
cache for every process. Requests that find it expired while another counts wait for that
count instead of starting their own (``_count_shared``). With ``CACHE_URL`` on Redis the lock
and the cube are the deployment's: one count per period however many workers serve; with the
in-process default (the embedded setup, no Redis) each process counts once per period.
``NEED_FACETS_CACHE_SECONDS = 0`` turns caching off (every request counts).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count
from django.utils import translation

from marketplace.needs.choices import NeedType, Urgency
from marketplace.needs.filters import (
    SORT_PARAMS,
    STATE_OF_STATUS,
    NeedState,
    apply_need_filters,
    need_filter_params,
    region_index,
)
from marketplace.needs.selectors import need_public_list

FACETS = ("need_type", "urgency", "state", "city")
# Filters that are dimensions of the cube; the region facet leaves out both city and county.
CUBE_PARAMS = frozenset({"city", "county", "need_type", "urgency", "state"})
CACHE_PREFIX = "needs:facets:2:"
DEFAULT_CACHE_SECONDS = 60
# The lock of a count: held at most this long (a count that dies leaves it to expire), and
# how long a request waits for another's count before it counts itself.
COUNT_LOCK_SECONDS = 30
COUNT_WAIT_SECONDS = 10

Cell = tuple[str, str, str, str, int]  # city (or region), need type, urgency, state, needs
# The order of a cell's dimensions, named by their facet.
DIMENSIONS = ("city", "need_type", "urgency", "state")


@dataclass(frozen=True)
class NeedFacets:
    """The number of needs matching the filters, and per facet value what choosing it would give.

    ``counties``: the county-level units where needs are published at county level, with what
    choosing each would give (the county filter left out, the city and the others applied).
    Most needs are published at city level, so most counties have none and are not listed:
    offering them would only lead to empty lists.
    """

    total: int
    counts: dict[str, dict[str, int]]
    counties: dict[str, int] = field(default_factory=dict)
    # time.time() after which the counts are older than the period allows (0: not cached).
    expires_at: float = 0.0


@dataclass(frozen=True)
class _Cube:
    by_city: tuple[Cell, ...]  # rolled up to the city-level unit of the published region
    by_region: dict[str, tuple[Cell, ...]]  # per published region, for the county filter
    expires_at: float  # time.time() after which results derived from it must not be served
    stamp: str  # tells this cube from any other, so a process can keep it


# The shared cube as this process last read or made it: (cache key, cube).
_memo: tuple[str, _Cube] | None = None
logger = logging.getLogger(__name__)


def cache_seconds() -> int:
    return int(getattr(settings, "NEED_FACETS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def need_facets(*, filters: Mapping[str, Any] | None = None) -> NeedFacets:
    """Facet counts and total for ``filters`` (the parameters of ``need_public_list``).

    Raises ``django.core.exceptions.ValidationError`` like ``need_public_list``.
    """
    params = {key: value for key, value in need_filter_params(filters).items() if key not in SORT_PARAMS}
    seconds = cache_seconds()
    key = _cache_key("result", params)
    if seconds > 0 and (cached := cache.get(key)) is not None:
        if (memo := _memo) is not None:
            _refresh_ahead(*memo, seconds)
        return cached
    extra = {name: value for name, value in params.items() if name not in CUBE_PARAMS}
    cube = _cube(extra, seconds=seconds)
    facets = _count(cube, params)
    remaining = int(cube.expires_at - time.time())
    if seconds > 0 and remaining > 0:
        cache.set(key, facets, timeout=remaining)
    return facets


def county_groups(facets: NeedFacets, selected: str | None) -> list[tuple[str, list[dict]]]:
    """The county options of the filter, grouped by city: ``[(city name, [{"value", "label",
    "count", "selected"}, ...]), ...]``, only the counties with needs published at their level
    (and the selected one, whatever its count, so the form shows what is chosen)."""
    index = region_index()
    groups = []
    for city, name in index.cities:
        options = [
            {
                "value": code,
                "label": county,
                "count": facets.counties.get(code, 0),
                "selected": code == selected,
            }
            for code, county in index.counties[city]
            if code in facets.counties or code == selected
        ]
        if options:
            groups.append((name, options))
    return groups


def facet_options(facets: NeedFacets, params: Mapping[str, Any]) -> dict[str, list[dict]]:
    """The facets as ``{facet: [{"value", "label", "count", "selected"}, ...]}`` in display order."""
    labels = _labels(translation.get_language())
    options = {}
    for facet in FACETS:
        names, chosen = labels[facet], str(params.get(facet, ""))
        options[facet] = [
            {"value": value, "label": names.get(value, value), "count": count, "selected": value == chosen}
            for value, count in facets.counts[facet].items()
        ]
    return options


@lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """The options' labels in ``language`` (the active one: the argument keys the cache)."""
    return {
        "need_type": {value: str(label) for value, label in NeedType.choices},
        "urgency": {value: str(label) for value, label in Urgency.choices},
        "state": {value: str(label) for value, label in NeedState.choices},
        "city": {code: name for code, name in region_index().cities},
    }


class KnownCountPaginator(Paginator):
    """A paginator told its count (the facets' total) instead of running ``COUNT(*)``."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


# --- Internals ----------------------------------------------------------------------------------


def _cache_key(kind: str, params: Mapping[str, Any]) -> str:
    normalized = "&".join(f"{name}={params[name]}" for name in sorted(params))
    return CACHE_PREFIX + kind + ":" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def _cube(extra: Mapping[str, Any], *, seconds: int) -> _Cube:
    """The grouped counts of the needs matching ``extra`` (filters outside the cube's dimensions).

    Only the cube without extra filters is cached as such: it serves every combination of the
    common filters. One with extra filters serves only its own parameters, whose result is
    cached anyway, so it is not kept (it would only take memory). The process keeps the shared
    cube it last used while a small stamp in the cache says it is still the current one, so
    the cube is unpickled once per period, not once per request.
    """
    key = _cache_key("cube", extra)
    if extra or seconds <= 0:
        return _compute(extra, seconds=seconds)
    cube = _current(key)
    if cube is not None:
        _refresh_ahead(key, cube, seconds)
        return cube
    return _count_shared(key, seconds)


def _current(key: str) -> _Cube | None:
    """The shared cube while it is current: this process's copy when the cache's stamp still
    names it, else the cache's (kept in the process); None when there is none or it expired."""
    global _memo
    stamp = cache.get(key + ":stamp")
    if stamp is None:
        return None
    if _memo is not None and _memo[0] == key and _memo[1].stamp == stamp:
        cube = _memo[1]
    else:
        cube = cache.get(key)
        if cube is None or cube.stamp != stamp:
            return None
        _memo = (key, cube)
    return cube if cube.expires_at > time.time() else None


def _count_shared(key: str, seconds: int) -> _Cube:
    """Count the shared cube once for everyone who needs it now.

    The caller that takes the lock counts and shares the cube; the others wait for it (up to
    ``COUNT_WAIT_SECONDS``, reading the cache) and count themselves only when it does not come
    (a count that died or hangs).
    """
    lock, token = key + ":lock", secrets.token_hex(8)
    deadline = time.monotonic() + COUNT_WAIT_SECONDS
    while not cache.add(lock, token, timeout=COUNT_LOCK_SECONDS):
        time.sleep(0.02)
        if (cube := _current(key)) is not None:
            return cube
        if time.monotonic() > deadline:
            logger.warning("The facet count of another process did not come; counting here.")
            break
    try:
        # Shared by another between this caller's miss and its lock: nothing left to count.
        if (cube := _current(key)) is not None:
            return cube
        cube = _compute({}, seconds=seconds)
        _share(key, cube, seconds)
        return cube
    finally:
        _unlock(lock, token)


def _unlock(lock: str, token: str) -> None:
    if cache.get(lock) == token:  # not a lock that expired and was taken by another since
        cache.delete(lock)


def _compute(extra: Mapping[str, Any], *, seconds: int) -> _Cube:
    rows = (
        apply_need_filters(need_public_list(), extra)
        .order_by()
        .values_list("public_region_id", "need_type", "urgency", "status")
        .annotate(needs=Count("*"))
    )
    return _build(rows, expires_at=time.time() + seconds)


def _share(key: str, cube: _Cube, seconds: int) -> None:
    global _memo
    cache.set_many({key: cube, key + ":stamp": cube.stamp}, timeout=seconds)
    _memo = (key, cube)


def _refresh_ahead(key: str, cube: _Cube, seconds: int) -> None:
    """Start counting the next shared cube in the background when this one is about to expire.

    Counting reads every public need (0.25–0.3 s over a million on the development machine):
    done by the request that finds the cube expired, it would hold up that request and every
    one queued behind it in its worker. Started a
    little before (``NEED_FACETS_REFRESH_AHEAD_SECONDS``, 0: never), in a thread with its own
    database connection, it replaces the cube while requests go on with the current one: the
    counts are never older than the period, only fresher. One process at a time does it (a
    marker in the cache); if it has not finished when the cube expires, the next request counts
    as before.
    """
    ahead = min(int(settings.NEED_FACETS_REFRESH_AHEAD_SECONDS), seconds // 2)
    if ahead <= 0 or cube.expires_at - time.time() > ahead:
        return
    if cache.get(key + ":stamp") != cube.stamp:
        return  # already replaced (by another process), or expired: the next request counts
    token = secrets.token_hex(8)
    if not cache.add(key + ":lock", token, timeout=COUNT_LOCK_SECONDS):
        return  # another thread or process is at it
    threading.Thread(
        target=_refresh, args=(key, seconds, token), name="need-facets-refresh", daemon=True
    ).start()


def _refresh(key: str, seconds: int, token: str) -> None:
    try:
        _share(key, _compute({}, seconds=seconds), seconds)
    except Exception:
        logger.exception("Counting the needs' facets in the background failed; requests count them instead.")
    finally:
        _unlock(key + ":lock", token)
        connections.close_all()  # this thread's own connections


def _build(rows: Iterable[tuple[str, str, str, str, int]], *, expires_at: float) -> _Cube:
    city_of = region_index().city_of
    by_city: dict[tuple[str, str, str, str], int] = {}
    by_region: dict[str, dict[tuple[str, str, str, str], int]] = {}
    for region, need_type, urgency, status, needs in rows:
        state = STATE_OF_STATUS[status]
        cells = by_region.setdefault(region, {})
        cell = (region, need_type, urgency, state)
        cells[cell] = cells.get(cell, 0) + needs
        if (city := city_of.get(region)) is not None:
            cell = (city, need_type, urgency, state)
            by_city[cell] = by_city.get(cell, 0) + needs
    return _Cube(
        by_city=tuple((*cell, needs) for cell, needs in by_city.items()),
        by_region={
            region: tuple((*cell, needs) for cell, needs in cells.items())
            for region, cells in by_region.items()
        },
        expires_at=expires_at,
        stamp=secrets.token_hex(8),
    )


def _count(cube: _Cube, params: Mapping[str, Any]) -> NeedFacets:
    """Each facet with the other filters applied: a cell that passes every filter counts in
    every facet and in the total; one that fails exactly one filter counts only in that
    filter's facet (the facet leaves its own filter out)."""
    index = region_index()
    counts: dict[str, dict[str, int]] = {
        "city": dict.fromkeys((code for code, _name in index.cities), 0),
        "need_type": dict.fromkeys(NeedType.values, 0),
        "urgency": dict.fromkeys(Urgency.values, 0),
        "state": dict.fromkeys(NeedState.values, 0),
    }
    others = (params.get("need_type"), params.get("urgency"), params.get("state"))
    county = params.get("county")
    if county is None:
        total = _tally(cube.by_city, (params.get("city"), *others), counts, DIMENSIONS)
    else:
        # The county's own cells give the total and the other facets (its city, if also
        # chosen, contains it: the form checks that); the region facet leaves out both region
        # filters, so it sums every city's cells under the other filters.
        total = _tally(cube.by_region.get(county, ()), (None, *others), counts, DIMENSIONS[1:])
        _tally(cube.by_city, (None, *others), counts, ("city",))
    return NeedFacets(
        total=total,
        counts={facet: counts[facet] for facet in FACETS},
        counties=_county_counts(cube, params.get("city"), others),
        expires_at=cube.expires_at,
    )


def _county_counts(cube: _Cube, city: str | None, others: tuple) -> dict[str, int]:
    """Per county-level unit inside ``city`` (any city: None), its needs published at that
    level under the ``others`` filters (need type, urgency, state); only those that have some."""
    index = region_index()
    counts: dict[str, int] = {}
    w1, w2, w3 = others
    for region, cells in cube.by_region.items():
        if region not in index.county_codes or (city is not None and index.city_of.get(region) != city):
            continue
        needs = sum(
            cell[4]
            for cell in cells
            if (w1 is None or cell[1] == w1)
            and (w2 is None or cell[2] == w2)
            and (w3 is None or cell[3] == w3)
        )
        if needs:
            counts[region] = needs
    return counts


def _tally(
    cells: Iterable[Cell], wanted: tuple, counts: dict[str, dict[str, int]], facets: tuple[str, ...]
) -> int:
    """Add ``cells`` into ``counts`` (only the ``facets`` named), ``wanted`` being the chosen
    value per dimension (None: any); returns the needs of the cells that pass every filter."""
    targets = [counts[name] if name in facets else None for name in DIMENSIONS]
    w0, w1, w2, w3 = wanted
    total = 0
    for cell in cells:
        misses = (
            (w0 is not None and cell[0] != w0)
            + (w1 is not None and cell[1] != w1)
            + (w2 is not None and cell[2] != w2)
            + (w3 is not None and cell[3] != w3)
        )
        if misses > 1:
            continue
        needs = cell[4]
        if misses == 0:
            total += needs
            dimensions = range(4)
        elif w0 is not None and cell[0] != w0:
            dimensions = (0,)
        elif w1 is not None and cell[1] != w1:
            dimensions = (1,)
        elif w2 is not None and cell[2] != w2:
            dimensions = (2,)
        else:
            dimensions = (3,)
        for dimension in dimensions:
            target = targets[dimension]
            if target is not None and cell[dimension] in target:  # unknown values count nowhere
                target[cell[dimension]] += needs
    return total
