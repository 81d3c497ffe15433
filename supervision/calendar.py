"""The working-day clock of tickets (工作日), in Asia/Shanghai.

Working days are China's: Monday to Friday, minus the statutory holidays, plus the make-up
working days (调休上班) on weekends, as the State Council publishes them each year. The
``chinesecalendar`` package (module ``chinese_calendar``, pinned in requirements.txt) carries
them for the years it covers; a release each winter adds the next year. For a year it does not
cover yet, weekends count as days off and the back office's holiday table
(``supervision.models.Holiday``) adds holidays and make-up days; the back office shows a
warning while the table is used (``calendar_needs_update``).

The rule of a limit of N working days: the day of submission does not count; the limit ends at
23:59:59 of the N-th working day after it. A ticket filed on Friday with 1 working day is due
on Monday (or the next working day) at 23:59:59.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

TIME_ZONE = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


def package_covers(day: date) -> bool:
    """Whether the chinese-calendar package knows the holidays of ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _table() -> Mapping[date, bool]:
    """The back office's holiday table: date → whether it is worked. Read only for years the
    package does not cover (the import is here so that the pure functions need no database
    unless they are given such a year)."""
    from supervision.models import Holiday

    return dict(Holiday.objects.values_list("date", "working_day"))


def is_working_day(day: date, *, table: Mapping[date, bool] | None = None) -> bool:
    """Whether ``day`` is a working day (``table``: the holiday table, read when needed)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        table = _table() if table is None else table
        if day in table:
            return table[day]
        return day.weekday() < 5


def local_date(moment: datetime) -> date:
    return moment.astimezone(TIME_ZONE).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=TIME_ZONE)


def add_working_days(start: datetime, days: int, *, table: Mapping[date, bool] | None = None) -> datetime:
    """The deadline of a limit of ``days`` working days from ``start`` (aware): 23:59:59
    Asia/Shanghai of the ``days``-th working day after ``start``'s day (0: that day's end)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = local_date(start)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if not package_covers(day) and table is None:
            table = _table()
        if is_working_day(day, table=table):
            counted += 1
    return end_of_day(day)


def working_days_left(deadline: datetime, now: datetime, *, table: Mapping[date, bool] | None = None) -> int:
    """The inverse of ``add_working_days``: how many working days after ``now``'s day, up to
    and including ``deadline``'s day, remain (0: due by the end of today; negative: that many
    working days overdue). ``add_working_days(now, n)`` has ``n`` working days left."""
    today, last = local_date(now), local_date(deadline)
    sign = 1 if last >= today else -1
    low, high = (today, last) if sign > 0 else (last, today)
    if any(not package_covers(d) for d in (low, high)) and table is None:
        table = _table()
    count = 0
    day = low
    while day < high:
        day += timedelta(days=1)
        if is_working_day(day, table=table):
            count += 1
    if sign < 0:
        return -count if now > deadline else 0
    return count


def calendar_needs_update(today: date, *, horizon_days: int = 60) -> bool:
    """Whether the package stops covering the days ahead (``horizon_days``): the back office
    then warns that the holiday table (or the package) needs the coming year's holidays."""
    return not package_covers(today + timedelta(days=horizon_days))
