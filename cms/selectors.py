"""What other apps may read of the public notices (pyproject.toml protects the rest of ``cms``).

Each notice page type says for itself what leaves the page tree: ``search_document()`` (the
fields a search index may hold: what the public page shows, never a publicity list's rows) and,
for a publicity list, ``objection_summary()`` (what a complaint about the list needs to link to
it). These functions find the live pages that answer them, so a new page type plugs in by
defining the method (and ``listing_columns()``, the columns the notices listing filters and
orders by in SQL: ``cms.models.notices.NoticeListing``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from wagtail.models import Page


def _page_types_with(method: str) -> list[type[Page]]:
    return [
        model
        for model in apps.get_app_config("cms").get_models()
        if issubclass(model, Page) and callable(getattr(model, method, None))
    ]


def notice_search_documents() -> Iterator[dict[str, Any]]:
    """The search documents of every live notice page, one dict each (see ``search_document``)."""
    types = _page_types_with("search_document")
    if not types:
        return
    for page in Page.objects.live().public().type(*types).specific().iterator(chunk_size=200):
        document = page.search_document()
        if document is not None:
            yield document


def notice_search_document(page_id: int) -> dict[str, Any] | None:
    """The search document of live page ``page_id``; None when it is not live, public or a notice."""
    types = _page_types_with("search_document")
    if not types:
        return None
    page = Page.objects.live().public().type(*types).filter(pk=page_id).specific().first()
    return page.search_document() if page is not None else None


def publicity_list(page_id: int) -> dict[str, Any] | None:
    """A live publicity list's summary for an objection to it (``objection_summary``), or None."""
    types = _page_types_with("objection_summary")
    if not types:
        return None
    page = Page.objects.live().type(*types).filter(pk=page_id).specific().first()
    return page.objection_summary() if page is not None else None
