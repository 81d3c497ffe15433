"""The one search interface: what every backend does and the shapes it answers in.

A *document* is a flat dict of public fields (``search.documents``): ``kind`` (need, notice,
organization), ``id`` (the need's code, the page's or organization's id, as a string),
``title``, ``body``, ``url``, the facet values ``region`` (city-level code, or 420000 for
province-wide), ``region_name``, ``type`` and ``type_label`` (need type, notice type or
organization kind), ``date`` (ISO) and ``year``, and ``data`` (what a hit shows beyond those).

``search(query)`` answers a ``SearchResult``: the page of hits (each with its title and a
snippet as safe HTML, the query's words in ``<mark>``), the total, and the facet counts, in
the same shape whichever backend answers. A backend orders hits by relevance with exact phrase
matches first (``sort="relevance"``) or newest first (``sort="newest"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

KINDS = ("need", "notice", "organization")
# Facet name → (the kinds it counts, the document field it counts).
FACETS: dict[str, tuple[tuple[str, ...], str]] = {
    "region": (KINDS, "region"),
    "need_type": (("need",), "type"),
    "notice_type": (("notice",), "type"),
    "year": (KINDS, "year"),
}
SORTS = ("relevance", "newest")
PAGE_SIZE = 20
# Counts are exact up to this many documents; past it a backend may stop counting and answer
# ``COUNT_LIMIT + 1``, shown as "more than 10,000", as search engines do: a frequent word then
# costs no more to count than a rare one.
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: ``text`` (words, all must match; empty matches every document),
    ``kind`` (one of ``KINDS`` or "" for all), ``filters`` (facet name → value), the facets to
    count, the sort and the 1-based page."""

    text: str = ""
    kind: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    facets: tuple[str, ...] = tuple(FACETS)
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def filter_map(self) -> dict[str, str]:
        return dict(self.filters)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class Hit:
    kind: str
    id: str
    title: str
    url: str
    title_html: str  # safe HTML: the title escaped, matched words in <mark>
    snippet_html: str  # safe HTML: a passage of the body around the first match
    region: str
    region_name: str
    type: str
    type_label: str
    date: str | None
    year: int | None
    score: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "title_html": self.title_html,
            "snippet_html": self.snippet_html,
            "region": self.region,
            "region_name": self.region_name,
            "type": self.type,
            "type_label": self.type_label,
            "date": self.date,
            "year": self.year,
            "score": round(self.score, 4),
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    at_least: bool = False  # counted among the first ``count_limit`` matches only: a lower bound


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]]
    kind_counts: dict[str, int]  # hits per kind for the query and filters (the tabs)
    count_limit: int = COUNT_LIMIT  # a count above it means "more than count_limit"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def total_is_lower_bound(self) -> bool:
        return self.total > self.count_limit


class SearchBackend(Protocol):
    """What ``search.backends.get_backend()`` returns."""

    name: str

    def index(self, document: dict[str, Any]) -> None:
        """Add or replace one document (by its kind and id)."""

    def bulk_index(self, documents: Iterable[dict[str, Any]]) -> int:
        """Add or replace many documents; return how many."""

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        """Remove these documents of ``kind`` (missing ones are no error); return how many were there."""

    def search(self, query: SearchQuery) -> SearchResult:
        """The page of hits, the total and the facet counts of ``query``."""

    def ids(self, kind: str) -> Iterator[str]:
        """The ids of every document of ``kind`` in the index (to compare with the source)."""

    def count(self, kind: str) -> int:
        """How many documents of ``kind`` the index holds."""

    def matching_ids(self, kind: str, text: str) -> Any:
        """The ids of the documents of ``kind`` matching ``text`` (a list or a lazy values list)."""

    def rebuild(self, documents: Iterable[dict[str, Any]], *, total: int | None = None, progress=None) -> int:
        """Build the index anew from ``documents`` and switch to it; return how many were indexed."""
