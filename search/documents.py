"""What goes into the index: search documents built from what the public already sees.

Each kind is read through its owner's selector, in the public shape that owner gives:
needs through ``marketplace.needs.selectors.need_public_documents`` (the public list's allow-
listed, generalized fields: a need that is not public is not there), organizations through
``organization_public_documents`` (verified ones only), notices through
``cms.selectors.notice_search_documents`` (live pages' ``search_document()``). This module only
picks from those dicts and adds the facet values; it never reads a model.

Facets: ``region`` is the city-level unit (市州) a document belongs to, or 420000 for the
province as a whole (a provincial notice; an organization serving several cities); ``type`` is
the need type, the notice type or the organization's kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse

from cms.selectors import notice_search_document, notice_search_documents
from marketplace.needs.selectors import need_public_codes, need_public_documents
from marketplace.organizations.selectors import organization_public_documents, organization_public_ids
from regions.models import Region

PROVINCE = "420000"
# The keys of a need's public shape a document shows (beyond title, summary, type, place, date).
NEED_DATA_KEYS = ("status", "urgency", "urgency_label", "remaining_amount")
# Where each field of a need's document comes from: a key of the public shape
# (``PublicNeedSerializer``), nothing else. The allow-list test checks the mappings against it.
NEED_FIELD_SOURCES = {
    "kind": None,  # the constant "need"
    "id": "code",
    "title": "title",
    "body": "summary",
    "url": "code",
    "region": "location",  # the city-level unit of the published place
    "region_name": "location",
    "type": "need_type",
    "type_label": "need_type_label",
    "date": "published_at",
    "year": "published_at",
    "data": None,
    "data.place": "location",
    **{f"data.{key}": key for key in NEED_DATA_KEYS},
}


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, str]]:
    """Region code → (code, name) of its city-level unit; the province maps to itself."""
    regions = list(Region.objects.all())
    by_code = {region.code: region for region in regions}
    cities: dict[str, tuple[str, str]] = {}
    for region in regions:
        node = region
        while node is not None and not node.is_city_level:
            node = by_code.get(node.parent_id) if node.parent_id else None
        cities[region.code] = (node.code, node.name) if node is not None else (region.code, region.name)
    return cities


def city_of(code: str) -> tuple[str, str]:
    """(code, name) of the city-level unit of region ``code`` (the province for itself or unknown)."""
    cities = _cities()
    if code in cities:
        return cities[code]
    return cities.get(PROVINCE, (PROVINCE, ""))


@lru_cache(maxsize=4)
def _need_url_parts(prefix: str) -> tuple[str, str]:
    """A need page's address around its code, reversed once (reverse() costs ~0.5 ms a call)."""
    marker = "0MARKER0"
    before, after = reverse("needs:detail", args=[marker]).split(marker)
    return before, after


def need_document(shown: dict[str, Any]) -> dict[str, Any]:
    """The document of a need from its public shape (``public_need_dicts``)."""
    region, region_name = city_of(shown["location"]["code"])
    before, after = _need_url_parts(get_script_prefix())
    published = shown["published_at"]
    return {
        "kind": "need",
        "id": shown["code"],
        "title": shown["title"],
        "body": shown["summary"],
        "url": f"{before}{shown['code']}{after}",
        "region": region,
        "region_name": region_name,
        "type": shown["need_type"],
        "type_label": shown["need_type_label"],
        "date": published,
        "year": int(published[:4]) if published else None,
        "data": {"place": shown["location"]["name"], **{key: shown[key] for key in NEED_DATA_KEYS}},
    }


def notice_document(notice: dict[str, Any]) -> dict[str, Any]:
    """The document of a notice from its ``search_document()`` (contracts: cms.selectors)."""
    region, region_name = city_of(notice["region"])
    return {
        "kind": "notice",
        "id": str(notice["id"]),
        "title": notice["title"],
        "body": notice["body"],
        "url": notice["url"],
        "region": region,
        "region_name": region_name if region != PROVINCE else notice.get("region_name") or region_name,
        "type": notice["notice_type"],
        "type_label": notice["notice_type_label"],
        "date": notice["date"],
        "year": int(notice["year"]) if notice.get("year") else None,
        "data": {"place": notice.get("region_name", "")},
    }


def organization_document(organization: dict[str, Any]) -> dict[str, Any]:
    """The document of a verified organization from its public shape."""
    served = organization["service_regions"]
    cities = {city_of(region["code"]) for region in served}
    region, region_name = cities.pop() if len(cities) == 1 else city_of(PROVINCE)
    places = "、".join(region["name"] for region in served)
    types = "、".join(need_type["label"] for need_type in organization["need_types"])
    verified = str(organization["verified_at"] or "")[:10] or None
    body = "\n".join(part for part in (organization["description"], places, types) if part)
    return {
        "kind": "organization",
        "id": str(organization["id"]),
        "title": organization["name"],
        "body": body,
        "url": organization["url"],
        "region": region,
        "region_name": region_name,
        "type": organization["kind"],
        "type_label": organization["kind_label"],
        "date": verified,
        "year": int(verified[:4]) if verified else None,
        "data": {"place": places},
    }


def documents(kind: str, ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """The documents of ``kind`` the public may see (all, or those among ``ids``)."""
    if kind == "need":
        for shown in need_public_documents(codes=ids):
            yield need_document(shown)
    elif kind == "organization":
        pks = None if ids is None else [int(pk) for pk in ids if str(pk).isdigit()]
        for organization in organization_public_documents(pks=pks):
            yield organization_document(organization)
    elif kind == "notice":
        if ids is None:
            for notice in notice_search_documents():
                yield notice_document(notice)
        else:
            for page_id in ids:
                notice = notice_search_document(int(page_id)) if str(page_id).isdigit() else None
                if notice is not None:
                    yield notice_document(notice)
    else:
        raise ValueError(f"Unknown kind of search document: {kind!r}")


def source_ids(kind: str) -> set[str]:
    """The ids of every document of ``kind`` the index should hold (the drift check's source side)."""
    if kind == "need":
        return set(need_public_codes().iterator(chunk_size=5000))
    if kind == "organization":
        return {str(pk) for pk in organization_public_ids()}
    return {document["id"] for document in documents("notice")}


def source_count(kind: str) -> int:
    if kind == "need":
        return need_public_codes().count()
    if kind == "organization":
        return organization_public_ids().count()
    return sum(1 for _document in notice_search_documents())
