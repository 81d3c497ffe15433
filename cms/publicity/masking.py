"""Masking a recipient list at import (公示名单脱敏): what a row publishes, or why it is refused.

Pure: plain values in, plain values out, no database. The rule (issue 12, docs/decisions/
0016-publicity-list-masking.md):

* **Name** (姓名): ``privacy.generalize.mask_name_for_publicity``: ``张*``, ``王*英``,
  ``欧**娜``, ``买**·**``. Bracketed notes after a name (``（户主）``) are dropped first.
* **ID number and phone** (身份证号, 联系电话): never read into the output; they are used only
  to check that no other column repeats them.
* **Address** (家庭住址): cut to the village or community (``张家湾村``, ``珞南街道张家湾社区``):
  the text up to the first village or community word (村, 社区, 居委会 …) with one Han
  character at least before it, from after the last province, city or county word before it
  (the list's region already names those). With no such word, cut to the street or township
  (街道, 镇, 乡); with none either, nothing is shown. Everything after the cut (groups,
  buildings, house numbers) is dropped, and a cut piece holding any digit is dropped too, so a
  house number never survives a cut made mid-word.
* **Kept values**: household size (1-30), assistance type (short text), amount (CNY, up to
  1,000,000.00) and start month, each parsed; a value that does not parse refuses the row.

Then every published value of a row is checked with the privacy detectors
(``privacy.redaction``): ``redact`` with the row's own name, ID number and phone (in any
writing: full-width digits, numerals, separators) and every identifier pattern, ``residual_risk``
for long or partly masked numbers in digits or numerals, and every full name of the whole
file (given names alone only the row's own: 红霞 names people and villages alike). A row
whose output still holds any of these is refused with its row number and the column, never
the value; an import with a refused row publishes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext as _

from cms.publicity.spreadsheet import (
    ADDRESS,
    AMOUNT,
    ASSISTANCE_TYPE,
    DROPPED_COLUMNS,
    HOUSEHOLD_SIZE,
    ID_NUMBER,
    NAME,
    PHONE,
    START_MONTH,
    Table,
)
from privacy.generalize import mask_name_for_publicity
from privacy.redaction import (
    RESIDUAL_LONG_NUMBER,
    RESIDUAL_NUMERALS,
    IdentityValues,
    redact,
    residual_risk,
)

MAX_AMOUNT = Decimal("1000000.00")
MAX_HOUSEHOLD_SIZE = 30
MAX_ASSISTANCE_TYPE = 30
MAX_LOCALITY = 30


@dataclass(frozen=True)
class MaskedRow:
    """What one recipient's row publishes. Holds no raw value by construction."""

    number: int
    name: str
    locality: str = ""
    household_size: int | None = None
    assistance_type: str = ""
    amount: Decimal | None = None
    start_month: date | None = None

    def texts(self) -> dict[str, str]:
        """Each published value as the page shows it, by column key (for the leak checks)."""
        return {
            NAME: self.name,
            ADDRESS: self.locality,
            HOUSEHOLD_SIZE: "" if self.household_size is None else str(self.household_size),
            ASSISTANCE_TYPE: self.assistance_type,
            AMOUNT: "" if self.amount is None else format(self.amount, "f"),
            START_MONTH: "" if self.start_month is None else f"{self.start_month:%Y-%m}",
        }


@dataclass(frozen=True)
class Refusal:
    """A row that is not published: its number, the column's header and why (never the value)."""

    number: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)d, column %(column)s: %(reason)s") % {
            "row": self.number,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MaskedList:
    """The result of masking a file: the rows to publish, the refusals, and what was left out."""

    rows: list[MaskedRow]
    refusals: list[Refusal]
    ignored_columns: list[str]
    dropped_columns: list[str]
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    def summary(self) -> dict:
        """What the back office shows and keeps of an import: counts, headers, row numbers."""
        return {
            "rows": len(self.rows),
            "ignored_columns": self.ignored_columns,
            "dropped_columns": self.dropped_columns,
            "skipped_rows": self.skipped_rows,
            "refused_rows": sorted({refusal.number for refusal in self.refusals}),
        }


# --- names ---------------------------------------------------------------------------------------

_NOTES = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")


def clean_name(raw: str) -> str:
    """A name as written, NFKC, without spaces and bracketed notes (``张三（户主）`` → ``张三``)."""
    return "".join(_NOTES.sub("", unicodedata.normalize("NFKC", raw)).split())


def _name_needles(names: Iterable[str]) -> frozenset[str]:
    """Every full name of the file (of two characters or more), and a dotted one without its dots.

    Given names alone are not looked for across rows: 红霞, 桂英, 建国 name people and villages
    alike, and a village's name is public. A row's own given name is (``IdentityValues``).
    """
    needles: set[str] = set()
    for name in names:
        if len(name) >= 2:
            needles.add(name)
            needles.add(re.sub(r"[·•・‧.﹒]", "", name))
    return frozenset(needle for needle in needles if len(needle) >= 2)


def _holds_needle(text: str, needles: frozenset[str], longest: int) -> bool:
    compact = "".join(text.split())
    return any(
        compact[start : start + size] in needles
        for size in range(2, min(longest, len(compact)) + 1)
        for start in range(len(compact) - size + 1)
    )


# --- addresses -----------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGIT = re.compile(r"[0-9]")
_ADMIN_ENDS = "省市州盟区县旗"
_VILLAGE = re.compile(r"社区居民委员会|社区居委会|居民委员会|村民委员会|村委会|居委会|社区|村|嘎查")
_VILLAGE_SHORT = {
    "社区居民委员会": "社区",
    "社区居委会": "社区",
    "居民委员会": "居委会",
    "村民委员会": "村",
    "村委会": "村",
}
_TOWN = re.compile(r"街道办事处|街道|镇|乡")
_TOWN_SHORT = {"街道办事处": "街道"}


def _cut_at(address: str, pattern: re.Pattern[str], short: dict[str, str]) -> str:
    for match in pattern.finditer(address):
        before = address[: match.start()]
        start = max(before.rfind(end) for end in _ADMIN_ENDS) + 1
        stem = before[start:]
        if not _HAN.search(stem):
            continue
        piece = stem + short.get(match.group(), match.group())
        if _DIGIT.search(piece) or len(piece) > MAX_LOCALITY:
            return ""
        return piece
    return ""


def cut_address(raw: str) -> str:
    """The village or community of ``raw`` (or its street or township), or ``""``. Never raises."""
    address = "".join(_NOTES.sub("", unicodedata.normalize("NFKC", raw)).split())
    return _cut_at(address, _VILLAGE, _VILLAGE_SHORT) or _cut_at(address, _TOWN, _TOWN_SHORT)


# --- kept values -----------------------------------------------------------------------------------


class _Unreadable(ValueError):
    """A kept value that does not parse; ``reason`` says what the column must hold."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _household_size(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw).strip().removesuffix("口").removesuffix("人").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= MAX_HOUSEHOLD_SIZE:
        raise _Unreadable(_("a whole number of people from 1 to %(n)d") % {"n": MAX_HOUSEHOLD_SIZE})
    return int(text)


def _amount(raw: str) -> Decimal | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.removeprefix("¥").removesuffix("元").replace(",", "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,7}(?:\.[0-9]{1,2})?", text):
        raise _Unreadable(_("an amount in yuan, at most %(max)s") % {"max": f"{MAX_AMOUNT:,}"})
    amount = Decimal(text)
    if amount > MAX_AMOUNT:
        raise _Unreadable(_("an amount in yuan, at most %(max)s") % {"max": f"{MAX_AMOUNT:,}"})
    return amount.quantize(Decimal("0.01"))


_MONTH = re.compile(
    r"(?P<year>(?:19|20)[0-9]{2})\s*(?:[-/.年]\s*(?P<month>[0-9]{1,2})|(?P<month2>[0-9]{2}))"
    r"(?:\s*[-/.月]?\s*(?:[0-9]{1,2}\s*日?)?)?\s*月?\s*(?:起|开始|起始)?"
)


def _start_month(raw: str) -> date | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    match = _MONTH.fullmatch(text)
    reason = _("a month such as 2026-11 or 2026年11月")
    if match is None:
        raise _Unreadable(reason)
    month = int(match["month"] or match["month2"])
    if not 1 <= month <= 12:
        raise _Unreadable(reason)
    return date(int(match["year"]), month, 1)


def _assistance_type(raw: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if len(text) > MAX_ASSISTANCE_TYPE:
        raise _Unreadable(
            _("a short name of the kind of assistance (at most %(n)d characters)")
            % {"n": MAX_ASSISTANCE_TYPE}
        )
    return text


# --- the file ------------------------------------------------------------------------------------

_NUMBER_RISKS = (RESIDUAL_LONG_NUMBER, RESIDUAL_NUMERALS)
_NO_IDENTITY = IdentityValues()


def _leak(
    text: str, identity: IdentityValues, needles: frozenset[str], longest: int, *, name: bool
) -> str | None:
    """Why published ``text`` still identifies someone, or None."""
    if not text:
        return None
    if redact(text, identity=identity).changed:
        return _("it still holds an ID number, a phone number or a name")
    if any(risk in _NUMBER_RISKS for risk in residual_risk(text)):
        return _("it still holds a long number that may be an ID or phone number")
    if not name and _holds_needle(text, needles, longest):
        return _("it still holds a person's full name")
    if name and "*" not in text:
        return _("the name cannot be masked")
    return None


def mask_table(table: Table) -> MaskedList:
    """Mask every row of ``table``; see the module's docstring for the rule. Never raises."""
    columns = table.columns
    cell = lambda cells, key: cells[columns[key]] if key in columns and columns[key] < len(cells) else ""  # noqa: E731
    names = [clean_name(cell(cells, NAME)) for _number, cells in table.rows]
    needles = _name_needles(names)
    longest = max((len(needle) for needle in needles), default=0)
    used = set(columns.values())
    # A header is named in the summary unless it looks like a value (a row of data above the
    # real header row, say): then only its position is.
    ignored = [
        _("column %(n)d") % {"n": index + 1}
        if _leak(header, _NO_IDENTITY, needles, longest, name=False)
        else header
        for index, header in enumerate(table.headers)
        if index not in used and header
    ]
    dropped = [table.header_of(key) for key in sorted(DROPPED_COLUMNS) if key in columns]
    rows: list[MaskedRow] = []
    refusals: list[Refusal] = []
    skipped: list[int] = []
    for (number, cells), name in zip(table.rows, names, strict=True):
        if not name:
            # A title, a total or the footer (监督电话 …) below the list: not a recipient.
            skipped.append(number)
            continue
        row_refusals: list[Refusal] = []
        values: dict[str, object] = {}
        for key, parse in (
            (HOUSEHOLD_SIZE, _household_size),
            (AMOUNT, _amount),
            (START_MONTH, _start_month),
            (ASSISTANCE_TYPE, _assistance_type),
        ):
            try:
                values[key] = parse(cell(cells, key))
            except _Unreadable as exc:
                row_refusals.append(
                    Refusal(number, table.header_of(key), _("it must hold %(what)s") % {"what": exc.reason})
                )
        if row_refusals:
            refusals += row_refusals
            continue
        masked = MaskedRow(
            number=number,
            name=mask_name_for_publicity(name),
            locality=cut_address(cell(cells, ADDRESS)),
            household_size=values[HOUSEHOLD_SIZE],  # type: ignore[arg-type]
            assistance_type=values[ASSISTANCE_TYPE] or "",  # type: ignore[arg-type]
            amount=values[AMOUNT],  # type: ignore[arg-type]
            start_month=values[START_MONTH],  # type: ignore[arg-type]
        )
        identity = IdentityValues(
            names=[name],
            id_numbers=[value for value in [cell(cells, ID_NUMBER)] if value],
            phones=[value for value in [cell(cells, PHONE)] if value],
        )
        for key, text in masked.texts().items():
            reason = _leak(text, identity, needles, longest, name=key == NAME)
            if reason is not None:
                header = table.header_of(key) if key in columns else key
                row_refusals.append(Refusal(number, header, reason))
        if row_refusals:
            refusals += row_refusals
        else:
            rows.append(masked)
    return MaskedList(
        rows=rows, refusals=refusals, ignored_columns=ignored, dropped_columns=dropped, skipped_rows=skipped
    )


def published_leak(row: MaskedRow) -> bool:
    """Whether a stored row's published values hold an identifier or an unmasked name: the
    second line, for rows already stored (their raw values are gone, so only patterns count)."""
    return any(_stored_text_leaks(text, name=key == NAME) for key, text in row.texts().items())


@lru_cache(maxsize=50_000)
def _stored_text_leaks(text: str, *, name: bool) -> bool:
    """``_leak`` of a stored value, remembered: a list is checked each time it is saved (created,
    revised, published) and its rows share many values (categories, villages). Only published,
    masked values are remembered."""
    return _leak(text, _NO_IDENTITY, frozenset(), 0, name=name) is not None
