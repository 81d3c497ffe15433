"""Cleaning submitted amounts, one rule for intake, forms, claims and delivery reports.

Pure: no database. An amount is written in the ASCII digits 0-9 (``Decimal`` and ``int`` also
take "١٢٣" and "1_000"), in whole fen (0.01), never rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")
# Amounts as text: ASCII digits only (``Decimal`` and ``int`` also take "١٢٣" and "1_000").
AMOUNT_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def amount_value(value: Any) -> Decimal | None:
    """A finite number from JSON or a form (int, float, Decimal, or text in the ASCII digits
    0-9 with an optional sign and decimal point), or ``None``. Nothing is rounded."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):  # an integer too long for ``int`` (see ``load_batch``)
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = repr(value)  # the shortest form: 0.1, not 0.1000000000000000055…
        return Decimal(text) if AMOUNT_TEXT.fullmatch(text) else None
    if isinstance(value, str) and len(value) <= 40 and AMOUNT_TEXT.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def clean_amount(value, *, field: str = "amount") -> Decimal:
    """The amount as a ``Decimal`` of whole fen (0.01).

    ``value`` is what the claimant sent: text in the ASCII digits 0-9, or a number. Raises
    ``ValidationError`` (``field``) for anything else ("١٢٣" and "1_000" included, which
    ``Decimal`` would read), below 0.01, with more than two decimals (0.005 is refused, never
    rounded up to a fen nobody gave), or over 9,999,999,999.99.
    """
    amount = amount_value(value)
    if amount is None:
        raise ValidationError({field: [_("Enter an amount in the digits 0-9, such as 100.00.")]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("Use at most two decimals: amounts are in whole fen (0.01).")]})
    if amount < CENT:
        raise ValidationError({field: [_("The amount must be at least 0.01.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: [_("The amount is too large.")]})
    return amount.quantize(CENT)
