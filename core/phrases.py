"""Sentences stored as their message and values, and worded when read, in the reader's language.

A notification is written during one person's request (or a task, in the default language) and
read later by another, who may have chosen English. Storing the finished sentence would freeze
the writer's language. A ``Phrase`` keeps the catalogue's msgid (the English source, marked with
``gettext_noop`` so ``makemessages`` finds it) and its values, round-trips through JSON, and is
translated by ``render()`` in the language active when it is shown. A value may be another
phrase (a volunteer's label), an ``Amount`` (its unit is translated: 元/yuan, 箱/boxes) or a
``Moment`` (a date and time in the reader's format); anything else is shown as it is (names,
codes, what a person typed).

    subject = Phrase(gettext_noop("Your claim on need %(code)s has expired"), code=need.code)
    str(subject)  # "认领已过期…" or "Your claim on need … has expired", as the reader chose
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext

from core.formatting import MONEY, format_amount


@dataclass(frozen=True)
class Amount:
    """An amount with the kind and goods unit it is counted in (see ``core.formatting``)."""

    value: Decimal
    kind: str = MONEY
    unit: str = ""

    @classmethod
    def of(cls, need: Any, value: Decimal) -> Amount:
        """``value`` counted as ``need`` counts its amounts (its ``amount_kind`` and ``unit``)."""
        return cls(Decimal(value), kind=need.amount_kind or MONEY, unit=need.unit or "")

    def __str__(self) -> str:
        return format_amount(self.value, kind=self.kind, unit=self.unit)


@dataclass(frozen=True)
class Moment:
    """A date and time, written in the reader's format and the portal's time zone."""

    at: datetime

    def __str__(self) -> str:
        return formats.date_format(timezone.localtime(self.at), "DATETIME_FORMAT")


class Phrase:
    """A catalogue message (in its ``msgctxt``, if any) and its values; ``str()`` translates it
    in the active language."""

    def __init__(self, message: str, /, *, msgctxt: str = "", **values: Any) -> None:
        self.message = message
        self.msgctxt = msgctxt
        self.values = values

    @classmethod
    def of_label(cls, label: Any, *, msgctxt: str = "") -> Phrase:
        """The phrase of a lazily translated label (a model choice's), by its msgid: with no
        language active, a lazy translation reads as its msgid."""
        with translation.override(None):
            return cls(str(label), msgctxt=msgctxt)

    def __str__(self) -> str:
        text = pgettext(self.msgctxt, self.message) if self.msgctxt else gettext(self.message)
        if not self.values:
            return text
        return text % {name: _shown(value) for name, value in self.values.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and (self.message, self.msgctxt, self.values) == (
            other.message,
            other.msgctxt,
            other.values,
        )

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"Phrase({self.message!r}, **{self.values!r})"


Part = Phrase | str


def _shown(value: Any) -> Any:
    # Numbers stay numbers for ``%(n)d``; phrases, amounts and moments are worded now.
    return str(value) if isinstance(value, Phrase | Amount | Moment) else value


def _encode(value: Any) -> Any:
    if isinstance(value, Phrase):
        encoded = {"phrase": value.message, "values": {k: _encode(v) for k, v in value.values.items()}}
        return {**encoded, "context": value.msgctxt} if value.msgctxt else encoded
    if isinstance(value, Amount):
        return {"amount": str(value.value), "kind": value.kind, "unit": value.unit}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat()}
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _decode(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if "phrase" in value:
        values = {k: _decode(v) for k, v in value.get("values", {}).items()}
        return Phrase(value["phrase"], msgctxt=value.get("context", ""), **values)
    if "amount" in value:
        return Amount(Decimal(value["amount"]), kind=value.get("kind", MONEY), unit=value.get("unit", ""))
    if "moment" in value:
        return Moment(parse_datetime(value["moment"]))
    return str(value)


def parts_to_json(parts: Part | Iterable[Part] | None) -> list:
    """``parts`` (a phrase, a text, or several, one per line) as JSON-ready values."""
    if parts is None or parts == "":
        return []
    if isinstance(parts, Phrase | str):
        parts = [parts]
    return [_encode(part) for part in parts]


def render_json(data: list) -> str:
    """The parts ``parts_to_json`` stored, worded in the active language, one per line."""
    return "\n".join(str(_decode(part)) for part in data)
