"""Scope and period parsing, and the periods a report compares with."""

from __future__ import annotations

from datetime import date

import pytest

from reports.periods import BadParameter, parse_period, parse_scope, scope_children


@pytest.mark.parametrize(
    ("text", "start", "end", "previous", "year_earlier"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "2025", "2025"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1), "2026-Q2", "2025-Q3"),
        ("2026-q1", date(2026, 1, 1), date(2026, 4, 1), "2025-Q4", "2025-Q1"),
        ("2026-03", date(2026, 3, 1), date(2026, 4, 1), "2026-02", "2025-03"),
        ("2026-01", date(2026, 1, 1), date(2026, 2, 1), "2025-12", "2025-01"),
        (
            "2026-07-01..2026-07-10",
            date(2026, 7, 1),
            date(2026, 7, 11),
            "2026-06-21..2026-06-30",
            "2025-07-01..2025-07-10",
        ),
        (
            "2028-02-29..2028-03-01",
            date(2028, 2, 29),
            date(2028, 3, 2),
            "2028-02-27..2028-02-28",
            "2027-02-28..2027-03-01",
        ),
    ],
)
def test_periods_and_their_comparisons(text, start, end, previous, year_earlier):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert period.previous().code == previous
    assert period.year_earlier().code == year_earlier


def test_months_of_a_period_are_cut_to_it():
    assert parse_period("2026-Q3").months() == [
        (date(2026, 7, 1), date(2026, 8, 1)),
        (date(2026, 8, 1), date(2026, 9, 1)),
        (date(2026, 9, 1), date(2026, 10, 1)),
    ]
    assert parse_period("2026-07-15..2026-08-02").months() == [
        (date(2026, 7, 15), date(2026, 8, 1)),
        (date(2026, 8, 1), date(2026, 8, 3)),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-Q5", "无法识别期间"),
        ("2026-13", "月份 13 不存在"),
        ("2026-09-31..2026-10-01", "日期不存在"),
        ("2026-10-01..2026-09-01", "结束日期早于开始日期"),
        ("1999", "超出 2000 至 2100"),
        ("", "无法识别期间"),
    ],
)
def test_a_bad_period_says_what_to_fix(text, says):
    with pytest.raises(BadParameter, match=says):
        parse_period(text)


@pytest.mark.django_db
def test_scopes_are_regions_of_hubei():
    assert parse_scope("420000").prefix == "42"
    wuhan = parse_scope("420100")
    assert (wuhan.name, wuhan.prefix) == ("武汉市", "4201")
    assert parse_scope("429004").is_city_level  # 仙桃: a city and a county
    with pytest.raises(BadParameter, match="不在湖北省行政区划中"):
        parse_scope("110000")
    with pytest.raises(BadParameter, match="不是区划代码"):
        parse_scope("42")
    assert len(scope_children(parse_scope("420000"))) == 17
    assert ("420111", "洪山区") in scope_children(wuhan)
    assert scope_children(parse_scope("420111")) == []
