"""The public summary of the performance figures on /stats/ (``supervision.hooks.stats_page_panels``):
aggregates only, for the province and its cities, of the last complete quarter; counts of 1 to 4
suppressed (with a second cell where a total would give one away) and rates over fewer than 5
facts left out, as the complaint statistics do. Cached for an hour: the page is public."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from reports import kpis
from reports.audit import SUPPRESS_BELOW, suppress_counts, suppress_total
from reports.periods import day_start, parse_scope, scope_children
from reports.services import last_complete_period

PUBLIC_KEYS = (
    "needs_published",
    "claim_rate",
    "fulfilment_rate",
    "charity_money",
    "service_hours",
    "claims_made",
)
CACHE_SECONDS = 3600


def public_summary(*, today=None) -> dict:
    """The panel's data: the period, the province's figures and each city's needs published."""
    today = today or timezone.localdate()
    period = last_complete_period("quarterly", today)
    key = f"reports:public-summary:{period.code}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    province = parse_scope("420000")
    start, end = period.bounds()
    window = kpis.Window(prefix=province.prefix, start=start, end=end, as_of=day_start(today))
    total = kpis.measure(window, keys=list(PUBLIC_KEYS))["all"]
    children = scope_children(province)
    by_city = kpis.measure(window, keys=["needs_published"], groups=kpis.region_groups(children))
    counts = suppress_counts({code: by_city[code]["needs_published"].value for code, _name in children})
    figures = []
    for key_name in PUBLIC_KEYS:
        figure = total[key_name]
        value = figure.value
        if figure.kpi.unit == kpis.COUNT:
            value = suppress_total(value)
        elif figure.kpi.unit == kpis.PERCENT:
            whole = max(figure.parts.values(), default=0) or 0
            value = value if whole >= SUPPRESS_BELOW else None
        figures.append(
            {"key": key_name, "label": str(figure.kpi.label), "unit": figure.kpi.unit, "value": value}
        )
    data = {
        "period": period.label,
        "figures": figures,
        "cities": [{"name": name, "needs": counts[code]} for code, name in children],
        "suppress_below": SUPPRESS_BELOW,
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


def stats_panel(request) -> tuple[str, dict]:
    """The receiver of ``supervision.hooks.stats_page_panels``."""
    return "reports/stats_panel.html", {"summary": public_summary()}
