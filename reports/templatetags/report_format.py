"""How a report writes its figures: units, missing values, and markers of change that do not
rely on colour (a shape and a word, e.g. ▲ 上升 2.5 个百分点（改善）)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports.kpis import CNY, COUNT, DAYS, HIGHER, HOURS, LOWER, NOT_LANDED, PERCENT, SERVICE_HOURS

register = template.Library()


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@register.simple_tag
def kpi_value(value, unit, landed=True):
    """A figure as the report prints it; "数据来源尚未接入" for a source not connected, "—" when
    there is nothing to compute it from."""
    if not landed:
        return str(NOT_LANDED)
    number = _decimal(value)
    if number is None:
        return "—"
    if unit == PERCENT:
        return f"{number:.1f}%"
    if unit == DAYS:
        return _("%(n)s days") % {"n": f"{number:.1f}"}
    if unit == HOURS:
        return _("%(n)s hours") % {"n": f"{number:.1f}"}
    if unit == SERVICE_HOURS:
        return _("%(n)s hours") % {"n": f"{number:,.2f}"}
    if unit == CNY:
        return f"¥{number:,.2f}"
    if unit == COUNT:
        return f"{number:,.0f}"
    return str(number)


@register.simple_tag
def change_marker(change, unit, better, landed=True):
    """The change since a comparison period: ▲ up / ▼ down / ● unchanged, the amount (percentage
    points for rates) and, where a direction is better, whether it improved or worsened."""
    if not landed:
        return ""
    number = _decimal(change)
    if number is None:
        return format_html('<span class="change none">{}</span>', _("no comparison"))
    if unit == PERCENT:
        amount = _("%(n)s points") % {"n": f"{abs(number):.1f}"}
    elif unit == CNY:
        amount = f"¥{abs(number):,.2f}"
    elif unit == COUNT:
        amount = f"{abs(number):,.0f}"
    else:
        amount = f"{abs(number):.1f}"
    if number == 0:
        return format_html('<span class="change same">● {}</span>', _("unchanged"))
    up = number > 0
    verdict, css = "", "neutral"
    if better in (HIGHER, LOWER):
        improved = up == (better == HIGHER)
        verdict = _("(better)") if improved else _("(worse)")
        css = "better" if improved else "worse"
    return format_html(
        '<span class="change {}">{} {} {}{}</span>',
        css,
        "▲" if up else "▼",
        _("up") if up else _("down"),
        amount,
        verdict,
    )


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def count_or_suppressed(value, threshold=5):
    """A suppressed count (None) is written "<5"."""
    if value is None:
        return f"<{threshold}"
    return f"{value:,}"
