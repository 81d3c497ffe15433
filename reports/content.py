"""What a report says, as plain data: figures with their comparisons, breakdowns, charts' series,
rankings, scorecards, overdue tickets, the privacy audit and the definitions.

``report_data`` gathers it (every number from ``reports.kpis``' SQL aggregates) into a
JSON-serializable dict; ``snapshot_sha256`` is the SHA-256 of that dict's canonical JSON, printed
in the appendix and used to tell whether the data changed since an earlier report of the same
scope and period. The HTML and the PDF are drawn from this dict alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.organizations.selectors import organization_names
from reports import kpis
from reports.periods import Period, Scope, day_start, scope_children

# Figures in the order of the report's table (every registered figure, in definition order).
# The breakdown tables show them in slices of this many columns, to fit an A4 page.
BREAKDOWN_COLUMNS = 6
# A region is ranked only with at least this many needs published in the period.
RANKING_MINIMUM = 5
# The series of the charts.
REGION_SERIES = ("needs_published", "claims_made")
MONTH_SERIES = ("needs_published", "claims_made")
RANK_BY = "claim_rate"


def _json(value):
    """Decimals as strings (exact), everything else as json knows it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value))


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json)


def snapshot_sha256(data: dict) -> str:
    """SHA-256 of the report data's canonical JSON (sorted keys, no spaces, decimals as text)."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def _window(scope: Scope, period: Period, as_of: datetime) -> kpis.Window:
    start, end = period.bounds()
    return kpis.Window(prefix=scope.prefix, start=start, end=end, as_of=as_of)


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _figure_rows(current, previous, year_earlier) -> list[dict]:
    rows = []
    for key, item in kpis.KPIS.items():
        figure = current[key]
        rows.append(
            {
                "key": key,
                "label": str(item.label),
                "unit": item.unit,
                "better": item.better,
                "estimate": item.estimate,
                "landed": figure.landed,
                "value": _plain(figure.value),
                "previous": _plain(previous[key].value),
                "year_earlier": _plain(year_earlier[key].value),
                "change_previous": _plain(kpis.change(figure.value, previous[key].value)),
                "change_year": _plain(kpis.change(figure.value, year_earlier[key].value)),
            }
        )
    return rows


def _breakdowns(window: kpis.Window) -> list[dict]:
    """Every figure by low-income category, need type and pushing department: the rows of all
    three dimensions measured together (one query per source)."""
    groups, labels = kpis.breakdown_groups()
    measured = kpis.measure(window, groups=groups)
    keys = list(kpis.KPIS)
    slices = [keys[i : i + BREAKDOWN_COLUMNS] for i in range(0, len(keys), BREAKDOWN_COLUMNS)]
    breakdowns = []
    for dimension in kpis.DIMENSIONS:
        rows = [
            {
                "code": code,
                "label": label,
                "values": {key: _plain(measured[f"{dimension}:{code}"][key].value) for key in keys},
                "landed": {key: measured[f"{dimension}:{code}"][key].landed for key in keys},
            }
            for code, label in labels[dimension].items()
        ]
        # Only the groups with any fact: a table of fourteen empty departments helps nobody.
        rows = [row for row in rows if any(row["values"][key] for key in ("needs_published", "claims_made"))]
        breakdowns.append(
            {
                "dimension": dimension,
                "label": str(kpis.DIMENSION_LABELS[dimension]),
                "rows": rows,
                "slices": slices,
            }
        )
    return breakdowns


def _regions(window: kpis.Window, scope: Scope) -> list[dict]:
    children = scope_children(scope)
    if not children:
        return []
    keys = ["needs_published", "claims_made", "claim_rate", "charity_money", "on_time_delivery"]
    measured = kpis.measure(window, keys=keys, groups=kpis.region_groups(children))
    rows = [
        {"code": code, "name": name, **{k: _plain(measured[code][k].value) for k in keys}}
        for code, name in children
    ]
    ranked = [row for row in rows if row["needs_published"] >= RANKING_MINIMUM and row[RANK_BY] is not None]
    ranked.sort(key=lambda row: (-Decimal(row[RANK_BY]), -row["needs_published"], row["code"]))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    unranked = [row for row in rows if "rank" not in row]
    for row in unranked:
        row["rank"] = None
    return ranked + unranked


def _months(window: kpis.Window, period: Period) -> list[dict]:
    months = [(day_start(start), day_start(end)) for start, end in period.months()]
    measured = kpis.measure(window, keys=list(MONTH_SERIES), groups=kpis.month_groups(months))
    return [
        {"month": month, **{key: _plain(measured[month][key].value) for key in MONTH_SERIES}}
        for month in (start.strftime("%Y-%m") for start, _end in months)
    ]


def _scorecards(window: kpis.Window) -> list[dict]:
    cards = kpis.organization_scorecards(window)
    names = organization_names(ids=[card.organization_id for card in cards])
    return [
        {
            "rank": position,
            "organization": names.get(card.organization_id, str(card.organization_id)),
            "claims": card.claims,
            "on_time_share": _plain(card.on_time_share),
            "verified_share": _plain(card.verified_share),
            "complaints": card.complaints,
        }
        for position, card in enumerate(cards, start=1)
    ]


def report_data(
    scope: Scope,
    period: Period,
    *,
    as_of: datetime | None = None,
    progress: Callable[[int], None] = lambda percent: None,
    privacy: bool = True,
) -> dict:
    """Everything the report shows for ``scope`` and ``period``, judged at ``as_of`` (default:
    the start of today, Asia/Shanghai). ``progress(percent)`` is called as parts are done
    (0–80: the rendering takes the rest)."""
    from reports.audit import privacy_audit

    as_of = as_of or day_start(timezone.localdate())
    window = _window(scope, period, as_of)
    previous, year_earlier = period.previous(), period.year_earlier()
    compared = kpis.compare(
        {
            "current": window,
            "previous": _window(scope, previous, as_of),
            "year_earlier": _window(scope, year_earlier, as_of),
        }
    )
    current, before, last_year = compared["current"], compared["previous"], compared["year_earlier"]
    progress(20)
    breakdowns = _breakdowns(window)
    progress(50)
    regions = _regions(window, scope)
    months = _months(window, period)
    progress(60)
    scorecards = _scorecards(window)
    overdue_ids, overdue_count = kpis.overdue_ticket_ids(window)
    progress(70)
    audit = privacy_audit(scope, period) if privacy else None
    progress(80)
    return {
        "scope": {"code": scope.code, "name": scope.name, "level": scope.level},
        "period": {
            "code": period.code,
            "label": period.label,
            "first_day": period.start.isoformat(),
            "last_day": period.last_day.isoformat(),
            "previous": previous.label,
            "year_earlier": year_earlier.label,
        },
        "as_of": as_of.isoformat(),
        "figures": _figure_rows(current, before, last_year),
        "breakdowns": breakdowns,
        "regions": regions,
        "months": months,
        "scorecards": scorecards,
        "scorecard_minimum": kpis.SCORECARD_MINIMUM,
        "ranking_minimum": RANKING_MINIMUM,
        "overdue": {"landed": overdue_ids is not None, "ids": overdue_ids or [], "count": overdue_count},
        "privacy": audit,
        "definitions": [
            {
                "key": key,
                "label": str(item.label),
                "definition": item.translated_definition,
                "source": str(kpis.SOURCES[item.source].label),
                "estimate": item.estimate,
            }
            for key, item in kpis.KPIS.items()
        ],
    }


def summary_lines(data: dict) -> list[str]:
    """A few sentences for the summary page, from the figures alone."""
    figures = {row["key"]: row for row in data["figures"]}
    lines = [
        _("%(needs)s needs were published in %(scope)s in %(period)s; %(claims)s claims were made.")
        % {
            "needs": figures["needs_published"]["value"],
            "scope": data["scope"]["name"],
            "period": data["period"]["label"],
            "claims": figures["claims_made"]["value"],
        }
    ]
    rate = figures["claim_rate"]["value"]
    if rate is not None:
        lines.append(_("%(rate)s%% of them were claimed.") % {"rate": rate})
    lines.append(
        _(
            "Charity money verified as delivered: %(money)s yuan. Statutory coverage estimated by the "
            "rules: %(estimate)s yuan (an estimate, not money paid, and not added to charity money)."
        )
        % {
            "money": figures["charity_money"]["value"],
            "estimate": figures["statutory_coverage_estimate"]["value"],
        }
    )
    if not figures["tickets_submitted"]["landed"]:
        lines.append(_("Complaint figures: the data source is not yet connected."))
    return lines
