"""Reading the JSON body of an intake request (a batch of records), whatever its depth.

Pure: no database. ``load_batch`` never lets a hostile body fail the batch with a
``RecursionError`` or an integer too long for ``int``; ``marketplace.needs.intake`` then reads
each record.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from marketplace.needs.intake import MAX_RECORD_DEPTH


class MalformedBody(Exception):
    """The request body is not a JSON document intake can read; ``code`` is the API's."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# Python refuses int() of more than 4,300 digits, a ValueError inside json.loads that would
# fail the whole body; an integer this long is out of every range, so keep it as a Decimal.
MAX_INT_DIGITS = 40
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def _json_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= MAX_INT_DIGITS else Decimal(text)


def load_batch(body: bytes) -> Any:
    """The parsed JSON body of an intake request.

    json.loads recurses, and raises ``RecursionError`` on a body nested about a thousand
    levels deep. Then every container deeper than a record may hold is replaced by ``[]``
    (still one level too deep, so ``parse_record`` rejects that record alone) and the body is
    read again. Raises ``MalformedBody`` ("malformed_json", or "too_deep" when even that fails).
    """
    try:
        return json.loads(body, parse_int=_json_int)
    except RecursionError:
        return _load_cut(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedBody("malformed_json") from None


def _load_cut(body: bytes) -> Any:
    """``body`` read with every container deeper than a record may hold replaced by ``[]``."""
    try:
        text = body.decode(json.detect_encoding(body))
        # The body's root (1) holds "records" (2), whose items are the records (3).
        return json.loads(_cut_too_deep(text, depth=MAX_RECORD_DEPTH + 3), parse_int=_json_int)
    except RecursionError:
        raise MalformedBody("too_deep") from None
    except ValueError:
        raise MalformedBody("malformed_json") from None


def _cut_too_deep(text: str, *, depth: int) -> str:
    """``text`` with each object or list opening at nesting level ``depth`` replaced by ``[]``.

    Strings are skipped whole by the pattern, so a bracket inside one is not counted. The
    result is only as well-formed as ``text``: json.loads still judges it.
    """
    pieces: list[str] = []
    level, kept_from, cut_from = 0, 0, -1
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            level += 1
            if level == depth and cut_from < 0:
                cut_from = match.start()
        elif token in ("]", "}"):
            if level == depth and cut_from >= 0:
                pieces += [text[kept_from:cut_from], "[]"]
                kept_from, cut_from = match.end(), -1
            level -= 1
    pieces.append(text[kept_from:])
    return "".join(pieces)
