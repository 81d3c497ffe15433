"""Synthetic identifiers for the privacy tests."""

from __future__ import annotations

from datetime import date

from privacy.identity import make_id_number

# Card numbers whose Luhn check was done by hand, not by the code under test (a broken
# ``luhn_valid`` must not build the very numbers that test it).
CARD_16 = "6222021234567894"  # digit sum with every second digit doubled: 60
CARD_19 = "6222021234567890128"  # 80
CARD_13 = "6200001234566"  # 40
NOT_CARD_16 = "6222021234567895"  # CARD_16 with its check digit changed
NOT_CARD_19 = "6222021234567890127"
NOT_CARD_13 = "6200001234567"

FULL_WIDTH = {
    ord(c): ord(c) + 0xFEE0 for c in "0123456789+-@.:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}


def full_width(text: str) -> str:
    """Write ASCII digits, letters and common signs in their full-width forms (１３８, ＠)."""
    return text.translate(FULL_WIDTH)


def _luhn_check_digit(prefix: str) -> str:
    """The Luhn check digit of ``prefix``, computed here rather than with the production code:
    from the right, every other digit of the prefix (starting with its last) is doubled and
    its digits summed (8 → 16 → 7)."""
    total = 0
    for position, char in enumerate(reversed(prefix)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def luhn_complete(prefix: str) -> str:
    """Return ``prefix`` followed by the digit that makes it pass the Luhn check."""
    return prefix + _luhn_check_digit(prefix)


def luhn_broken(prefix: str) -> str:
    """Return ``prefix`` followed by a digit that makes it fail the Luhn check."""
    return prefix + str((int(_luhn_check_digit(prefix)) + 1) % 10)


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
