"""How an amount reads to a person: one formatter for pages, notifications, messages and PDFs.

``format_amount(Decimal("1234.5"))`` is ``"1,234.50 元"`` (``"1,234.50 yuan"`` in English);
``format_amount(12, kind="hours")`` is ``"12 小时"``; goods read as the number and their unit
(``"30 箱"``; in English ``"30 boxes"``: the common measure words of goods, ``GOODS_UNITS``,
are translated, any other unit is shown as the source system wrote it). The digits are grouped
by thousands with a comma in every language, as the policy engine's explanations and Chinese
financial documents write them; only the unit is translated. Money always shows its two
decimals (fen); hours and goods show decimals only
when the amount is not whole. API JSON fields stay numbers (a machine contract): only text
for people goes through here. Pure functions over plain values (and ``gettext``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import npgettext

CENT = Decimal("0.01")
# The values of ``needs.models.AmountKind`` (an app above this one; tests/core checks they agree).
MONEY, GOODS, HOURS = "money", "goods", "hours"


# The measure words of goods as source systems write them (Chinese), named in the reader's
# language; ``n`` picks the singular or plural.
GOODS_UNITS: Mapping[str, Callable[[int], str]] = {
    "箱": lambda n: npgettext("unit of goods", "box", "boxes", n),
    "盒": lambda n: npgettext("unit of goods", "pack", "packs", n),
    "件": lambda n: npgettext("unit of goods", "item", "items", n),
    "个": lambda n: npgettext("unit of goods", "piece", "pieces", n),
    "袋": lambda n: npgettext("unit of goods", "bag", "bags", n),
    "包": lambda n: npgettext("unit of goods", "packet", "packets", n),
    "瓶": lambda n: npgettext("unit of goods", "bottle", "bottles", n),
    "套": lambda n: npgettext("unit of goods", "set", "sets", n),
    "台": lambda n: npgettext("unit of goods", "unit", "units", n),
    "双": lambda n: npgettext("unit of goods", "pair", "pairs", n),
    "份": lambda n: npgettext("unit of goods", "portion", "portions", n),
    "斤": lambda n: npgettext("unit of goods", "jin", "jin", n),
    "公斤": lambda n: npgettext("unit of goods", "kg", "kg", n),
    "千克": lambda n: npgettext("unit of goods", "kg", "kg", n),
}


def goods_unit(unit: str, count: int = 2) -> str:
    """The name of a goods ``unit`` ("箱") in the reader's language ("boxes"); ``count`` 1 gives
    the singular. A unit not in ``GOODS_UNITS`` is returned as written."""
    name = GOODS_UNITS.get((unit or "").strip())
    return name(count) if name else unit or ""


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number.quantize(CENT, rounding=ROUND_HALF_UP) if number.is_finite() else None


def format_number(value: Any, *, kind: str = MONEY) -> str:
    """The digits of an amount, without unit: ``"1,234.50"`` for money, ``"12"`` or ``"12.50"``
    for hours and goods. A value that is no number is returned as text, ``None`` as ``""``."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if kind != MONEY and number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def amount_unit(kind: str, unit: str = "") -> str:
    """The unit an amount is counted in: "元", "小时", or the goods' own ``unit`` ("箱")."""
    if kind == MONEY:
        return _("yuan")
    if kind == HOURS:
        return _("hours")
    return goods_unit(unit)


def format_amount(value: Any, kind: str = MONEY, unit: str = "") -> str:
    """An amount with its unit, for people: ``"1,234.50 元"``, ``"12 小时"``, ``"30 箱"``.

    ``kind`` is the need's amount kind (money, goods or hours); ``unit`` names the goods. ``None``
    reads as ``""``; a value that is no number is shown as it is, with its unit.
    """
    if value is None:
        return ""
    number = format_number(value, kind=kind)
    if kind == MONEY:
        return _("%(amount)s yuan") % {"amount": number}
    if kind == HOURS:
        return _("%(amount)s hours") % {"amount": number}
    count = 1 if _decimal(value) == 1 else 2
    return f"{number} {goods_unit(unit, count)}".strip()


def _read(holder: Any, name: str) -> Any:
    if isinstance(holder, Mapping):
        return holder.get(name)
    return getattr(holder, name, None)


def format_need_amount(need: Any, value: Any) -> str:
    """``value`` counted as ``need`` counts its amounts (its ``amount_kind`` and ``unit``).

    ``need`` is a need, or any object or mapping with those two keys (a public need dict).
    """
    return format_amount(value, kind=_read(need, "amount_kind") or MONEY, unit=_read(need, "unit") or "")


def need_amount_unit(need: Any) -> str:
    """The unit ``need`` counts its amounts in."""
    return amount_unit(_read(need, "amount_kind") or MONEY, _read(need, "unit") or "")


# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A text cell (CSV, .xlsx) a spreadsheet program will not run as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_START) else text
