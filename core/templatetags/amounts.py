"""Template filters of ``core.formatting``: ``{% load amounts %}``.

``{{ claim.amount|amount:need }}`` shows an amount as ``need`` counts it ("1,234.50 元",
"12 小时", "30 箱"); ``{{ total|amount:"money" }}`` names the kind instead. ``{{ need|amount_unit }}``
is the unit alone, for a form field's label.
"""

from __future__ import annotations

from django import template

from core.formatting import format_amount, format_need_amount, need_amount_unit

register = template.Library()


@register.filter
def amount(value, of="money") -> str:
    """``value`` with its unit; ``of`` is a need (or a need dict) or an amount kind."""
    if isinstance(of, str):
        return format_amount(value, kind=of)
    return format_need_amount(of, value)


@register.filter
def amount_unit(need) -> str:
    return need_amount_unit(need)
