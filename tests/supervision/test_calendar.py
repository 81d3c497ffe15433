"""The working-day clock: statutory holidays and make-up days from chinese-calendar, the day of
submission not counted, deadlines at 23:59:59 Asia/Shanghai, the holiday table beyond the
package's years."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest

from supervision.calendar import (
    TIME_ZONE,
    add_working_days,
    calendar_needs_update,
    package_covers,
    working_days_left,
)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TIME_ZONE)


def expected_deadline(start: date, days: int) -> date:
    """Counted independently, straight from chinese_calendar."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


@pytest.mark.parametrize(
    ("filed", "days", "due"),
    [
        # Spring Festival 2026: 15–23 February off; Saturday 14 and Saturday 28 February worked.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday → the make-up Saturday
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # filed on the make-up day: after the holiday
        (date(2026, 2, 26), 2, date(2026, 2, 28)),  # Thursday + 2 → the make-up Saturday
        # National Day 2026: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Friday → the make-up Sunday
        # Spring Festival 2025 (28 Jan – 4 Feb off; 26 Jan and 8 Feb worked), National Day 2025.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        # An ordinary Friday: Monday.
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
    ],
)
def test_due_dates_across_holidays_and_make_up_days(filed, days, due):
    deadline = add_working_days(at(filed), days)
    assert deadline == datetime.combine(due, time(23, 59, 59), tzinfo=TIME_ZONE)
    assert due == expected_deadline(filed, days)


def test_every_start_around_the_festivals_agrees_with_chinese_calendar():
    for first in (date(2025, 1, 15), date(2025, 9, 20), date(2026, 2, 5), date(2026, 9, 15)):
        for offset in range(30):
            filed = first + timedelta(days=offset)
            for days in (1, 3, 7, 15):
                assert add_working_days(at(filed), days).date() == expected_deadline(filed, days)


def test_the_day_of_submission_does_not_count_even_late_at_night():
    late = datetime(2026, 3, 6, 23, 59, tzinfo=TIME_ZONE)  # Friday night
    assert add_working_days(late, 1).date() == date(2026, 3, 9)
    # 16:30 UTC on Friday is already Saturday in Shanghai.
    utc = datetime(2026, 3, 6, 16, 30, tzinfo=TIME_ZONE).astimezone(TIME_ZONE) + timedelta(hours=8)
    assert add_working_days(utc, 1).date() == date(2026, 3, 9)


def test_working_days_left_is_the_inverse():
    for offset in range(40):
        now = at(date(2026, 1, 20) + timedelta(days=offset))
        for days in (1, 2, 5, 10):
            assert working_days_left(add_working_days(now, days), now) == days
    deadline = add_working_days(at(date(2026, 3, 2)), 1)  # Tuesday 23:59:59
    assert working_days_left(deadline, deadline) == 0
    assert working_days_left(deadline, at(date(2026, 3, 6))) == -3  # Friday: 3 working days late


@pytest.mark.django_db
def test_years_the_package_does_not_cover_use_weekends_and_the_holiday_table():
    from supervision.models import Holiday

    assert not package_covers(date(2027, 1, 4))
    # Without the table: weekends only. Friday 1 January 2027 + 1 → Monday 4 January.
    assert add_working_days(at(date(2026, 12, 31)), 1).date() == date(2027, 1, 1)
    assert add_working_days(at(date(2027, 1, 1)), 1).date() == date(2027, 1, 4)
    Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    Holiday.objects.create(date=date(2027, 1, 2), name="调休", working_day=True)
    assert add_working_days(at(date(2026, 12, 31)), 1).date() == date(2027, 1, 2)
    assert add_working_days(at(date(2026, 12, 31)), 2).date() == date(2027, 1, 4)


def test_the_back_office_is_warned_before_the_package_runs_out():
    assert calendar_needs_update(date(2026, 12, 3))
    assert not calendar_needs_update(date(2026, 3, 1))
