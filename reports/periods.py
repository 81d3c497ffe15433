"""A report's scope (a region code) and period, parsed from what people and scripts type.

Pure functions over plain values (the scope's lookup in the region tree aside): the period
``2026``, ``2026-Q3``, ``2026-07`` or ``2026-07-01..2026-09-30`` becomes the half-open interval
of dates [start, end), the end date of a custom range included; its comparisons are the period
just before it (a quarter's previous quarter, a range's equally long range before it) and the
same period a year earlier. Days are Asia/Shanghai days (``TIME_ZONE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import Region, code_prefix

YEAR = "year"
QUARTER = "quarter"
MONTH = "month"
RANGE = "range"

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# A custom range longer than this is refused: a report covers at most a few years.
MAX_RANGE_DAYS = 366 * 5


class BadParameter(ValueError):
    """A scope or period that cannot be reported on; the message says what to fix (Chinese)."""


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """[start, end) in days; ``kind`` is year, quarter, month or range; ``code`` as typed
    (normalized: ``2026-Q3``)."""

    kind: str
    start: date
    end: date
    code: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("Year %(year)d") % {"year": self.start.year}
        if self.kind == QUARTER:
            quarter = (self.start.month - 1) // 3 + 1
            return _("%(year)d Q%(quarter)d") % {"year": self.start.year, "quarter": quarter}
        if self.kind == MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        return _("%(start)s to %(end)s") % {"start": self.start.isoformat(), "end": self.last_day.isoformat()}

    def previous(self) -> Period:
        """The period just before: the previous year, quarter or month; for a range, the range
        of as many days ending the day before it starts."""
        if self.kind == YEAR:
            return parse_period(str(self.start.year - 1))
        if self.kind == QUARTER:
            start = _add_months(self.start, -3)
            return parse_period(f"{start.year}-Q{(start.month - 1) // 3 + 1}")
        if self.kind == MONTH:
            start = _add_months(self.start, -1)
            return parse_period(f"{start.year}-{start.month:02d}")
        start = self.start - timedelta(days=self.days)
        return _range(start, self.start)

    def year_earlier(self) -> Period:
        """The same period one year earlier (29 February becomes the 28th)."""
        if self.kind == YEAR:
            return parse_period(str(self.start.year - 1))
        if self.kind == QUARTER:
            quarter = (self.start.month - 1) // 3 + 1
            return parse_period(f"{self.start.year - 1}-Q{quarter}")
        if self.kind == MONTH:
            return parse_period(f"{self.start.year - 1}-{self.start.month:02d}")
        return _range(_year_earlier(self.start), _year_earlier(self.last_day) + timedelta(days=1))

    def months(self) -> list[tuple[date, date]]:
        """The calendar months the period touches, each cut to the period: [(start, end)]."""
        months, cursor = [], self.start
        while cursor < self.end:
            following = _add_months(cursor.replace(day=1), 1)
            months.append((cursor, min(following, self.end)))
            cursor = following
        return months

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's [start, end) as aware datetimes at midnight, Asia/Shanghai."""
        return day_start(self.start), day_start(self.end)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _range(start: date, end: date) -> Period:
    return Period(RANGE, start, end, f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")


def parse_period(text: str) -> Period:
    """``YYYY``, ``YYYY-Qn``, ``YYYY-MM`` or ``YYYY-MM-DD..YYYY-MM-DD`` (both days included);
    raises ``BadParameter`` saying what is wrong."""
    text = (text or "").strip()
    if match := _YEAR.match(text):
        year = int(match[1])
        _check_year(year)
        return Period(YEAR, date(year, 1, 1), date(year + 1, 1, 1), text)
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        _check_year(year)
        start = date(year, 3 * quarter - 2, 1)
        return Period(QUARTER, start, _add_months(start, 3), f"{year}-Q{quarter}")
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        _check_year(year)
        if not 1 <= month <= 12:
            raise BadParameter(_("Month %(month)s does not exist: use 01 to 12.") % {"month": match[2]})
        start = date(year, month, 1)
        return Period(MONTH, start, _add_months(start, 1), text)
    if match := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as error:
            raise BadParameter(_("A date of the range does not exist: %(text)s.") % {"text": text}) from error
        if last < first:
            raise BadParameter(_("The range ends before it starts: %(text)s.") % {"text": text})
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadParameter(_("The range is longer than five years: %(text)s.") % {"text": text})
        _check_year(first.year)
        return _range(first, last + timedelta(days=1))
    raise BadParameter(
        _(
            "Period %(text)s is not understood: write YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD "
            "(e.g. 2026-Q3)."
        )
        % {"text": text or '""'}
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise BadParameter(_("Year %(year)d is outside 2000 to 2100.") % {"year": year})


@dataclass(frozen=True)
class Scope:
    """A province, city or county by its GB/T 2260 code; ``prefix`` selects everything inside."""

    code: str
    name: str
    level: str
    is_city_level: bool

    @property
    def prefix(self) -> str:
        return code_prefix(self.code)


def parse_scope(code: str) -> Scope:
    """The region of ``code`` (six digits, in the region tree); raises ``BadParameter``."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise BadParameter(
            _("Scope %(code)s is not a region code: write six digits, e.g. 420000 for Hubei.")
            % {"code": code or '""'}
        )
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise BadParameter(_("Region %(code)s is not in the region tree of Hubei.") % {"code": code})
    return Scope(code=region.code, name=region.name, level=region.level, is_city_level=region.is_city_level)


def scope_children(scope: Scope) -> list[tuple[str, str]]:
    """The regions a report ranks inside ``scope``: the province's 17 city-level units, a
    city's counties; a county has none. [(code, name)], by code."""
    if scope.prefix == scope.code[:2]:
        regions = Region.objects.city_level()
    elif scope.level == "county":
        return []
    else:
        regions = Region.objects.within(scope.code).exclude(code=scope.code)
    return list(regions.order_by("code").values_list("code", "name"))
