"""Highlights as safe HTML: the text escaped, only the matched words wrapped in ``<mark>``.

The text of a document is never trusted: each piece is escaped on its own and the marks are
the only markup added. Elasticsearch marks its highlights with two private-use characters
(``PRE``/``POST``, never HTML), which ``from_markers`` turns into the same safe HTML, so both
backends answer in the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PRE, POST = "\ue000", "\ue001"
SNIPPET_LENGTH = 90
LEAD = 20  # characters of context kept before the first match


def spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """The (start, end) of every occurrence of any term in ``text`` (case-insensitive), merged."""
    lowered = text.lower()
    found: list[tuple[int, int]] = []
    for term in {term.lower() for term in terms if term}:
        start = lowered.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = lowered.find(term, start + len(term))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, found: list[tuple[int, int]]) -> str:
    pieces, cursor = [], 0
    for start, end in found:
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """All of ``text``, escaped, with the terms marked."""
    text = text or ""
    return mark_safe(_marked(text, spans(text, terms)))  # noqa: S308 (every piece escaped above)


def snippet(text: str, terms: Iterable[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """A passage of ``text`` of about ``length`` characters around its first match (its start
    when nothing matches), escaped, the terms marked, with … where it was cut."""
    text = " ".join((text or "").split())
    found = spans(text, terms)
    start = max(0, found[0][0] - LEAD) if found else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    window = [(max(s, start) - start, min(e, end) - start) for s, e in found if s < end and e > start]
    html = _marked(text[start:end], window)
    return mark_safe(("…" if start else "") + html + ("…" if end < len(text) else ""))  # noqa: S308


def from_markers(marked: str) -> SafeString:
    """Safe HTML of a text whose matches are wrapped in ``PRE``…``POST`` (Elasticsearch's highlight)."""
    pieces = []
    for index, part in enumerate(marked.split(PRE)):
        if index == 0:
            pieces.append(escape(part.replace(POST, "")))
            continue
        inside, _sep, after = part.partition(POST)
        pieces.append(f"<mark>{escape(inside)}</mark>{escape(after.replace(POST, ''))}")
    return mark_safe("".join(pieces))  # noqa: S308 (every piece escaped above)
