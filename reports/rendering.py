"""The report as HTML (the preview) and as an A4 PDF (WeasyPrint), from ``reports.content`` data.

The PDF fetches nothing: every style is in the document, the charts and the QR code are inline
SVG, and ``LocalOnlyFetcher`` refuses any URL that is not a ``data:`` URL, so a stray link in the
data can neither reach the network nor read a file. Fonts are the system's Noto CJK (Debian's
fonts-noto-cjk), embedded as subsets; ``html`` carries the font family so the page margin boxes
(running header, page numbers) inherit it.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from reports import charts
from reports.content import summary_lines


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno), black on white, with its quiet zone."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, dark="#000000", light="#ffffff")


def _charts(data: dict) -> dict:
    regions = data["regions"]
    by_region = None
    if regions:
        ordered = sorted(regions, key=lambda row: row["code"])
        by_region = charts.bar_chart(
            [row["name"] for row in ordered],
            [
                (_label(data, "needs_published"), [row["needs_published"] for row in ordered]),
                (_label(data, "claims_made"), [row["claims_made"] for row in ordered]),
            ],
            title=translation.gettext("By region"),
            horizontal=True,
        )
    months = data["months"]
    by_month = charts.bar_chart(
        [row["month"] for row in months],
        [
            (_label(data, "needs_published"), [row["needs_published"] for row in months]),
            (_label(data, "claims_made"), [row["claims_made"] for row in months]),
        ],
        title=translation.gettext("By month"),
    )
    return {"by_region": by_region, "by_month": by_month}


def _label(data: dict, key: str) -> str:
    return next(row["label"] for row in data["figures"] if row["key"] == key)


def render_html(
    data: dict, *, report=None, verify_url: str = "", snapshot: str = "", for_pdf: bool = False
) -> str:
    """The whole report as one HTML document (``for_pdf``: without the preview's toolbar)."""
    labels = {row["key"]: row["label"] for row in data["figures"]}
    units = {row["key"]: row["unit"] for row in data["figures"]}
    context = {
        "data": data,
        "report": report,
        "labels": labels,
        "units": units,
        "summary": summary_lines(data),
        "charts": _charts(data),
        "verify_url": verify_url,
        "qr": qr_svg(verify_url) if verify_url else "",
        "snapshot": snapshot,
        "for_pdf": for_pdf,
    }
    return render_to_string("reports/report.html", context)


def render_pdf(html: str) -> bytes:
    """The A4 PDF of ``html`` (from ``render_html``); raises nothing for a refused URL (it is
    left out), see ``reports.pdf.LocalOnlyFetcher``. WeasyPrint is imported here, not when
    the back office starts."""
    from reports.pdf import write_pdf

    return write_pdf(html)
