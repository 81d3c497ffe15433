"""The public summary on /stats/ (aggregates, small counts suppressed), the privacy audit's
suppressed counts, and the KPI exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from marketplace.needs.models import Need
from privacy.models import SensitiveRead
from reports.audit import privacy_audit, suppress_counts
from reports.content import report_data
from reports.exports import as_csv, as_xlsx
from reports.periods import parse_period, parse_scope
from reports.public import public_summary
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory
from tests.reports.world import at, build_kpi_world

pytestmark = pytest.mark.django_db


def test_small_counts_and_the_one_that_would_give_them_away_are_hidden():
    shown = suppress_counts({"a": 3, "b": 40, "c": 12, "d": 0})
    assert shown["a"] is None  # 1..4
    assert shown["d"] == 0  # an empty cell reveals nobody
    assert [shown["b"], shown["c"]].count(None) == 1  # a complement, or a = total − b − c
    assert suppress_counts({"a": 10, "b": 7}) == {"a": 10, "b": 7}


def test_the_public_summary_shows_aggregates_with_small_counts_hidden(client):
    cache.clear()
    for _n in range(6):
        NeedFactory(region="420111", published_at=at("2026-08-10 09:00"))  # Wuhan: 6
    for _n in range(2):
        NeedFactory(region="420506", published_at=at("2026-08-10 09:00"))  # Yichang: 2
    summary = public_summary(today=at("2026-10-15 00:00").date())
    assert summary["period"] == "2026年第3季度"
    cities = {row["name"]: row["needs"] for row in summary["cities"]}
    assert cities["武汉市"] is None or cities["武汉市"] == 6
    assert cities["宜昌市"] is None  # 2: suppressed
    assert cities["十堰市"] == 0
    figures = {row["key"]: row["value"] for row in summary["figures"]}
    assert figures["needs_published"] == 8
    assert "statutory_coverage_estimate" not in figures


def test_the_stats_page_carries_the_panel(client):
    cache.clear()
    page = client.get("/stats/").content.decode()
    assert "慈善帮扶数据" in page


def test_the_privacy_audit_counts_in_sql_and_suppresses():
    world = build_kpi_world()
    Need.objects.filter(pk=world.needs["n2"].pk).update(public_region_id="420100", public_class="c1")
    Need.objects.filter(pk=world.needs["n1"].pk).update(public_class="c2")
    Need.objects.filter(pk=world.needs["n4"].pk).update(public_class="c2")
    NeedFactory(region="420111", pending_review=True, hold_reasons=[{"code": "residual_risk", "detail": ""}])
    reader = UserFactory(supervisor=True)
    for _n in range(6):
        read = SensitiveRead.objects.create(
            user=reader, username="x", kind="evidence", reference="1", path="/"
        )
        SensitiveRead.objects.filter(pk=read.pk).update(at=at("2026-08-01 10:00"))
    audit = privacy_audit(parse_scope("420100"), parse_period("2026-Q3"))
    sizes = audit["class_sizes"]
    assert sizes["minimum"] == 1 and sizes["classes"] == 2
    assert sizes["bands"][0]["classes"] == 2 and sizes["bands"][0]["below_k"]  # shown: it is the finding
    assert audit["placement"]["at_city"] is None  # 1 need: suppressed
    assert audit["held"]["total"] is None  # 2 held (the rejected one and this one): suppressed
    assert audit["reads"]["total"] == 6
    supervisors = next(row for row in audit["reads"]["by_role"] if row["label"] == "监管人员")
    assert supervisors["count"] == 6
    assert audit["redactions"] == {"landed": False}


def test_kpi_tables_export_as_xlsx_and_csv():
    build_kpi_world()
    data = report_data(parse_scope("420100"), parse_period("2026-Q3"), as_of=at("2026-12-01 00:00"))
    workbook = load_workbook(io.BytesIO(as_xlsx(data)))
    assert workbook.sheetnames[0] == "主要指标"
    rows = list(workbook["主要指标"].iter_rows(values_only=True))
    assert rows[0][0] == "指标"
    claim_rate = next(row for row in rows if row[0] == "认领率")
    assert float(claim_rate[2]) == 75.0
    assert workbook.sheetnames[1:] == ["低收入人口类别", "救助类型", "推送部门", "地区排名"]
    text = as_csv(data)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["主要指标"] in table
    assert any(row[:3] == ["认领率", "percent", "75.0"] for row in table)
