"""Synthetic identifiers for the privacy tests."""

from __future__ import annotations

from datetime import date

from privacy.identity import make_id_number
from privacy.redaction import luhn_valid

FULL_WIDTH = {
    ord(c): ord(c) + 0xFEE0 for c in "0123456789+-@.:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}


def full_width(text: str) -> str:
    """Write ASCII digits, letters and common signs in their full-width forms (１３８, ＠)."""
    return text.translate(FULL_WIDTH)


def luhn_complete(prefix: str) -> str:
    """Return ``prefix`` followed by the digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def luhn_broken(prefix: str) -> str:
    """Return ``prefix`` followed by a digit that makes it fail the Luhn check."""
    return next(prefix + d for d in "0123456789" if not luhn_valid(prefix + d))


def id_number_ending_in_x() -> str:
    """A valid ID number whose check character is X."""
    return next(
        number
        for sequence in range(500)
        if (
            number := make_id_number(
                region_code="420111", birth_date=date(1988, 8, 8), sequence=sequence, female=True
            )
        ).endswith("X")
    )
