"""The public statistics (/stats/): complaint tables from ``ticket_facts`` and the marketplace's
public figures, every count suppressed by ``core.suppression``.

Counted in SQL (the facts are an unevaluated queryset), the three ticket tables from one grouped
query over the window. Only kinds public in statistics are
shown. A rate (on time, satisfied) is shown only when its denominator is at least the
suppression threshold, rounded to a whole percent; a money amount only beside a published count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Concat, Left, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.suppression import DEFAULT_THRESHOLD, SuppressedTable, suppress
from marketplace.needs.selectors import FIGURE_STAGES, need_public_figures
from regions.models import Region
from supervision.selectors import ticket_facts, ticket_kinds

HIDDEN = "*"
MONTHS = 12
# GB/T 2260 prefix of the county-level units the province administers directly: each is a city.
DIRECT_UNITS_PREFIX = "4290"
PROVINCE = "420000"

STAGE_LABELS = {
    "open": gettext_lazy("Open for claims"),
    "claimed": gettext_lazy("Claimed"),
    "fulfilled": gettext_lazy("Fulfilled"),
}


@dataclass
class Table:
    """One table as the page and the CSV show it: every cell already a string (``*`` hidden)."""

    key: str
    title: str
    corner: str
    columns: list[str]
    rows: list[list[str]]  # each: [row label, cells…]
    totals: list[str] | None = None  # [label, cells…] or None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _shown(value: int | None) -> str:
    return HIDDEN if value is None else str(value)


def _table_of(
    key: str,
    title: str,
    corner: str,
    suppressed: SuppressedTable,
    row_labels: dict,
    col_labels: dict,
    note: str = "",
) -> Table:
    rows = [
        [str(row_labels[row]), *(_shown(cell) for cell in cells), _shown(total)]
        for row, cells, total in suppressed.as_rows()
    ]
    totals = [
        _("Total"),
        *(_shown(total) for total in suppressed.col_totals()),
        _shown(suppressed.grand_total),
    ]
    columns = [str(col_labels[col]) for col in suppressed.cols()] + [_("Total")]
    return Table(key=key, title=title, corner=corner, columns=columns, rows=rows, totals=totals, note=note)


def _month_starts(now: datetime) -> list[datetime]:
    """The first instants (local time) of the last ``MONTHS`` months, the current one last."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _step in range(MONTHS):
        starts.append(local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def _city_expression():
    return Case(
        When(region_code__startswith=DIRECT_UNITS_PREFIX, then=F("region_code")),
        When(region_code__endswith="0000", then=Value(PROVINCE)),
        default=Concat(Left("region_code", 4), Value("00")),
        output_field=CharField(),
    )


def _cities() -> dict[str, str]:
    cities = {region.code: region.name for region in Region.objects.city_level().order_by("code")}
    return cities


# What the rates table counts, per kind (each a share: on time of accepted, of closed; satisfied
# of rated).
RATE_COUNTS = {
    "accepted": Q(accepted_at__isnull=False),
    "accepted_on_time": Q(accepted_at__lte=F("accept_due_at")),
    "closed": Q(closed_at__isnull=False),
    "closed_on_time": Q(closed_at__lte=F("due_at")),
    "rated": Q(rating__isnull=False),
    "satisfied": Q(rating="satisfied"),
}


def _ticket_counts(facts):
    """The tickets of ``facts`` by kind, city and month, with the rates' counts: one grouped
    query (one scan of the window) from which the three ticket tables are added up."""
    zone = timezone.get_current_timezone()
    return (
        facts.values("kind", city=_city_expression(), month=TruncMonth("submitted_at", tzinfo=zone))
        .annotate(n=Count("id"), **{name: Count("id", filter=test) for name, test in RATE_COUNTS.items()})
        .order_by()
    )


def statistics(now: datetime | None = None, threshold: int = DEFAULT_THRESHOLD) -> list[Table]:
    """The tables of /stats/ for the last 12 months (the current month included)."""
    now = now or timezone.now()
    months = _month_starts(now)
    kinds = [kind for kind in ticket_kinds() if kind["public_in_statistics"]]
    kind_names = {kind["code"]: kind["name"] for kind in kinds}
    facts = ticket_facts(start=months[0], end=now).filter(
        public_in_statistics=True, kind__in=list(kind_names)
    )
    cities = _cities()
    city_labels = {**cities, PROVINCE: _("Province level")}

    by_city: dict[tuple[str, str], int] = {}
    by_month: dict[tuple[str, str], int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    for row in _ticket_counts(facts):
        city, kind = row["city"], row["kind"]
        month = timezone.localtime(row["month"]).strftime("%Y-%m") if row["month"] else ""
        by_city[(city, kind)] = by_city.get((city, kind), 0) + row["n"]
        by_month[(month, kind)] = by_month.get((month, kind), 0) + row["n"]
        rates = by_kind.setdefault(kind, dict.fromkeys(RATE_COUNTS, 0))
        for name in RATE_COUNTS:
            rates[name] += row[name]
    city_rows = list(cities)
    if any(city == PROVINCE for city, _kind in by_city):
        city_rows.append(PROVINCE)
    tables = [
        _table_of(
            "kind-city",
            _("Tickets by city and kind"),
            _("City or prefecture"),
            suppress(by_city, threshold, rows=city_rows, cols=list(kind_names)),
            city_labels,
            kind_names,
        )
    ]
    month_labels = {start.strftime("%Y-%m"): start.strftime("%Y-%m") for start in months}
    tables.append(
        _table_of(
            "kind-month",
            _("Tickets by month and kind"),
            _("Month"),
            suppress(by_month, threshold, rows=list(month_labels), cols=list(kind_names)),
            month_labels,
            kind_names,
        )
    )
    tables.append(_rates(by_kind, kind_names, threshold))
    tables.append(_marketplace(cities, threshold))
    return tables


def _rate(part: int, whole: int, threshold: int) -> str:
    if whole < threshold:
        return HIDDEN
    return f"{round(100 * part / whole)}%"


def _rates(counts: dict[str, dict[str, int]], kind_names: dict[str, str], threshold: int) -> Table:
    totals = {name: sum(row[name] for row in counts.values()) for name in RATE_COUNTS}

    def line(label: str, row: dict) -> list[str]:
        return [
            label,
            _rate(row["accepted_on_time"], row["accepted"], threshold),
            _rate(row["closed_on_time"], row["closed"], threshold),
            _rate(row["satisfied"], row["rated"], threshold),
        ]

    empty = dict.fromkeys(totals, 0)
    return Table(
        key="rates",
        title=_("On time and satisfaction"),
        corner=_("Kind of ticket"),
        columns=[_("Accepted on time"), _("Closed on time"), _("Satisfaction")],
        rows=[line(name, counts.get(code, empty)) for code, name in kind_names.items()],
        totals=line(_("All kinds"), totals),
        note=_("Shares of the tickets accepted, closed and rated; shown where at least %(n)s tickets count.")
        % {"n": threshold},
    )


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('1')):,}"


def _marketplace(cities: dict[str, str], threshold: int) -> Table:
    figures = need_public_figures()
    counts = {(row["city"], row["stage"]): row["needs"] for row in figures}
    suppressed = suppress(counts, threshold, rows=list(cities), cols=list(FIGURE_STAGES))
    target: dict[str, Decimal] = {}
    claimed: dict[str, Decimal] = {}
    for row in figures:
        target[row["city"]] = target.get(row["city"], Decimal(0)) + row["target_money"]
        claimed[row["city"]] = claimed.get(row["city"], Decimal(0)) + row["claimed_money"]

    def amounts(total: int | None, city: str | None) -> list[str]:
        if total is None:
            return [HIDDEN, HIDDEN]
        if city is None:
            return [_money(sum(target.values(), Decimal(0))), _money(sum(claimed.values(), Decimal(0)))]
        return [_money(target.get(city, Decimal(0))), _money(claimed.get(city, Decimal(0)))]

    rows = [
        [cities[city], *(_shown(cell) for cell in cells), _shown(total), *amounts(total, city)]
        for city, cells, total in suppressed.as_rows()
    ]
    totals = [
        _("Total"),
        *(_shown(total) for total in suppressed.col_totals()),
        _shown(suppressed.grand_total),
        *amounts(suppressed.grand_total, None),
    ]
    return Table(
        key="needs",
        title=_("Assistance needs published on this portal"),
        corner=_("City or prefecture"),
        columns=[
            *(str(STAGE_LABELS[stage]) for stage in FIGURE_STAGES),
            _("Published"),
            _("Sought (CNY)"),
            _("Claimed (CNY)"),
        ],
        rows=rows,
        totals=totals,
        note=_(
            "Needs published on this portal by their stage now; amounts add up the needs asking for money."
        ),
    )
