"""Bar charts as SVG, drawn on the server for the HTML preview and the PDF (no JavaScript).

Two series are told apart by fill AND pattern (solid vs hatched), and every bar carries its
value as text, so the chart reads without colour (colour-blind-safe). Colours are from the
Okabe–Ito palette. Pure functions: data in, markup out; every text is escaped.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

SERIES_COLOURS = ("#0072B2", "#E69F00")  # Okabe–Ito blue, orange
FONT = "Noto Sans CJK SC, sans-serif"


def _number(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _label(value) -> str:
    if value is None:
        return "—"
    number = _number(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"


def bar_chart(
    categories: list[str],
    series: list[tuple[str, list]],
    *,
    title: str,
    width: int = 640,
    bar_area: int = 180,
    horizontal: bool = False,
) -> SafeString:
    """A grouped bar chart of ``series`` ([(name, values)], one value per category, at most two
    series) with a legend; horizontal bars (one row per category) for long category names."""
    maximum = max([_number(v) for _name, values in series for v in values] + [Decimal(1)])
    # Ids are document-wide: each chart's pattern gets its own (two charts share a page).
    hatch = "hatch-" + hashlib.sha256(title.encode()).hexdigest()[:8]
    parts: list[str] = []
    defs = (
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SERIES_COLOURS[1]}" stroke-width="4"/></pattern></defs>'
    )
    fills = (SERIES_COLOURS[0], f"url(#{hatch})")
    legend_y = 18
    legend = []
    for index, (name, _values) in enumerate(series):
        x = 10 + index * 200
        legend.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="14" height="12" fill="{fills[index]}" '
            f'stroke="{SERIES_COLOURS[index]}"/>'
            f'<text x="{x + 20}" y="{legend_y}" font-size="11">{escape(name)}</text>'
        )
    if horizontal:
        row = 14 * len(series) + 8
        label_width = 120
        height = 34 + row * len(categories)
        scale = Decimal(width - label_width - 70) / maximum
        for i, category in enumerate(categories):
            y = 30 + i * row
            parts.append(
                f'<text x="{label_width - 6}" y="{y + row / 2 + 2:.1f}" font-size="10" '
                f'text-anchor="end">{escape(category)}</text>'
            )
            for s, (_name, values) in enumerate(series):
                value = values[i]
                length = float(_number(value) * scale)
                by = y + s * 14
                parts.append(
                    f'<rect x="{label_width}" y="{by}" width="{length:.1f}" height="12" '
                    f'fill="{fills[s]}" stroke="{SERIES_COLOURS[s]}"/>'
                    f'<text x="{label_width + length + 4:.1f}" y="{by + 10}" '
                    f'font-size="9">{_label(value)}</text>'
                )
    else:
        height = bar_area + 70
        slot = (width - 40) / max(len(categories), 1)
        bar = min(28.0, (slot - 8) / max(len(series), 1))
        base = 30 + bar_area
        scale = Decimal(bar_area - 14) / maximum
        parts.append(f'<line x1="30" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#333"/>')
        for i, category in enumerate(categories):
            x0 = 34 + i * slot
            for s, (_name, values) in enumerate(series):
                value = values[i]
                length = float(_number(value) * scale)
                x = x0 + s * bar
                parts.append(
                    f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{bar - 2:.1f}" height="{length:.1f}" '
                    f'fill="{fills[s]}" stroke="{SERIES_COLOURS[s]}"/>'
                    f'<text x="{x + (bar - 2) / 2:.1f}" y="{base - length - 3:.1f}" font-size="9" '
                    f'text-anchor="middle">{_label(value)}</text>'
                )
            parts.append(
                f'<text x="{x0 + slot / 2 - 4:.1f}" y="{base + 14}" font-size="10" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}">{defs}<title>{escape(title)}</title>{"".join(legend)}{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - built above from escaped texts and numbers
