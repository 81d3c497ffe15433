"""GeoReport v2 answers in XML and JSON, the one document written both ways.

The spec's JSON is a mapping of its XML (the "Spark convention"): a list in JSON is an element
holding one child per item in XML (``services`` → ``service``, ``service_requests`` →
``request``…); booleans are ``true``/``false``; an absent value is ``null`` in JSON and an empty
element in XML; date-times are W3C (ISO 8601 with the offset). XML carries the declaration with
``encoding="utf-8"``, no namespace; the characters XML 1.0 cannot carry (C0 controls but tab
and line breaks) are left out of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}

# The XML element of one item of each list.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: datetime | None) -> str | None:
    """``2026-12-03T10:15:00+08:00`` in the portal's time zone (the offset always written)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


# Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab and line breaks,
# U+FFFE and U+FFFF): an error that echoes a client's input may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value) or ""
    return _NOT_XML.sub("", str(value))


def _append(parent: ElementTree.Element, tag: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ElementTree.Element, tag: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _append(element, ITEM_TAGS[tag], item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, root, document)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, Promise):  # a lazily translated text
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, default=_json_default).encode()


def respond(fmt: str, root: str, document: Any, status: int = 200) -> HttpResponse:
    """``document`` as ``fmt``; ``root`` names the XML root element (and the list's items)."""
    body = to_xml(root, document) if fmt == XML else to_json(document)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """The spec's error answer: ``[{"code", "description"}, …]`` with the HTTP status ``status``
    (404 for what does not exist, 403 for a missing or wrong api_key, 400 for the rest)."""
    return respond(
        fmt, "errors", [{"code": status, "description": str(text)} for text in descriptions], status=status
    )
