"""The figures measured the fast way are the figures measured one by one: the three periods of a
report in one query per source, every breakdown row in one query, medians by PERCENTILE_CONT
(PostgreSQL) against the middle values read in order; and the appendix gives the definitions in
Chinese."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import kpis
from reports.content import report_data, snapshot_sha256
from reports.periods import parse_period, parse_scope
from reports.rendering import render_html, render_pdf
from tests.factories.needs import NeedFactory
from tests.reports.world import _claim, at, build_kpi_world

pytestmark = pytest.mark.django_db

AS_OF = at("2026-12-01 00:00")


def window(period: str, prefix: str = "4201") -> kpis.Window:
    start, end = parse_period(period).bounds()
    return kpis.Window(prefix=prefix, start=start, end=end, as_of=AS_OF)


def world_over_three_periods():
    """The constructed world (2026-Q3, and a need in Q2), plus the same quarter a year earlier:
    two needs, one claimed after 2 days and one after 5 (median 3.5 days)."""
    world = build_kpi_world()
    for published, claimed in (
        ("2025-07-01 08:00", "2025-07-03 08:00"),
        ("2025-08-01 08:00", "2025-08-06 08:00"),
    ):
        need = NeedFactory(region="420111", need_type="medical", published_at=at(published))
        _claim(need, world.org, claimed)
    return world


def every_group() -> list:
    groups, _labels = kpis.breakdown_groups()
    return groups


def test_three_periods_in_one_query_are_each_period_measured_alone():
    world_over_three_periods()
    windows = {"current": window("2026-Q3"), "previous": window("2026-Q2"), "year_earlier": window("2025-Q3")}
    together = kpis.compare(windows)
    for name, alone_window in windows.items():
        alone = kpis.measure(alone_window)["all"]
        for key in kpis.KPIS:
            assert together[name][key].value == alone[key].value, (name, key)
            assert together[name][key].parts == alone[key].parts, (name, key)
    assert together["current"]["needs_published"].value == 4
    assert together["previous"]["needs_published"].value == 2  # 2 May (expired since) and 30 June
    assert together["year_earlier"]["needs_published"].value == 2
    assert together["year_earlier"]["median_days_to_first_claim"].value == Decimal("3.5")
    assert together["year_earlier"]["claim_rate"].value == Decimal("100.0")
    assert together["year_earlier"]["verification_rate"].value is None  # nothing reported


def test_breakdown_rows_measured_together_are_each_row_measured_alone():
    world_over_three_periods()
    groups = every_group()
    together = kpis.measure(window("2026-Q3"), groups=groups)
    for group in groups:
        alone = kpis.measure(window("2026-Q3"), groups=[group])[group[0]]
        for key in kpis.KPIS:
            assert together[group[0]][key].value == alone[key].value, (group[0], key)
    assert together["need_type:medical"]["median_days_to_first_claim"].value == Decimal("1.0")
    assert together["categories:dibao"]["needs_published"].value == 3


def test_medians_are_the_middle_values_read_in_order():
    """PERCENTILE_CONT on PostgreSQL against counting and reading the middle one or two values in
    order (the way SQLite measures them): the same figure in every group."""
    world_over_three_periods()
    groups = [*kpis.ALL, *every_group()]
    for period in ("2026-Q3", "2025-Q3"):
        measured = kpis.measure(window(period), groups=groups)
        for key, item in kpis.KPIS.items():
            if not isinstance(item.formula, kpis.MedianIn):
                continue
            ((name, spec),) = item.aggregates(window(period)).items()
            source = kpis.SOURCES[item.source]
            facts = source.load("4201", *parse_period(period).bounds())
            for group, condition in groups:
                in_order = kpis._median(facts, spec, condition(source))
                assert measured[group][key].parts[name] == in_order, (period, group, key)
    assert kpis.measure(window("2026-Q3"))["all"]["feedback_median_hours"].value == Decimal("4.0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads medians apart")
def test_one_query_per_source_however_many_breakdown_rows():
    world_over_three_periods()
    with CaptureQueriesContext(connection) as queries:
        kpis.measure(window("2026-Q3"), groups=every_group())
    selects = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    assert len(selects) == len(kpis.SOURCES)


def test_the_appendix_gives_the_definitions_in_chinese(tmp_path):
    build_kpi_world()
    with translation.override("zh-hans"):
        data = report_data(parse_scope("420100"), parse_period("2026-Q3"), as_of=AS_OF, privacy=False)
        html = render_html(data, verify_url="https://portal.example/reports/verify/abc/", snapshot="0" * 64)
    appendix = html[html.index("附录：指标定义") :]
    assert "认领率 = 统计期内发布且至少收到一次认领的需求数" in appendix
    assert "并非任何人实际支付的资金" in appendix  # the statutory estimate, never added to money
    assert "按时办结率 = 统计期内提交" in appendix
    assert "Claim rate =" not in appendix and "needs published in the period" not in appendix
    with translation.override("en"):
        english = report_data(parse_scope("420100"), parse_period("2026-Q3"), as_of=AS_OF, privacy=False)
    claim_rate = next(row for row in english["definitions"] if row["key"] == "claim_rate")
    assert claim_rate["definition"].startswith("Claim rate = needs published in the period")


def test_every_definition_has_its_chinese_translation():
    with translation.override("zh-hans"):
        for key, item in kpis.KPIS.items():
            chinese = item.translated_definition
            assert chinese != item.definition, key
            assert re.match(r"^[\u4e00-\u9fff（）+0-9]+ = ", chinese), key


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make system-deps)")
def test_the_pdf_appendix_is_in_chinese(tmp_path):
    build_kpi_world()
    with translation.override("zh-hans"):
        data = report_data(parse_scope("420100"), parse_period("2026-Q3"), as_of=AS_OF, privacy=False)
        html = render_html(
            data,
            verify_url="https://portal.example/reports/verify/abc/",
            snapshot=snapshot_sha256(data),
            for_pdf=True,
        )
        pdf = render_pdf(html)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())
    assert "认领率=统计期内发布且至少收到一次认领的需求数" in flat
    assert "满意率=统计期内提交、评价为满意的诉求数" in flat
    assert "ticketssubmittedintheperiod" not in flat
