"""Redaction of free text (a need's title and description) before it is published.

``redact`` works in three steps:

1. Read the text NFKC-normalized, so full-width digits and letters (１３８, ＡＢＣ, ＠, －)
   become ASCII and one set of patterns covers them, and read numbers written in numerals as
   digits (``_read_numbers``: 一三八…, 壹叁捌…, 幺/两/〇/○/零, digits mixed with numerals,
   a separator between every character), so every detector below sees them. The view is
   only a view, one character for one (NFKC may make a character longer): spans found in it
   are mapped back and replaced in the original, so the published text keeps its Chinese
   punctuation (，：（）) and loses the whole number as it was written.
2. Remove the record's *own* identity values (``IdentityValues``): names with their 张某 /
   张某某 forms and the given name alone, ID numbers, phone numbers, and the address. These are
   matched literally, tolerating spaces, dashes and prefixes, wherever they occur.
3. Detect identifiers of *anyone* by pattern (``detect``): ID numbers (18 and 15 digits, any
   checksum), mobile and landline numbers, Luhn-valid bank card numbers, e-mail addresses, QQ
   and WeChat ids after their keywords, licence plates, house-number addresses and exact dates.

Every hit becomes ``REDACTED``; overlapping, touching or whitespace-separated hits merge into
one. The steps repeat until nothing is found, because a removal can expose a new match
(``微信：zhang123`` glued to a phone number is only recognisable once the phone is gone).

Digits are read as *runs*: digits joined by single spaces or dashes, optionally led by ``+``.
A run is cut into consecutive groups that each read as a whole identifier, covering as many
digits as possible: ``6222 0212 3456 7890 128`` is one bank card (not a card tail that looks
like an old ID number), ``13800138000 420102199001011234`` is a phone and an ID number, and a
number that reads as nothing (``2000``, ``2024``) is left alone. Of cuts covering as many
digits, the one with more identifiers is taken: ``130 4957 6561 135 9714 3987 185 4283 4335``
is three mobiles, not an ID number (any 18 digits) and a card. In a number read from
numerals every digit is a group, since nothing says where 一三八〇〇一三八〇〇〇一直 ends.
Digits without separators too many for one identifier (22 or more) are cut where every part
reads as one (``13800138000420102199001011234``: a phone and an ID number glued), and
otherwise stay whole, as order numbers do (``_glued_parts``).

Numerals: a number of fewer than three digits is a word and stays (三口之家, 一二年级); 十,
百 and 千 are never digits, so 七十二岁 and 三十多岁 stay; a birth year (一九九〇年) is read
but is no identifier. ASCII numbers are read as before unless written with list separators or
dots between their digits and long enough for a phone (never an amount such as 12,000 or a
date such as 2024.10.05). The record's own phone and ID numbers are also found cut in two or
three by a few other characters (一三八〇〇一三（本人）八〇〇〇).

The address decision (issue 9): the need's published level is decided after redaction
(county, or city when its class is thin) and can move to the city later, so nothing below the
city survives: the whole address, the district or county (from the address, and the one the
gate gives as ``IdentityValues.county``, with its short forms 西陵, 长阳县), and any run of
two or more characters of a road, village, community or landmark name, cut mid-word or not
(夜明珠 and 明珠路 of 夜明珠路), with building, unit and room numbers (3-2-501, 2-501). Only
the province and the city are kept. A few words every city names roads after stay when they
stand alone (人民医院 of 人民路; the list ``_COMMON_RUNS``). House numbers alone (``12号``) are
left to the pattern detector, which knows dates like ``5月12号`` from addresses.

``residual_risk`` is the second line: heuristics for what still looks like a name, a place or
a number (in digits or numerals) after redaction. The intake service holds a need for a
caseworker's review when it returns anything, or when the text names any district or county
of Hubei (``PlaceNames``, fed from the region tree by ``marketplace.needs.gate``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from privacy.identity import PROVINCE_CODES, check_character, normalize_id_number
from privacy.names import COMMON_SURNAMES, COMPOUND_SURNAMES, NAME_DOTS, split_name

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

REDACTED = "〔已隐去〕"

# A removal can expose a new match; each pass removes at least one character that is not
# already redacted, so this bound is never reached on real text, it only guards the loop.
_MAX_PASSES = 8


class Kind(StrEnum):
    """What a hit is. ``OWN_*`` and ``NAME`` come from the record's identity values."""

    NAME = "name"
    OWN_ID_NUMBER = "own_id_number"
    OWN_PHONE = "own_phone"
    OWN_ADDRESS = "own_address"
    OWN_BIRTH_DATE = "own_birth_date"
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    LANDLINE = "landline"
    BANK_CARD = "bank_card"
    EMAIL = "email"
    QQ = "qq"
    WECHAT = "wechat"
    LICENCE_PLATE = "licence_plate"
    ADDRESS = "address"
    DATE = "date"


# When two hits cover the same span, the earlier kind names it.
_PRIORITY = {kind: index for index, kind in enumerate(Kind)}


@dataclass(frozen=True, slots=True)
class Hit:
    """One detected identifier: its kind and its span (``text[start:end]``)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class IdentityValues:
    """The record's own identity values, to be removed from its free text.

    ``names`` holds the household head's and the beneficiary's names. Any iterable is accepted
    and stored as a tuple. The values are only matched, never stored or logged.
    """

    names: Sequence[str] = ()
    id_numbers: Sequence[str] = ()
    phones: Sequence[str] = ()
    address: str = ""
    # The name of the record's county-level unit when it lies below its city (洪山区, 大冶市;
    # not the units the province administers directly, which are cities): removed like the
    # parts of the address below the city, even when the address does not name it.
    county: str = ""

    def __post_init__(self) -> None:
        for name in ("names", "id_numbers", "phones"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @cached_property
    def needles(self) -> tuple[_Needle, ...]:
        """The forms of the values looked for in text, built once per record."""
        return tuple(_own_needles(self))

    def __repr__(self) -> str:
        return (
            f"IdentityValues(<{len(self.names)} names, {len(self.id_numbers)} ID numbers, "
            f"{len(self.phones)} phones, {'an' if self.address else 'no'} address, "
            f"{'a' if self.county else 'no'} county>)"
        )


@dataclass(frozen=True)
class Redaction:
    """The redacted text and how many hits of each kind were removed (never the values)."""

    text: str
    hits: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.hits)


def normalize_text(text: str) -> str:
    """Return ``text`` in Unicode NFKC form, the form every detector works on. Never raises."""
    return unicodedata.normalize("NFKC", text)


# Every non-ASCII character seen → its NFKC form, and those whose form differs. They grow with
# the distinct characters seen (a few thousand) and hold characters, never values.
_FORMS: dict[str, str] = {}
_CHANGING: set[str] = set()


def _nfkc_view(text: str) -> tuple[str, Sequence[int]]:
    """``text`` NFKC-normalized character by character, and the origin of each view character.

    Character by character so that every view character maps back to one original character
    (a full-string NFKC may compose across characters, which only matters for accents that no
    detector looks at). NFKC never maps a character to nothing, so a view as long as the text
    maps one to one (the common case: full-width punctuation and digits), and the origins are
    the positions themselves.
    """
    if text.isascii():
        return text, range(len(text))
    chars = set(text)
    for char in chars.difference(_FORMS):
        _FORMS[char] = form = unicodedata.normalize("NFKC", char)
        if form != char:
            _CHANGING.add(char)
    view = text
    for char in chars & _CHANGING:
        view = view.replace(char, _FORMS[char])
    if len(view) == len(text):
        return view, range(len(text))
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(_FORMS.get(char, char)))
    return view, origin


# --- numbers written in numerals ---------------------------------------------------------------

# Every character people write a digit with, read as that digit: Chinese numerals (with 〇, ○
# and 零 for 0, 幺 for 1, 两 for 2), the capital numerals of cheques and their traditional
# forms, and the Suzhou numerals. 十/拾 (ten), 百, 千 are positional, never digits of a phone
# or ID number, so they end a number: 七十二岁 and 三十多 stay words.
_NUMERAL_DIGITS = {
    **dict.fromkeys("〇○◯零", "0"),
    **dict.fromkeys("一壹弌幺〡", "1"),
    **dict.fromkeys("二贰貳弍两兩〢", "2"),
    **dict.fromkeys("三叁參叄弎〣", "3"),
    **dict.fromkeys("四肆〤", "4"),
    **dict.fromkeys("五伍〥", "5"),
    **dict.fromkeys("六陆陸〦", "6"),
    **dict.fromkeys("七柒〧", "7"),
    **dict.fromkeys("八捌〨", "8"),
    **dict.fromkeys("九玖〩", "9"),
}
_NUMERALS = frozenset(_NUMERAL_DIGITS)
_NUMERAL_TABLE = str.maketrans(_NUMERAL_DIGITS)
_DIGIT_CLASS = "0-9" + "".join(_NUMERAL_DIGITS)
# Between the digits of one number (in the NFKC view: ， is ",", ． is ".", the ideographic
# space is " ", － is "-"): up to two spaces, commas, dots, 、 or middle dots, or a dash.
_LIST_SEPARATORS = ",、·・•"
_NUMBER_SEPARATOR = rf"(?:[ \t{_LIST_SEPARATORS}.]{{1,2}}|[ \t]?[-‐‑‒–—―−][ \t]?)"
# A number of at least three digits; a letter O between numerals is a zero (一三八OO一三…).
_WRITTEN_NUMBER = re.compile(
    rf"[{_DIGIT_CLASS}](?:{_NUMBER_SEPARATOR}?(?:[Oo]{_NUMBER_SEPARATOR}?)*[{_DIGIT_CLASS}]){{2,}}"
    rf"(?:[Oo]+(?![A-Za-z])|{_NUMBER_SEPARATOR}?[Xx](?![A-Za-z]))?"
)
_NUMBER_CHARS = {**_NUMERAL_DIGITS, "O": "0", "o": "0"}
_NUMBER_CHARS.update(dict.fromkeys(f" \t{_LIST_SEPARATORS}.", " "))
_NUMBER_CHARS.update(dict.fromkeys("‐‑‒–—―−", "-"))
_NUMBER_TABLE = str.maketrans(_NUMBER_CHARS)
_DOTTED_DATE = re.compile(r"(?:19|20)[0-9]{2}\.[0-9]{1,2}\.[0-9]{1,2}(?![0-9])")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# An ASCII number with list separators or dots may be an identifier written 1、3、8… or
# 138.0013.8000 (never an amount with thousands separators, a decimal or a date): read it when
# it has a phone number's digits at least.
_ANY_NUMERAL = re.compile(f"[{''.join(_NUMERAL_DIGITS)}]")
_ASCII_LISTED = re.compile(rf"[0-9] ?[{_LIST_SEPARATORS}.] ?[0-9]")
_MIN_LISTED_DIGITS = 11


def _decimal_or_date(number: str) -> bool:
    """Whether the dots of an ASCII ``number`` (digits, separators, at least one dot) make it
    decimals or a date rather than an identifier written with dots (138.0013.8000).

    Two dots or more are decimals in a range (13.5-14.2) or a dotted date; one dot is a
    decimal point (15000.5, 13000、15000.5), unless three digits or more follow it and another
    separator splits the number too: ``138.0013 8000`` and ``138.0013-8000`` are a mobile
    written in groups, which no amount is (amounts have one or two decimals).
    """
    if number.count(".") >= 2:
        return "-" in number or bool(_DOTTED_DATE.search(number))
    whole, _dot, fraction = number.partition(".")
    decimals = len(fraction) - len(fraction.lstrip("0123456789"))
    separated = any(not char.isdigit() for char in whole + fraction)
    return decimals < 3 or not separated


def _read_numbers(view: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``view`` with every number written in numerals, or digits mixed with numerals, read as
    ASCII digits, and the separators between its digits as spaces (dashes as ``-``).

    One character for one: the origins of the view stay valid. Returns the spans of the
    numbers read, whose digits may be grouped any way (一三八〇〇一三八〇〇〇一直 is a phone
    number followed by 一直). Numbers of fewer than three digits are words (一二年级, 三口之家)
    and stay as they are; so do ASCII numbers, unless written with list separators
    between their digits.
    """
    if not _ANY_NUMERAL.search(view) and not _ASCII_LISTED.search(view):
        return view, ()
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _WRITTEN_NUMBER.finditer(view):
        number = match.group()
        if _NUMERALS.isdisjoint(number) and (
            sum(char.isdigit() for char in number) < _MIN_LISTED_DIGITS
            or not any(char in _LIST_SEPARATORS or char == "." for char in number)
            or _THOUSANDS.fullmatch(number)
            or ("." in number and _decimal_or_date(number))
        ):
            continue  # spaces and dashes are read as they are; 2024.10.05 2024 holds a date
        start, end = match.span()
        pieces += [view[position:start], number.translate(_NUMBER_TABLE)]
        spans.append((start, end))
        position = end
    if not spans:
        return view, ()
    pieces.append(view[position:])
    return "".join(pieces), tuple(spans)


def _read(text: str) -> tuple[str, str, Sequence[int], tuple[tuple[int, int], ...]]:
    """The views the detectors read: NFKC as written, and the same with numbers in numerals
    read as digits (see ``_nfkc_view`` and ``_read_numbers``; one character for one, so they
    share their origins), the origin of each view character, and the spans of the numbers read.

    Both views are searched when they differ: reading numbers can join a word to a number
    (the surname 陆 after a date, ``1930.01.01，陆伟``, reads as one number ending in 6), so what
    the text says as written is never looked at less than before numbers were read. Names are
    searched as written only: no name is a number.
    """
    plain, origin = _nfkc_view(text)
    view, numbers = _read_numbers(plain)
    return plain, view, origin, numbers


def _normalized_view(text: str) -> tuple[str, Sequence[int]]:
    """``text`` as the detectors read it, and the origin of each view character."""
    _plain, view, origin, _numbers = _read(text)
    return view, origin


def _to_original(hits: list[Hit], origin: Sequence[int]) -> list[Hit]:
    if isinstance(origin, range):
        return hits  # the view maps one to one
    return [Hit(hit.kind, origin[hit.start], origin[hit.end - 1] + 1) for hit in hits]


# --- building blocks -------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_DIGITS = "一二三四五六七八九十百零〇两"
_GAP = r"[ \t]*"
# Detectors run on a view of the text in which every kind of dash is "-" (a one-to-one
# replacement, so spans stay valid) and need to know only that one.
_DASHES = re.compile("[‐‑‒–—―−]")


def _dash_view(text: str) -> str:
    return _DASHES.sub("-", text)


# --- digit runs: ID numbers, phones, bank cards ------------------------------------------------

_RUN_SEP = r"(?:[ \t]{1,2}|[ \t]?-[ \t]?)"
# The check character X may follow a separator (四、二、…、四、X).
_RUN = re.compile(rf"(?<![0-9])\+?[0-9](?:{_RUN_SEP}?[0-9])*(?:{_RUN_SEP}?[Xx](?![A-Za-z]))?")
_MOBILE_DIGITS = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
# Area code 01x/02x plus 8 digits, or a 4-digit area code plus 7-8; local numbers start 2-9.
_LANDLINE_DIGITS = re.compile(r"0(?:[12][0-9][2-9][0-9]{7}|[3-9][0-9]{2}[2-9][0-9]{6,7})")
_ID18_DIGITS = re.compile(r"[0-9]{17}[0-9X]")
_MAX_CHUNK_DIGITS = 23
_MIN_CHUNK_DIGITS = 11  # the shortest identifier a run can hold: a mobile or landline number

# Phones written with the area code or the country code in parentheses: (027)87654321.
_PAREN_PHONE = re.compile(
    rf"\([ \t]?(?:(?P<mobile>(?:\+|00)?86[ \t]?\)[ \t]?1[3-9][0-9](?:{_RUN_SEP}?[0-9]){{8}})"
    rf"|(?P<landline>0[0-9]{{2,3}}[ \t]?\)[ \t]?[0-9](?:{_RUN_SEP}?[0-9]){{6,7}}))(?![0-9])"
)
# A landline in its international form with brackets: +86 (27) 87654321, +86 (0)27 87654321,
# (+86) 27 87654321, (86)(027)87654321. The digits decide (``_paren_landline``); the pattern
# only finds a country code, an area code with a bracket on one of them, and a local number.
_COUNTRY_CODE = r"(?:\+[ \t]?|00)?86"
_AREA_CODE = r"0?[1-9][0-9]{1,2}"
_BRACKETED_LANDLINE = re.compile(
    rf"(?<![0-9+])(?:\([ \t]?{_COUNTRY_CODE}[ \t]?\)[ \t-]?(?:\([ \t]?{_AREA_CODE}[ \t]?\)|{_AREA_CODE})"
    rf"|{_COUNTRY_CODE}[ \t-]?(?:\([ \t]?{_AREA_CODE}[ \t]?\)|\([ \t]?0[ \t]?\)[ \t]?{_AREA_CODE}))"
    rf"[ \t-]?[2-9](?:{_RUN_SEP}?[0-9]){{6,7}}(?![0-9])"
)
_COUNTRY_PREFIX = re.compile(r"^(?:0086|86)0?")


def luhn_valid(digits: str) -> bool:
    """Return whether a string of ASCII digits passes the Luhn check. Never raises."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _plausible_id(digits: str) -> bool:
    """A province code and a real birth date (19YYMMDD in a 15-digit number)."""
    birth = digits[6:14] if len(digits) == 18 else "19" + digits[6:12]
    return digits[:2] in PROVINCE_CODES and _real_date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))


def _classify_digits(digits: str) -> str | None:
    """What a chunk of a run reads as, whether or not a ``+`` leads it: a ``+`` makes no ID or
    card number less of one (张三+420111199001021234, a plus written for "and")."""
    if _MOBILE_DIGITS.fullmatch(digits):
        return Kind.MOBILE
    # A landline in its international form drops the area code's 0: +86 27 87654321, and
    # 86-27-87654321 without the plus, as a mobile may be written 86-13800138000.
    national = digits[2:] if digits.startswith("86") else digits[4:] if digits.startswith("0086") else ""
    if national and _LANDLINE_DIGITS.fullmatch("0" + national):
        return Kind.LANDLINE
    if _LANDLINE_DIGITS.fullmatch(digits):
        return Kind.LANDLINE
    if _ID18_DIGITS.fullmatch(digits):
        # Any checksum: a mistyped ID number is still one. Only a number that does not even look
        # like one (no province, no birth date) and passes Luhn is taken for an 18-digit card.
        plausible = check_character(digits[:17]) == digits[17] or _plausible_id(digits)
        return Kind.BANK_CARD if not plausible and luhn_valid(digits) else Kind.ID_NUMBER
    if len(digits) == 15 and digits.isdigit():
        # Old 15-digit numbers have no checksum; the structure tells them from order numbers.
        if _plausible_id(digits):
            return Kind.ID_NUMBER
        return Kind.BANK_CARD if luhn_valid(digits) else None
    if 13 <= len(digits) <= 19 and luhn_valid(digits):
        return Kind.BANK_CARD
    return None


_RUN_GROUP = re.compile(rf"[0-9]+(?:{_RUN_SEP}?[Xx])?")
_RUN_DIGIT = re.compile(rf"[0-9](?:{_RUN_SEP}?[Xx])?")
_NO_SEPARATORS = str.maketrans("", "", " \t-")
# Digits written without any separator and too many for one identifier (the longest, a card,
# has 19; two of the shortest, 22) are identifiers glued together or a number that is none.
_MIN_GLUED_DIGITS = 2 * _MIN_CHUNK_DIGITS


def _sure_digits(digits: str) -> bool:
    """Whether a part of a glued number reads as an identifier without doubt: as
    ``_classify_digits`` reads it, except that 18 digits are an ID number only with a valid
    check character or a province and a real birth date (``_classify_digits`` takes any 18
    digits for one, which would cut every long number with 18 digits at either end)."""
    kind = _classify_digits(digits)
    if kind == Kind.ID_NUMBER and len(digits) == 18:
        return check_character(digits[:17]) == digits[17] or _plausible_id(digits)
    return kind is not None


def _glued_parts(digits: str) -> list[int] | None:
    """Where to cut ``digits`` (no separators, the check character X at most at its end) so
    that every part reads as an identifier (``_sure_digits``): the ends of the parts, or
    ``None`` when no such cut exists.

    ``13800138000420102199001011234`` is a mobile and an ID number written without a space;
    read whole it is no identifier and was published. Only a cut into identifiers *and nothing
    else* is taken: a number with a digit left over (an order or transaction number, often of
    20 to 30 digits) stays whole, as a number of fewer than 22 digits always does. Redacting
    every long number that reads as nothing would remove those too; one that stays is still
    flagged by ``residual_risk`` (a long number), and a caseworker reads it before it is
    published. Of several cuts, the one with the most parts, the first found, is taken, as a run
    is read (``_run_hits``): three mobiles glued are three, not two cards that pass Luhn.
    """
    # parts[i]: the most parts covering digits[:i], and the end of the part before it.
    parts: list[tuple[int, int] | None] = [(0, 0)] + [None] * len(digits)
    reached = 0  # the last end of a cut so far
    for end in range(_MIN_CHUNK_DIGITS, len(digits) + 1):
        if end - reached > _MAX_CHUNK_DIGITS:
            return None  # no part can reach this far: a long number fails fast
        for start in range(max(0, end - _MAX_CHUNK_DIGITS), end - _MIN_CHUNK_DIGITS + 1):
            before = parts[start]
            if before is None or not _sure_digits(digits[start:end]):
                continue
            if parts[end] is None or before[0] + 1 > parts[end][0]:
                parts[end] = (before[0] + 1, start)
                reached = end
    if parts[-1] is None:
        return None
    ends: list[int] = []
    end = len(digits)
    while end:
        ends.append(end)
        end = parts[end][1]
    return ends[::-1]


def _split_glued(groups: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``groups`` (start, end, digits of each group of a run) with every group of glued
    digits that reads wholly as identifiers cut into them (``_glued_parts``).

    A group is digits without separators, but for its check character, which may be set apart
    (1380013800042011119880808004 X): it goes with the last part, which ends where the group does.
    """
    split: list[tuple[int, int, str]] = []
    for start, end, digits in groups:
        ends = _glued_parts(digits) if len(digits) >= _MIN_GLUED_DIGITS else None
        if ends is None:
            split.append((start, end, digits))
            continue
        first = 0
        for last in ends[:-1]:
            split.append((start + first, start + last, digits[first:last]))
            first = last
        split.append((start + first, end, digits[first:]))
    return split


def _run_hits(text: str, numbers: Sequence[tuple[int, int]] = ()) -> list[Hit]:
    """The identifiers in the digit runs of ``text``; ``numbers`` are the spans of numbers read
    from numerals, whose digits are grouped one by one: nothing in 一三八〇〇一三八〇〇〇一直
    says where the phone number ends."""
    hits: list[Hit] = []
    for run in _RUN.finditer(text):
        if len(run.group()) < _MIN_CHUNK_DIGITS:
            continue  # too few digits for any identifier: house numbers, amounts, years
        read = bool(numbers) and any(start < run.end() and run.start() < end for start, end in numbers)
        grouping = _RUN_DIGIT if read else _RUN_GROUP
        groups = [
            (m.start(), m.end(), m.group().upper().translate(_NO_SEPARATORS))
            for m in grouping.finditer(run.group())
        ]
        groups = [(run.start() + start, run.start() + end, digits) for start, end, digits in groups]
        if not read:
            groups = _split_glued(groups)
        plus = run.group().startswith("+")
        # best[i]: (digits covered, chunks) over the first i groups, and the chunk ending at i.
        # Of readings covering as many digits, the one with more chunks: they are shorter, the
        # commonest identifier is a phone, and 130 4957 6561 135 9714 3987 185 4283 4335 is
        # three mobiles, not an ID number (its first 18 digits) and a card (a Luhn-valid rest).
        best: list[tuple[int, int]] = [(0, 0)]
        back: list[tuple[int, Hit] | None] = [None]
        for i in range(1, len(groups) + 1):
            best.append(best[i - 1])
            back.append(None)
            digits = ""
            for j in range(i - 1, -1, -1):
                digits = groups[j][2] + digits
                if len(digits) > _MAX_CHUNK_DIGITS:
                    break
                start, end = groups[j][0], groups[i - 1][1]
                if j == 0 and plus:
                    start -= 1
                kind = _classify_digits(digits)
                if kind is None and digits.endswith("X"):
                    kind = _classify_digits(digits[:-1])
                    end -= 1
                if kind is None:
                    continue
                score = (best[j][0] + len(digits), best[j][1] + 1)
                if score > best[i]:
                    best[i] = score
                    back[i] = (j, Hit(kind, start, end))
        i = len(groups)
        while i > 0:
            step = back[i]
            if step is None:
                i -= 1
                continue
            hits.append(step[1])
            i = step[0]
    for match in _PAREN_PHONE.finditer(text):
        kind = Kind.MOBILE if match.group("mobile") else Kind.LANDLINE
        hits.append(Hit(kind, match.start(), match.end()))
    for match in _BRACKETED_LANDLINE.finditer(text):
        # The country code stands for the area code's 0, which some write in brackets too.
        national = _COUNTRY_PREFIX.sub("0", re.sub("[^0-9]", "", match.group()))
        if _LANDLINE_DIGITS.fullmatch(national):
            hits.append(Hit(Kind.LANDLINE, match.start(), match.end()))
    return hits


# --- keyword and shape patterns -------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

# Keyword patterns are searched with overlaps (see _pattern_hits).
_QQ = re.compile(
    rf"(?:(?i:qq)|扣扣){_GAP}(?:号码|号)?{_GAP}(?:是|为)?{_GAP}:?{_GAP}"
    r"(?P<value>[1-9][0-9]{4,10})(?![0-9])"
)

_WECHAT = re.compile(
    # The short latin keywords must stand alone (wx:abc, vx13800138000), or "wxyz123456"
    # would be an id.
    rf"(?:微信号|微信|(?i:v)信|(?i:wechat|weixin)|(?<![A-Za-z])(?i:wx|vx)(?![A-Za-z]))"
    rf"{_GAP}(?:号码|号|(?i:id))?{_GAP}"
    rf"(?:是|为)?{_GAP}:?{_GAP}"
    rf"(?P<value>(?:\+?86[ \t\-]?)?1[3-9][0-9](?:{_RUN_SEP}?[0-9]){{8}}(?![0-9])"
    r"|[A-Za-z][\-_A-Za-z0-9]{5,19}(?![\-_A-Za-z0-9]))"
)

# WeChat's own default ids need no keyword.
_WECHAT_DEFAULT_ID = re.compile(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_\-]{4,30}(?![A-Za-z0-9_\-])")

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "A-HJ-NP-Za-hj-np-z"
_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][{_PLATE_LETTER}][·・•.\- \t]?"
    rf"(?:[DFdf][{_PLATE_LETTER}0-9][0-9]{{4}}"  # new-energy car: 鄂A·D12345
    rf"|[0-9]{{5}}[DFdf]"  # new-energy truck or bus: 鄂A·12345D
    rf"|(?=[{_PLATE_LETTER}0-9]{{0,4}}[0-9])[{_PLATE_LETTER}0-9]{{4}}[{_PLATE_LETTER}0-9挂学警港澳])"
    r"(?![A-Za-z0-9])"
)

_YEAR = r"(?:19|20)[0-9]{2}"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_DATES = (
    re.compile(rf"(?<![0-9]){_YEAR}{_GAP}年{_GAP}{_MONTH}{_GAP}月{_GAP}{_DAY}{_GAP}[日号]"),
    re.compile(rf"(?<![0-9.]){_YEAR}([\-/.]){_MONTH}\1{_DAY}(?![0-9])"),
    # 19900102 is a date only where the text says so.
    re.compile(
        r"(?:出生日期|出生年月日|出生于|出生|生于|生日|(?i:dob|date of birth|birthday|born))"
        rf"[^0-9]{{0,4}}(?P<value>{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])"
    ),
)

# Addresses. A place name is a few Han characters ending in a place word; the characters that
# usually precede one (家住在…, 位于…) or belong to the kept admin levels (省市区县) are not
# part of it, so "家住洪山区幸福路12号" loses "幸福路12号" only.
_PLACE_STOP = "省市区县镇乡州旗住在于到至家位是的了及从往居址为近与号"
_PLACE_CHAR = rf"(?:(?![{_PLACE_STOP}])[{_HAN}])"
_PLACE_WORD = "(?:大道|大街|胡同|社区|小区|花园|家园|新村|公寓|大厦|路|街|巷|弄|村|苑|园|里|屯|湾|坊)"
_NUMBER = r"[0-9]+(?:[\-之][0-9]+){0,2}"
# 号 is not an address in 3号线 (metro), 21号文 (a document); 室 not in 2室1厅 (a flat's layout).
_UNIT_WORD = rf"(?:号院|号楼|单元|号(?![线文令])|栋|幢|座|楼|室(?!{_GAP}[0-9{_CN_DIGITS}]?{_GAP}厅)|组)"
_CHAIN_UNIT_WORD = rf"(?:{_UNIT_WORD}|层|队)"
_CHAIN_UNIT = rf"(?:{_NUMBER}|[{_CN_DIGITS}]+){_GAP}{_CHAIN_UNIT_WORD}"
_ADDRESSES = (
    re.compile(rf"{_PLACE_CHAR}{{1,8}}{_PLACE_WORD}{_GAP}{_CHAIN_UNIT}(?:{_GAP}-?{_GAP}{_CHAIN_UNIT})*"),
    # A bare house number; not a date (5月12号), an ordinal or count (第3组, 分3组) or a
    # document number (〔2024〕21号).
    re.compile(
        r"(?<![0-9.月第共分每约近])(?<![0-9]〕)(?<![0-9]\])"
        rf"{_NUMBER}{_GAP}{_UNIT_WORD}(?:{_GAP}-?{_GAP}{_CHAIN_UNIT})*"
    ),
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (Kind.EMAIL, _EMAIL),
    (Kind.QQ, _QQ),
    (Kind.WECHAT, _WECHAT),
    (Kind.WECHAT, _WECHAT_DEFAULT_ID),
    (Kind.LICENCE_PLATE, _PLATE),
    *((Kind.DATE, pattern) for pattern in _DATES),
    *((Kind.ADDRESS, pattern) for pattern in _ADDRESSES),
)

_OVERLAPPING_PATTERNS = tuple((kind, pattern) for kind, pattern in _PATTERNS if pattern in {_QQ, _WECHAT})
# The other patterns, with the group that holds the identifier (0: the whole match).
_PATTERN_GROUPS = tuple(
    (kind, pattern, "value" if "value" in pattern.groupindex else 0)
    for kind, pattern in _PATTERNS
    if pattern not in {_QQ, _WECHAT}
)

_REDACTED_RE = re.compile(re.escape(REDACTED))


def _inside_redacted(hits: Iterable[Hit], text: str) -> list[Hit]:
    """Drop hits that lie wholly inside an existing ``REDACTED`` marker."""
    spans = [(m.start(), m.end()) for m in _REDACTED_RE.finditer(text)]
    if not spans:
        return list(hits)
    return [h for h in hits if not any(s <= h.start and h.end <= e for s, e in spans)]


def _pattern_hits(text: str, numbers: Sequence[tuple[int, int]] = ()) -> list[Hit]:
    text = _dash_view(text)
    hits = _run_hits(text, numbers)
    for kind, pattern, group in _PATTERN_GROUPS:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if end > start:
                hits.append(Hit(kind, start, end))
    for kind, pattern in _OVERLAPPING_PATTERNS:
        # Also the matches that begin inside an earlier one: in "微信:zhang_1wx:li_2" the first
        # id swallows the second keyword.
        position = 0
        while match := pattern.search(text, position):
            start, end = match.span("value")
            if end > start:
                hits.append(Hit(kind, start, end))
            position = match.start() + 1
    return _inside_redacted(hits, text)


def _resolve(hits: Iterable[Hit]) -> list[Hit]:
    """Pick non-overlapping hits: longest first, then by kind priority; return them in order."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, _PRIORITY.get(h.kind, 99), h.start)):
        if all(hit.end <= c.start or c.end <= hit.start for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def detect(text: str) -> list[Hit]:
    """Return the identifiers found by pattern in ``text``, non-overlapping and in order.

    Detection reads the text NFKC-normalized; the spans index ``text`` itself. ``REDACTED``
    markers are not detected. Knows nothing of any record's identity: use it to check that
    published text holds nothing detectable. Never raises.
    """
    plain, view, origin, numbers = _read(text)
    hits = _pattern_hits(view, numbers) + (_pattern_hits(plain) if numbers else [])
    return _to_original(_resolve(hits), origin)


# --- the record's own identity values -------------------------------------------------------

_ADMIN_SUFFIXES = (
    *("特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "地区"),
    *("省", "市", "州", "盟", "区", "县", "旗"),
)
_DETAIL_SUFFIXES = (
    *("街道办事处", "社区居委会", "居委会", "村委会", "街道", "社区", "小区", "大道", "大街", "胡同"),
    *("单元", "号院", "号楼", "新村", "花园", "家园", "公寓", "大厦", "镇", "乡", "路", "街", "巷"),
    *("弄", "村", "组", "队", "号", "栋", "幢", "座", "楼", "层", "室", "苑", "园", "屯", "湾"),
)
_ADDRESS_SEGMENT = re.compile(
    "(.+?)("
    + "|".join(re.escape(s) for s in sorted({*_ADMIN_SUFFIXES, *_DETAIL_SUFFIXES}, key=len, reverse=True))
    # 沙市区, 荆州市, 张湾村, 花园路: a suffix character followed by the suffix of a larger
    # place word is part of the name.
    + ")(?![区县市州镇乡村路街巷])"
)
_NUMBERED_UNITS = ("栋", "幢", "号楼", "单元", "楼", "层", "室")
_LANDMARK_STOPWORDS = frozenset(
    {"附近", "对面", "旁边", "隔壁", "后面", "前面", "东侧", "西侧", "南侧", "北侧"}
)


def _address_segments(address: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split an address into admin segments (kept) and detail segments (stem, suffix)."""
    admin: list[str] = []
    detail: list[tuple[str, str]] = []
    position = 0
    while position < len(address):
        match = _ADDRESS_SEGMENT.match(address, position)
        if match is None:
            detail.append((address[position:], ""))
            break
        stem, suffix = match.groups()
        if not detail and suffix in _ADMIN_SUFFIXES:
            admin.append(stem + suffix)
        else:
            detail.append((stem, suffix))
        position = match.end()
    return admin, detail


@dataclass(frozen=True, slots=True)
class _Needle:
    """One form of an own identity value, looked for in a view of the text.

    The record's values are found with plain substring search in views of the text from which
    spaces (and, for numbers, dashes and parentheses) are left out, so "张 三" and
    "138-0013-8000" match. They are deliberately not made into regular expressions: the ``re``
    module caches compiled patterns, which would keep raw identity values in memory.
    """

    kind: str
    view: str
    value: str
    digit_bounded: bool = False
    # _RUN_ANY: any run of two or more characters of ``value`` is a hit; _RUN_PREFIX: any
    # prefix of two or more. ``suffix`` (路, 区) is taken with a run that reaches the end.
    run: str = ""
    suffix: str = ""
    # Also found cut in two or three by a few other characters (138 0013（本人）8000).
    cut: bool = False


_RUN_ANY, _RUN_PREFIX = "any", "prefix"
_HAN_CHAR = re.compile(f"[{_HAN}]")
_CN_NUMBER = re.compile(f"[{_CN_DIGITS}]+")
_VIEW_NAMES, _VIEW_DIGITS, _VIEW_ADDRESS = "names", "digits", "address"
_VIEW_DROPS = {_VIEW_NAMES: f" \t{NAME_DOTS}", _VIEW_DIGITS: " \t-()", _VIEW_ADDRESS: " \t"}
# Before an own phone: the country code, and the plus or the bracket left of the number found
# (+86 (0)27 87654321, (+86716 812345: the needle 86716812345 begins after the plus).
_PHONE_PREFIX = re.compile(r"(?:\(?(?:\+|00)?86\)?[ \t-]*)?\(?[ \t]*(?:\+|00)?\Z")


_PROVINCE_SUFFIXES = ("省", "自治区", "特别行政区")
_CITY_SUFFIXES = ("市", "州", "盟", "地区")
# Words that name roads and communities in every city, and what medical and school needs are
# about (人民医院): a run of the household's own address that is exactly one of these, without
# its place word, says nothing about where the household lives and stays. 人民路 does not.
_COMMON_RUNS = frozenset(
    {
        *("人民", "解放", "建设", "中山", "和平", "幸福", "光明", "胜利", "团结", "友谊", "民主"),
        *("新华", "文化", "健康", "发展", "工业", "交通", "青年", "东风", "红旗", "长江", "中心"),
        *("医院", "学校", "中学", "小学", "大学", "学院", "社区", "街道", "小区", "花园", "家园"),
        *("新村", "公园", "车站", "广场", "市场", "政府", "家庭", "生活", "社会"),
    }
)
_ETHNIC_PART = re.compile(f"(?P<short>[{_HAN}]{{2,}}?)(?:[{_HAN}]{{1,3}}族)+")


def _below_city(admin: list[str]) -> list[str]:
    """The administrative parts of an address below its city: after the province and the city
    (the first part named 市, 州, 盟 or 地区), the district or county. A lone 市 is taken for
    the city (仙桃市 is one); the gate names the county when it is not (``IdentityValues.county``)."""
    rest = admin[1:] if admin and admin[0].endswith(_PROVINCE_SUFFIXES) else admin
    if rest and rest[0].endswith(_CITY_SUFFIXES):
        rest = rest[1:]
    return rest


def _place_needles(place: str) -> list[_Needle]:
    """A district or county name and its short forms: 西陵区, 西陵; 长阳土家族自治县, 长阳县."""
    needles = [_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, place)] if len(place) >= 2 else []
    suffix = next((s for s in _ADMIN_SUFFIXES if place.endswith(s) and len(place) > len(s)), "")
    stem = place.removesuffix(suffix)
    if len(stem) >= 2:
        needles.append(_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, stem, run=_RUN_PREFIX, suffix=suffix))
    if suffix and (ethnic := _ETHNIC_PART.fullmatch(stem)):
        needles.append(_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, ethnic["short"] + suffix[-1]))
    return needles


def _address_needles(address: str, county: str = "") -> list[_Needle]:
    address = _dash_view("".join(_normalized_view(address)[0].split()))
    county = "".join(_normalized_view(county)[0].split())
    needles = _place_needles(county) if county else []
    if not address:
        return needles
    values = [address]
    admin, detail = _address_segments(address)
    for place in _below_city(admin):
        if place != county:
            needles += _place_needles(place)
    if detail:
        values.append("".join(stem + suffix for stem, suffix in detail))
    numbers: list[str] = []
    for stem, suffix in detail:
        segment = stem + suffix
        named = _HAN_CHAR.search(stem) and not _CN_NUMBER.fullmatch(stem)
        if not suffix and segment in _LANDMARK_STOPWORDS:
            continue
        if named and len(segment) >= 2:
            values.append(segment)
        if named and len(stem) >= 2:
            # 夜明珠 of 夜明珠路 (a title cut short), 明珠路: any run of two or more characters.
            # A landmark without a place word (人民医院对面) only by its beginning.
            run = _RUN_ANY if suffix else _RUN_PREFIX
            needles.append(_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, stem, run=run, suffix=suffix))
        if suffix in _NUMBERED_UNITS and stem.isascii() and stem.isdigit():
            numbers.append(stem)
    needles += [_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, value) for value in values]
    # 3栋2单元501室 is often written 3-2-501.
    if len(numbers) >= 2:
        for tail in (numbers, numbers[-2:]):
            needles.append(_Needle(Kind.OWN_ADDRESS, _VIEW_ADDRESS, "-".join(tail), digit_bounded=True))
    return needles


def _name_needles(name: str) -> list[_Needle]:
    name = "".join(_normalized_view(name)[0].split())
    if len(name) < 2:
        return []
    if any(dot in name for dot in NAME_DOTS):
        parts = [part for part in re.split(f"[{NAME_DOTS}]", name) if part]
        values = ["".join(parts), *(part for part in parts if len(part) >= 2)]
    else:
        surname, given = split_name(name)
        values = [name]
        if given:
            values += [surname + "某某", surname + "某"]
        if len(given) >= 2:
            values.append(given)
    return [_Needle(Kind.NAME, _VIEW_NAMES, value) for value in values]


def _id_number_needles(id_number: str) -> list[_Needle]:
    number = normalize_id_number(id_number)
    if len(number) < 6:
        return []
    cut = len(number) >= 15
    needles = [_Needle(Kind.OWN_ID_NUMBER, _VIEW_DIGITS, number, cut=cut)]
    if len(number) == 18 and number[6:8] == "19":
        # The same person's 15-digit number from before 1999: no century, no check character.
        needles.append(_Needle(Kind.OWN_ID_NUMBER, _VIEW_DIGITS, number[:6] + number[8:17], cut=True))
    if len(number) == 18 and number[6:14].isdigit():
        needles.append(_Needle(Kind.OWN_BIRTH_DATE, _VIEW_DIGITS, number[6:14], digit_bounded=True))
    return needles


def _phone_needles(phone: str) -> list[_Needle]:
    digits = re.sub(r"[^0-9]", "", _normalized_view(phone)[0])
    digits = re.sub(r"^(?:0086|86)(?=1[3-9][0-9]{9}$)", "", digits)
    if len(digits) < 5:
        return []
    needles = [_Needle(Kind.OWN_PHONE, _VIEW_DIGITS, digits, cut=len(digits) >= 10)]
    if digits.startswith("0") and len(digits) >= 10:
        local = digits[3:] if digits[1] in "12" else digits[4:]
        needles.append(_Needle(Kind.OWN_PHONE, _VIEW_DIGITS, local, digit_bounded=True))
        # The international form, the country code in place of the area code's 0, brackets or
        # not: +86 (716) 812345 holds neither 0716812345 nor 812345 alone.
        needles.append(_Needle(Kind.OWN_PHONE, _VIEW_DIGITS, "86" + digits[1:]))
    return needles


def _own_needles(identity: IdentityValues) -> list[_Needle]:
    needles = [needle for name in identity.names for needle in _name_needles(name)]
    needles += [needle for number in identity.id_numbers for needle in _id_number_needles(number)]
    needles += [needle for phone in identity.phones for needle in _phone_needles(phone)]
    return needles + _address_needles(identity.address, identity.county)


class _View:
    """``text`` with a set of characters left out, mapped back to ``text`` on demand."""

    __slots__ = ("_drop", "_joined", "_positions", "source", "text")

    def __init__(self, source: str, drop: str):
        self.source, self._drop = source, drop
        self.text = _DELETIONS[drop].sub("", source)
        self._positions: Sequence[int] | None = None
        self._joined: tuple[str, str] | None = None

    def joined(self) -> tuple[str, str]:
        """The view with every numeral as a digit, and the same without short cuts (for
        ``_cut_spans``): even a piece too short to be read as a number counts
        (…〇〇（本人）〇七), since only the record's own long numbers are looked for there."""
        if self._joined is None:
            digits = self.text
            if _ANY_NUMERAL.search(digits):
                digits = digits.translate(_NUMERAL_TABLE)
            self._joined = digits, _SHORT_CUT.sub("", digits)
        return self._joined

    def origin(self, index: int) -> int:
        if self._positions is None:
            source, drop = self.source, self._drop
            self._positions = (
                range(len(source))
                if len(self.text) == len(source)
                else [i for i, char in enumerate(source) if char not in drop]
            )
        return self._positions[index]


_DELETIONS = {drop: re.compile(f"[{re.escape(drop)}]") for drop in _VIEW_DROPS.values()}


# A number cut by other text (一三八〇〇一三（本人）八〇〇〇) is joined again when the pieces
# are at most this many characters apart; only the record's own long numbers are looked for
# in the joined digits, so no accident of the text can spell one.
_MAX_CUT = 8
# The check character X counts as a digit here: 4、2、…、1、4、X is cut before its X too.
_SHORT_CUT = re.compile(rf"(?<=[0-9])[^0-9]{{1,{_MAX_CUT}}}(?=[0-9X])")
_DIGIT_PIECE = re.compile(r"[0-9]+X?|X")


def _cut_spans(digits: str, joined: str, value: str) -> list[tuple[int, int]]:
    """Where ``value`` is in ``digits`` (a digits view), whole or cut by at most ``_MAX_CUT``
    other characters at a time: spans of ``digits``, once some occurrence is cut. ``joined`` is
    ``digits`` without those cuts. Cheap when no occurrence is cut: two counts."""
    if joined.count(value) <= digits.count(value):
        return []
    pieces: list[str] = []
    positions: list[int] = []
    last = None
    for piece in _DIGIT_PIECE.finditer(digits):
        if last is not None and piece.start() - last > _MAX_CUT:
            pieces.append("|")
            positions.append(-1)
        pieces.append(piece.group())
        positions.extend(range(piece.start(), piece.end()))
        last = piece.end()
    text = "".join(pieces)
    spans = []
    found = text.find(value)
    while found != -1:
        first, last = positions[found], positions[found + len(value) - 1]
        spans.append((first, last + 1))
        found = text.find(value, found + 1)
    return spans


def _run_spans(text: str, needle: _Needle) -> list[tuple[int, int]]:
    """Where ``text`` holds a run of two or more characters of ``needle.value`` (only its
    prefixes for ``_RUN_PREFIX``), each run as long as it goes, with the suffix when the run
    reaches the end of the value."""
    stem, suffix = needle.value, needle.suffix
    spans: list[tuple[int, int]] = []
    for first in range(len(stem) - 1 if needle.run == _RUN_ANY else 1):
        found = text.find(stem[first : first + 2])
        while found != -1:
            start, end, reached = found, found + 2, first + 2
            while reached < len(stem) and text[end : end + 1] == stem[reached]:
                end, reached = end + 1, reached + 1
            taken, begun = first, start
            while taken > 0 and begun > 0 and text[begun - 1] == stem[taken - 1]:
                taken, begun = taken - 1, begun - 1
            whole = reached == len(stem) and suffix and text.startswith(suffix, end)
            if whole:
                spans.append((begun, end + len(suffix)))
            elif text[begun:end] not in _COMMON_RUNS:
                spans.append((begun, end))
            found = text.find(stem[first : first + 2], found + 1)
    return spans


def _own_hits(text: str, needles: Sequence[_Needle], *, plain: str | None = None) -> list[Hit]:
    """Where ``text`` (numbers read) or ``plain`` (the same text as written, when it differs)
    holds the record's own values: names in ``plain`` only, the rest in both."""
    dashed = _dash_view(text)
    written = dashed if plain is None or plain == text else _dash_view(plain)
    text = dashed
    views = {
        name: [
            _View(source.replace("x", "X") if name == _VIEW_DIGITS else source, drop)
            for source in ((written,) if name == _VIEW_NAMES else dict.fromkeys((text, written)))
        ]
        for name, drop in _VIEW_DROPS.items()
    }
    hits: list[Hit] = []
    for needle in needles:
        for view in views[needle.view]:
            _needle_hits(needle, view, text, hits)
    return _inside_redacted(hits, text)


def _needle_hits(needle: _Needle, view: _View, text: str, hits: list[Hit]) -> None:
    """Append to ``hits`` where ``view`` (of ``text``) holds ``needle``."""
    if needle.run:
        for start, end in _run_spans(view.text, needle):
            hits.append(Hit(needle.kind, view.origin(start), view.origin(end - 1) + 1))
        return
    found = view.text.find(needle.value)
    while found != -1:
        after = found + len(needle.value)
        bounded = not needle.digit_bounded or (
            not view.text[found - 1 : found].isdigit() and not view.text[after : after + 1].isdigit()
        )
        if bounded:
            start, end = view.origin(found), view.origin(after - 1) + 1
            if needle.kind == Kind.OWN_PHONE and (prefix := _PHONE_PREFIX.search(text, 0, start)):
                start = prefix.start()
            hits.append(Hit(needle.kind, start, end))
        found = view.text.find(needle.value, found + 1)
    if needle.cut:
        for start, end in _cut_spans(*view.joined(), needle.value):
            hits.append(Hit(needle.kind, view.origin(start), view.origin(end - 1) + 1))


def _replace(text: str, hits: list[Hit]) -> str:
    spans: list[list[int]] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if spans and (hit.start <= spans[-1][1] or not text[spans[-1][1] : hit.start].strip()):
            spans[-1][1] = max(spans[-1][1], hit.end)
        else:
            spans.append([hit.start, hit.end])
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces += [text[position:start], REDACTED]
        position = end
    pieces.append(text[position:])
    return _REDACTED_RUN.sub(REDACTED, "".join(pieces))


_REDACTED_RUN = re.compile(rf"(?:{re.escape(REDACTED)}\s*)+{re.escape(REDACTED)}")


def redact(text: str, *, identity: IdentityValues) -> Redaction:
    """Return ``text`` with the record's identity values and every detectable identifier
    replaced by ``REDACTED``, and the number of hits per kind.

    Afterwards ``detect(result.text)`` is empty. Never raises.
    """
    current = text
    needles = identity.needles
    counts: Counter[str] = Counter()
    for _pass in range(_MAX_PASSES):
        plain, view, origin, numbers = _read(current)
        hits = _own_hits(view, needles, plain=plain) + _pattern_hits(view, numbers)
        if numbers:
            hits += _pattern_hits(plain)
        replaced = _replace(current, _to_original(hits, origin)) if hits else current
        if replaced == current:
            break
        counts.update(str(hit.kind) for hit in _resolve(hits))
        current = replaced
    return Redaction(text=current, hits=counts)


class PlaceNames:
    """A fixed set of place names (from the region tree, never identity values) to look for.

    ``find`` reads the text NFKC-normalized with spaces left out and skips ``区域`` (荆州区域 is
    a region of Jingzhou, not 荆州区). Built once and reused: the names become one pattern.
    """

    def __init__(self, names: Iterable[str]):
        alternatives = sorted({name for name in names if name}, key=len, reverse=True)
        self._pattern = (
            re.compile("(?:" + "|".join(map(re.escape, alternatives)) + ")(?!域)") if alternatives else None
        )

    def find(self, text: str) -> list[str]:
        """The names ``text`` holds, in order of first appearance, each once. Never raises."""
        if self._pattern is None:
            return []
        scanned = "".join(_nfkc_view(text)[0].split())
        return list(dict.fromkeys(self._pattern.findall(scanned)))


# --- residual risk ------------------------------------------------------------------------------

RESIDUAL_PERSON_NAME = _("The text may still contain a person's name next to a title or kinship word.")
RESIDUAL_SURNAME_PLACEHOLDER = _(
    "The text still refers to a person by surname with the rest hidden, which can identify them in a "
    "small place."
)
RESIDUAL_PLACE_NAME = _("The text may still contain a street, village or community name.")
RESIDUAL_LONG_NUMBER = _("The text contains a long or partly masked number that may identify someone.")
RESIDUAL_NUMERALS = _(
    "The text contains a long number written in Chinese numerals (一三八…, 壹贰叁…), which may be a "
    "phone, ID or card number."
)

_SURNAME_ALT = "|".join([*COMPOUND_SURNAMES, *COMMON_SURNAMES])
_ROLE_WORDS = (
    *("老人", "老太", "老汉", "老伯", "大爷", "大妈", "大娘", "大伯", "大叔", "大哥", "大姐", "阿姨"),
    *("叔叔", "伯伯", "奶奶", "爷爷", "婆婆", "女士", "先生", "同学", "同志", "患者", "病人", "老师"),
    *("师傅", "小朋友", "家属", "户主", "夫妇", "一家"),
)
_NAME_WITH_ROLE = re.compile(rf"(?:{_SURNAME_ALT})[{_HAN}]{{0,2}}?(?:{'|'.join(_ROLE_WORDS)})")
# Words that start with a surname character but are not names: 高龄老人, 白血病患者.
_NOT_NAMES = (
    *("高龄", "白血病", "高血压", "黄疸", "康复", "常年", "长期", "方面", "万元", "文化", "向来"),
    *("易于", "金额", "于是", "任何", "许多", "石头", "史上", "余下", "付费", "孤寡", "贫困"),
)
_SURNAME_PLACEHOLDER = re.compile(
    rf"(?:{_SURNAME_ALT})(?:某(?!种|些|个|项|天|日|时|地|处|次|位|方面|单位|部门)|\*{{1,3}})"
)
_RESIDUAL_STOP = _PLACE_STOP + "经由向并和"
_RESIDUAL_PLACE = re.compile(
    rf"(?P<stem>(?:(?![{_RESIDUAL_STOP}])[{_HAN}]){{2,6}})(?P<marker>大道|大街|胡同|社区|小区|路|街|巷|弄|村)"
)
_COMMON_PLACE_WORDS = frozenset(
    {
        *("道路", "马路", "公路", "铁路", "出路", "思路", "线路", "走路", "上路"),
        *("网路", "退路", "活路", "门路", "农村", "乡村", "全村", "本村", "该村", "同村", "邻村"),
        *("各村", "驻村", "进村", "村村", "老街", "大街", "上街", "逛街", "无路", "过路", "回路"),
    }
)
_COMMON_PLACE_STEMS = ("农村", "城市", "城乡", "基层", "当地", "周边", "附近", "辖区", "全国", "本地", "所在")
_LONG_NUMBER = re.compile(r"(?<![0-9*])[0-9*](?:[0-9*]|[ \t](?=[0-9*])){7,}")


def _names_left(text: str) -> bool:
    return any(not match.group().startswith(_NOT_NAMES) for match in _NAME_WITH_ROLE.finditer(text))


def _places_left(text: str) -> bool:
    for match in _RESIDUAL_PLACE.finditer(text):
        stem, marker = match.group("stem", "marker")
        if stem[-1] + marker in _COMMON_PLACE_WORDS or stem.endswith(_COMMON_PLACE_STEMS):
            continue
        return True
    return False


def _numbers_left(text: str) -> tuple[bool, bool]:
    """Whether ``text`` (NFKC) holds a long or masked number, and whether one is written in
    numerals: every numeral counts as a digit here, even where it is too short to be read."""
    read = _read_numbers(text)[0].translate(_NUMERAL_TABLE)
    digits = numerals = False
    for match in _LONG_NUMBER.finditer(read):
        if sum(c.isdigit() for c in match.group()) < 2:
            continue
        if _NUMERALS.isdisjoint(text[match.start() : match.end()]):
            digits = True
        else:
            numerals = True
    return digits, numerals


def residual_risk(text: str) -> list[StrPromise]:
    """Return the reasons ``text`` may still identify someone, or ``[]`` when it looks clean.

    Run it on redacted text. The heuristics look for a common surname next to a title or
    kinship word (李建国老人, 王阿姨), a surname with a placeholder (李某, 张*), a named street,
    lane, village or community (幸福路, 张湾村), and long or masked numbers (138****8000), in
    digits or in numerals (一三八****八〇〇〇). They
    err towards flagging: a flagged need goes to a person, not to the bin. Never raises.
    """
    scanned = _nfkc_view(text)[0].replace(REDACTED, "〓")
    reasons: list[StrPromise] = []
    if _names_left(scanned):
        reasons.append(RESIDUAL_PERSON_NAME)
    if _SURNAME_PLACEHOLDER.search(scanned):
        reasons.append(RESIDUAL_SURNAME_PLACEHOLDER)
    if _places_left(scanned):
        reasons.append(RESIDUAL_PLACE_NAME)
    digits, numerals = _numbers_left(scanned)
    if digits:
        reasons.append(RESIDUAL_LONG_NUMBER)
    if numerals:
        reasons.append(RESIDUAL_NUMERALS)
    return reasons
