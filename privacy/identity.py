"""Resident identity numbers (居民身份证号码, GB 11643-1999).

An 18-character number is: a 6-digit address code (where the number was issued), an 8-digit
birth date (YYYYMMDD), a 3-digit order code whose last digit is odd for men and even for women,
and an ISO 7064 MOD 11-2 check character (a digit or ``X``).

The address code is checked only for a plausible province (its first two digits). It records
where the number was *issued*, so it may name a county that has since been abolished or renamed
(监利县 ``421023`` became 监利市 ``421088`` in 2020 and every number issued before keeps the old
code). That is why this module does not use ``stdnum.cn.ric.validate``: it refuses address
codes that were not in force in the birth year, which would turn away real residents.

Nothing here puts the number itself into an exception message or a ``repr``: callers log
exceptions, and a logged ID number is a leak.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# 11-15 north, 21-23 north-east, 31-37 east, 41-46 centre-south, 50-54 south-west,
# 61-65 north-west, 71 Taiwan, 81-82 Hong Kong and Macao (residence permits use these).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
        *("71", "81", "82"),
    }
)

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# Weight of position i is 2**(17 - i) mod 11; the check character makes the weighted sum,
# with the check character counted as 1 * its value (X = 10), equal to 1 mod 11.
_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS = "10X98765432"

_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_REGION_CODE = re.compile(r"[0-9]{6}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")

Sex = Literal["male", "female"]


class InvalidIdNumber(ValueError):
    """An ID number that is not a valid GB 11643-1999 number.

    ``message`` is a lazy, translatable text for the person who typed the number; ``code`` is
    a stable machine-readable reason (``length``, ``format``, ``province``, ``birth_date``,
    ``future_birth_date``, ``early_birth_date``, ``checksum``). Neither contains the number.
    """

    def __init__(self, message: StrPromise, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        return f"InvalidIdNumber(code={self.code!r})"


@dataclass(frozen=True)
class IdNumber:
    """What a valid ID number says about its holder. Deliberately without the number."""

    birth_date: date
    sex: Sex
    region_code: str


def normalize_id_number(value: str) -> str:
    """Return ``value`` NFKC-normalized, without spaces or dashes, upper-cased (x → X).

    Full-width digits become ASCII. Never raises; the result is not validated.
    """
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def check_character(first17: str) -> str:
    """Return the MOD 11-2 check character for 17 digits.

    Raises ``ValueError`` when ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character resident ID number and return what it encodes.

    ``today`` bounds the birth date; pass ``django.utils.timezone.localdate()`` from Django
    code (the default, ``date.today()``, is the machine's local date).

    Raises ``InvalidIdNumber`` (a ``ValueError``) when the number does not have 18 characters,
    is not 17 digits followed by a digit or X, starts with an unknown province code, encodes a
    birth date that does not exist, lies in the future or before 1900, or has a wrong check
    character.
    """
    number = normalize_id_number(value)
    if len(number) != 18:
        raise InvalidIdNumber(_("The ID number must have 18 characters."), code="length")
    if not _SHAPE.fullmatch(number):
        raise InvalidIdNumber(
            _("The ID number must be 17 digits followed by a digit or the letter X."), code="format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(_("The ID number does not start with a valid province code."), code="province")
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            _("The ID number's birth date is not a real date."), code="birth_date"
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise InvalidIdNumber(_("The ID number's birth date is before 1900."), code="early_birth_date")
    if birth_date > (today or date.today()):
        raise InvalidIdNumber(_("The ID number's birth date is in the future."), code="future_birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("The ID number's check character is wrong."), code="checksum")
    sex: Sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumber(birth_date=birth_date, sex=sex, region_code=number[:6])


def make_id_number(*, region_code: str, birth_date: date, sequence: int, female: bool) -> str:
    """Build a valid 18-character ID number, for synthetic demo and test data.

    ``sequence`` (0-499) numbers the holders of one sex born on one day in one region: the
    3-digit order code is ``2 * sequence`` for women and ``2 * sequence + 1`` for men, so its
    last digit carries the sex as GB 11643 requires.

    Raises ``ValueError`` when ``region_code`` is not 6 digits starting with a province code,
    ``birth_date`` is before 1900, or ``sequence`` is outside 0-499.
    """
    if not _REGION_CODE.fullmatch(region_code) or region_code[:2] not in PROVINCE_CODES:
        raise ValueError("region_code must be 6 digits starting with a province code")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError("birth_date must not be before 1900")
    if not 0 <= sequence <= 499:
        raise ValueError("sequence must be between 0 and 499")
    order = 2 * sequence + (0 if female else 1)
    first17 = f"{region_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)
