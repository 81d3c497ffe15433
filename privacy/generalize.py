"""Generalization and masking of the few identity-derived values that may be shown.

Published needs carry bands, never exact values (DESIGN.md, "Privacy architecture"):

* Age: every minor (under 18) is shown only as ``未成年``, so a child's exact age never
  narrows a small village down; adults fall into ten-year bands ``18-29岁`` … ``70-79岁``
  (the first is twelve years wide so that the bands start at adulthood) and ``80岁以上``.
* Household size: ``1人``, ``2人``, ``3-4人``, ``5人及以上``. Large households are rare and
  therefore identifying, hence the open top band.
* Where k-anonymity needs it (marketplace.needs.placement), wider bands: ages ``未成年``,
  ``18-39岁``, ``40-59岁``, ``60岁以上``; households ``1-2人``, ``3人及以上``.

Masks are for recipient publicity lists (公示名单), where the policy requires a recognisable
but partial identity:

* Name: the surname stays (compound surnames too), every other character becomes ``*``:
  ``张*``, ``张**``, ``欧阳**``.
* Mobile phone: the usual ``138****8000``. Landline: the area code and the last two digits.
* ID number: only the first two characters (the province, which the list shows anyway) and the
  last two; the birth date and the issuing county, the identifying parts, are hidden:
  ``42**************3X``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from privacy.identity import normalize_id_number
from privacy.names import NAME_DOTS, split_name

MINOR = "未成年"
AGE_BANDS: tuple[str, ...] = (
    MINOR,
    "18-29岁",
    "30-39岁",
    "40-49岁",
    "50-59岁",
    "60-69岁",
    "70-79岁",
    "80岁以上",
)
HOUSEHOLD_SIZE_BANDS: tuple[str, ...] = ("1人", "2人", "3-4人", "5人及以上")
# Each band in the wider band that contains it.
WIDER_AGE_BANDS: dict[str, str] = {
    MINOR: MINOR,
    "18-29岁": "18-39岁",
    "30-39岁": "18-39岁",
    "40-49岁": "40-59岁",
    "50-59岁": "40-59岁",
    "60-69岁": "60岁以上",
    "70-79岁": "60岁以上",
    "80岁以上": "60岁以上",
}
WIDER_HOUSEHOLD_SIZE_BANDS: dict[str, str] = {
    "1人": "1-2人",
    "2人": "1-2人",
    "3-4人": "3人及以上",
    "5人及以上": "3人及以上",
}

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_PREFIX = re.compile(r"^(?:\+?86|0086)(?=1[3-9][0-9]{9}$)")


def age_on(birth_date: date, *, today: date) -> int:
    """Return the age in completed years on ``today``.

    Raises ``ValueError`` when ``birth_date`` is after ``today``.
    """
    if birth_date > today:
        raise ValueError("birth_date is after today")
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def age_band(birth_date: date, *, today: date) -> str:
    """Return the published age band (one of ``AGE_BANDS``) of someone born on ``birth_date``.

    Raises ``ValueError`` when ``birth_date`` is after ``today``.
    """
    age = age_on(birth_date, today=today)
    if age < 18:
        return MINOR
    if age < 30:
        return "18-29岁"
    if age >= 80:
        return "80岁以上"
    low = age // 10 * 10
    return f"{low}-{low + 9}岁"


def household_size_band(size: int) -> str:
    """Return the published band (one of ``HOUSEHOLD_SIZE_BANDS``) of a household's size.

    Raises ``ValueError`` when ``size`` is less than 1.
    """
    if size < 1:
        raise ValueError("a household has at least one member")
    if size <= 2:
        return f"{size}人"
    if size <= 4:
        return "3-4人"
    return "5人及以上"


def mask_name(name: str) -> str:
    """Return ``name`` with everything but the surname replaced by ``*`` (``张三`` → ``张*``).

    A single-character name becomes ``*``. A name with a middle dot (``买买提·艾力``) keeps its
    first character and its dots. Never raises.
    """
    name = "".join(name.split())
    if len(name) <= 1:
        return "*" * len(name)
    if any(dot in name for dot in NAME_DOTS):
        return name[0] + "".join(c if c in NAME_DOTS else "*" for c in name[1:])
    surname, given = split_name(name)
    return surname + "*" * len(given)


def mask_phone(phone: str) -> str:
    """Mask a phone number: ``13800138000`` → ``138****8000``, ``027-87654321`` → ``027******21``.

    Spaces, dashes, parentheses and a ``+86``/``0086`` prefix before a mobile number are
    dropped first. Raises ``ValueError`` when fewer than 7 digits remain or anything but digits
    does.
    """
    digits = re.sub(r"[\s\-()]", "", normalize_id_number(phone))
    digits = _PHONE_PREFIX.sub("", digits)
    if not digits.isascii() or not digits.isdigit() or len(digits) < 7:
        raise ValueError("not a phone number")
    if _MOBILE.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        return digits[:area] + "*" * (len(digits) - area - 2) + digits[-2:]
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_id_number(id_number: str) -> str:
    """Mask an ID number to its first two and last two characters: ``42**************3X``.

    The number is normalized (spaces, dashes, x → X) but not validated. Raises ``ValueError``
    when it is not 15 or 18 characters long.
    """
    number = normalize_id_number(id_number)
    if len(number) not in (15, 18):
        raise ValueError("an ID number has 15 or 18 characters")
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


# Separators written between the parts of a transliterated name, after NFKC: the NAME_DOTS and
# the dots people type instead of a middle dot (‧, ., ．→ .).
_PUBLICITY_NAME_DOTS = NAME_DOTS + "‧.﹒"


def mask_name_for_publicity(name: str) -> str:
    """Return ``name`` masked for a recipient publicity list (公示名单): ``张*``, ``王*英``.

    The rule (issue 12): a name of two characters keeps its first (the surname): ``张三`` →
    ``张*``; three or more keep the first and the last, one ``*`` for each character between:
    ``王小英`` → ``王*英``, ``欧阳娜娜`` → ``欧**娜``, ``司马懿`` → ``司*懿``. A compound surname
    is therefore shown by its first character only (``欧阳*`` would leave three of 欧阳娜's four
    characters, and 欧阳娜娜 would keep its given name's last character beside the surname).
    A transliterated name with a middle dot (``买买提·艾力``) keeps only its first character
    and its dots: ``买**·**``; keeping its last character as well would leave a part of one
    character whole (``阿·木`` → ``阿·木``). A single character becomes ``*``.

    The result never holds two adjacent characters of the name, so never the full name nor a
    given name of two characters or more. Spaces are dropped and the name is read NFKC
    (full-width letters as ASCII). Never raises.
    """
    name = "".join(unicodedata.normalize("NFKC", name).split())
    if len(name) <= 1:
        return "*" * len(name)
    if any(dot in name for dot in _PUBLICITY_NAME_DOTS):
        return name[0] + "".join(c if c in _PUBLICITY_NAME_DOTS else "*" for c in name[1:])
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
