"""The search backend the settings choose: ``SEARCH_BACKEND = "database"`` (default) or
``"elasticsearch"`` (``ELASTICSEARCH_URL`` and friends, see README)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.backends.base import FACETS, KINDS, FacetValue, Hit, SearchBackend, SearchQuery, SearchResult

__all__ = [
    "FACETS",
    "KINDS",
    "FacetValue",
    "Hit",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "get_backend",
]


def get_backend() -> SearchBackend:
    return _backend(getattr(settings, "SEARCH_BACKEND", "database"))


@lru_cache(maxsize=4)
def _backend(name: str) -> SearchBackend:
    if name == "database":
        from search.backends.database import DatabaseBackend

        return DatabaseBackend()
    if name == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    raise ImproperlyConfigured(f'SEARCH_BACKEND must be "database" or "elasticsearch", not {name!r}.')
