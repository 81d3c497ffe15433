"""The report as a PDF: pdftotext finds the Chinese headings and the figures (fonts embedded,
no missing glyphs), and rendering fetches nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from reports.content import report_data, snapshot_sha256
from reports.pdf import LocalOnlyFetcher
from reports.periods import parse_period, parse_scope
from reports.rendering import render_html, render_pdf
from tests.reports.world import at, build_kpi_world

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdffonts"), str(path)], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make system-deps)")
def test_the_pdf_carries_the_chinese_headings_and_the_figures(tmp_path):
    build_kpi_world()
    with translation.override("zh-hans"):
        data = report_data(parse_scope("420100"), parse_period("2026-Q3"), as_of=at("2026-12-01 00:00"))
        snapshot = snapshot_sha256(data)
        html = render_html(
            data, verify_url="https://portal.example/reports/verify/abc/", snapshot=snapshot, for_pdf=True
        )
        pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    if dump := os.environ.get("REPORT_PDF_DUMP"):
        Path(dump).write_bytes(pdf)
    flat = "".join(text.split())
    headings = (
        "社会救助绩效评价报告 武汉市 2026年第3季度 主要指标 按地区 按月份 地区排名 机构评分卡 逾期未办结诉求"
    )
    for heading in [*headings.split(), "隐私审计", "附录：指标定义", "数据快照"]:
        assert heading in text, heading
    assert "认领率" in text and "75.0%" in text
    assert "¥1,000.00" in text  # charity money
    assert "法定救助覆盖（估算）" in text and "¥800.00" in text
    assert "按政策规则估算，并非实际支付金额" in flat
    assert "数据来源尚未接入" in text  # complaints, not zero
    assert snapshot in flat
    assert "第 1 页，共" in text
    # Every font embedded (a subset), none of them a missing-glyph fallback.
    fonts = pdf_fonts(pdf, tmp_path)
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in line for line in rows), fonts
    assert "Noto" in fonts and "\ufffd" not in text


def test_rendering_fetches_nothing():
    fetcher = LocalOnlyFetcher()
    html = (
        '<html><body><img src="https://example.org/x.png"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://example.org/x.css"></body></html>'
    )
    from weasyprint import HTML

    HTML(string=html, base_url="data:,", url_fetcher=fetcher).write_pdf()
    assert set(fetcher.refused) == {
        "https://example.org/x.png",
        "file:///etc/passwd",
        "http://example.org/x.css",
    }
    assert render_pdf(html).startswith(b"%PDF")
