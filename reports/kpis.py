"""The performance-evaluation figures (绩效评价指标, seed 五(三)), defined once.

Each figure is a ``Kpi``: the SQL aggregates it needs over one source of facts, and a pure
formula over those aggregates whose docstring is its definition (the report's appendix prints
it). ``measure`` runs every figure of a source in ONE aggregate query per breakdown — the facts
never come to Python row by row; only medians read one or two rows, found by ``ORDER BY …
OFFSET``.

Sources plug in (``SOURCES``): each is a function of (region prefix, start, end) returning an
unevaluated ``.values()`` queryset from a lower app's selectors. A source that has not landed
(complaints before ``supervision.selectors.ticket_facts`` exists) raises ``SourceNotLanded``,
and its figures say so (``Figure.landed`` False, shown as 数据来源尚未接入) instead of zero.

Every figure breaks down by low-income category, need type and pushing department: each source
says how a fact belongs to a group (``Source.group``). A need may carry several categories, so
the category rows overlap and do not add up to the total; complaints count in a need's groups
only when they cite a need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from marketplace.claims.selectors import need_claim_facts
from marketplace.delivery.selectors import claim_facts, delivery_facts, duplicate_alert_facts
from marketplace.needs.selectors import (
    feedback_facts,
    need_codes_where,
    need_dimension_choices,
    need_expiry_facts,
    need_review_facts,
)
from regions.models import code_prefix

NOT_LANDED = _("Data source not yet connected")
ESTIMATE = _("Estimate from the policy rules, not money paid")

# Units of a figure's value.
COUNT, PERCENT, DAYS, HOURS, CNY, SERVICE_HOURS = "count", "percent", "days", "hours", "cny", "service_hours"
# Which way is better, for the markers of change (None: neither, e.g. a count of needs).
HIGHER, LOWER = "higher", "lower"

DIMENSIONS = ("categories", "need_type", "department")
DIMENSION_LABELS = {
    "categories": _("Low-income category"),
    "need_type": _("Need type"),
    "department": _("Pushing department"),
}
COMPLAINT_KINDS_NOTE = _("All kinds of tickets (诉求) except held and merged duplicates.")


class SourceNotLanded(LookupError):
    """The app that holds these facts is not installed or does not expose them yet."""


@dataclass(frozen=True)
class Window:
    """What a report measures: facts inside the region ``prefix`` whose moment falls in
    [start, end); ``as_of`` is the moment deadlines are judged at (the start of the day the
    report is built, so the same request on the same day sees the same figures)."""

    prefix: str
    start: datetime
    end: datetime
    as_of: datetime


# --- sources ---------------------------------------------------------------------------------


def _need_group(dimension: str, value: str) -> Q:
    if dimension == "categories":
        # categories is a JSON list of codes; its text holds "code" with the quotes on both
        # backends, and no code is a part of another in quotes.
        return Q(categories__icontains=f'"{value}"')
    return Q(**{dimension: value})


def _cited_need_group(dimension: str, value: str) -> Q:
    return Q(need_code__in=need_codes_where(**{dimension: value}))


@dataclass(frozen=True)
class Source:
    """Facts of one kind: ``load(prefix, start, end)`` gives their values rows; ``date_field``
    is the moment that puts a fact in a period (and a month); ``group(dimension, value)`` the
    condition of a breakdown row."""

    name: str
    label: str
    load: Callable[[str, datetime, datetime], QuerySet]
    date_field: str
    group: Callable[[str, str], Q] = _need_group


def _ticket_facts(prefix: str, start: datetime, end: datetime) -> QuerySet:
    """supervision.selectors.ticket_facts (docs: /work/briefs/contracts.md), once it exists."""
    try:
        selectors = importlib.import_module("supervision.selectors")
    except ImportError as error:
        raise SourceNotLanded("supervision.selectors") from error
    facts = getattr(selectors, "ticket_facts", None)
    if facts is None:
        raise SourceNotLanded("supervision.selectors.ticket_facts")
    return facts(region_prefix=prefix, start=start, end=end).order_by()


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Add (or replace) a source of facts; figures name their source by ``source.name``."""
    SOURCES[source.name] = source
    return source


register_source(
    Source(
        "needs",
        _("Needs published in the period"),
        lambda p, s, e: need_claim_facts(region_prefix=p, start=s, end=e),
        "published_at",
    )
)
register_source(
    Source(
        "claims",
        _("Claims made in the period"),
        lambda p, s, e: claim_facts(region_prefix=p, start=s, end=e),
        "created_at",
    )
)
register_source(
    Source(
        "deliveries",
        _("Deliveries reported in the period"),
        lambda p, s, e: delivery_facts(region_prefix=p, start=s, end=e),
        "created_at",
    )
)
register_source(
    Source(
        "expiries",
        _("Needs that expired in the period"),
        lambda p, s, e: need_expiry_facts(region_prefix=p, start=s, end=e),
        "expired_at",
    )
)
register_source(
    Source(
        "alerts",
        _("Duplicate-aid alerts raised in the period"),
        lambda p, s, e: duplicate_alert_facts(region_prefix=p, start=s, end=e),
        "created_at",
    )
)
register_source(
    Source(
        "feedback",
        _("Feedback events sent to departments in the period"),
        lambda p, s, e: feedback_facts(region_prefix=p, start=s, end=e),
        "created_at",
    )
)
register_source(
    Source(
        "reviews",
        _("Review decisions on held needs in the period"),
        lambda p, s, e: need_review_facts(region_prefix=p, start=s, end=e),
        "decided_at",
    )
)
register_source(
    Source("tickets", _("Tickets submitted in the period"), _ticket_facts, "submitted_at", _cited_need_group)
)


# --- aggregates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agg:
    """COUNT(field) or SUM(field) over the facts matching ``when`` (and the breakdown row)."""

    func: str  # "count" | "sum"
    column: str = "id"
    when: Q = field(default_factory=Q)

    def expression(self, group: Q):
        condition = self.when & group
        if self.func == "sum":
            return Sum(self.column, filter=condition or None)
        return Count(self.column, filter=condition or None)


@dataclass(frozen=True)
class Median:
    """The median of ``later − earlier`` (a duration) over the facts matching ``when``: the
    middle value, or the mean of the two middle values for an even count; None for no facts."""

    later: str
    earlier: str
    when: Q = field(default_factory=Q)


# --- formulas ----------------------------------------------------------------------------------

TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def share(part, whole) -> Decimal | None:
    """``part ÷ whole × 100``, rounded half up to one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _in_days(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 86400).quantize(TENTH, rounding=ROUND_HALF_UP)


def _in_hours(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 3600).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Kpi:
    """One figure: its ``source``, the aggregates its ``formula`` reads (by keyword), and how
    to show it. ``definition`` is the formula's docstring."""

    key: str
    label: str
    unit: str
    source: str
    aggregates: Callable[[Window], dict[str, Agg | Median]]
    formula: Callable[..., object]
    better: str | None = None
    estimate: bool = False

    @property
    def definition(self) -> str:
        return " ".join((self.formula.__doc__ or "").split())


KPIS: dict[str, Kpi] = {}


def kpi(key: str, label, *, unit: str, source: str, aggregates, better: str | None = None, estimate=False):
    """Register the decorated pure formula as figure ``key``."""

    def register(formula):
        KPIS[key] = Kpi(key, label, unit, source, aggregates, formula, better, estimate)
        return formula

    return register


URGENT = Q(urgency__in=("urgent", "critical"))
CLAIMED = Q(first_claim_at__isnull=False)


@kpi(
    "needs_published",
    _("Needs published"),
    unit=COUNT,
    source="needs",
    aggregates=lambda w: {"needs": Agg("count")},
)
def needs_published(needs: int) -> int:
    """需求发布数 = the number of needs first published in the period (their publication time
    falls in it), counted in the region of the household's county, whatever their status now."""
    return needs or 0


@kpi(
    "claim_rate",
    _("Claim rate"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    aggregates=lambda w: {"claimed": Agg("count", when=CLAIMED), "needs": Agg("count")},
)
def claim_rate(claimed: int, needs: int) -> Decimal | None:
    """认领率 = needs published in the period that received at least one claim (any claim, by the
    time the report is built, even if later withdrawn or expired) ÷ needs published in the
    period × 100 %."""
    return share(claimed, needs)


@kpi(
    "median_days_to_first_claim",
    _("Median days to first claim"),
    unit=DAYS,
    source="needs",
    better=LOWER,
    aggregates=lambda w: {"wait": Median("first_claim_at", "published_at", CLAIMED)},
)
def median_days_to_first_claim(wait: timedelta | None) -> Decimal | None:
    """首次认领天数中位数 = the median, over the needs published in the period that were claimed,
    of (first claim's time − publication time), in days to one decimal; needs never claimed
    are left out (the claim rate shows them)."""
    return _in_days(wait)


FULFILLED = Q(status__in=("fulfilled", "closed"))


@kpi(
    "fulfilment_rate",
    _("Fulfilment rate"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    aggregates=lambda w: {"fulfilled": Agg("count", when=FULFILLED), "needs": Agg("count")},
)
def fulfilment_rate(fulfilled: int, needs: int) -> Decimal | None:
    """完成率 = needs published in the period that are now fulfilled or closed after fulfilment ÷
    needs published in the period × 100 %."""
    return share(fulfilled, needs)


def _urgent_aggregates(window: Window) -> dict:
    answered = URGENT & Q(first_claim_at__lte=F("published_at") + timedelta(hours=72))
    return {"answered": Agg("count", when=answered), "urgent": Agg("count", when=URGENT)}


@kpi(
    "urgent_answered_72h",
    _("Urgent needs answered within 72 hours"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    aggregates=_urgent_aggregates,
)
def urgent_answered_72h(answered: int, urgent: int) -> Decimal | None:
    """急难需求72小时响应率 = urgent or critical needs published in the period whose first claim
    came at most 72 hours after publication ÷ urgent or critical needs published in the period
    × 100 %."""
    return share(answered, urgent)


VERIFIED = Q(status="verified")
MONEY, HOURS_KIND = Q(amount_kind="money"), Q(amount_kind="hours")


@kpi(
    "verification_rate",
    _("Verification rate"),
    unit=PERCENT,
    source="deliveries",
    better=HIGHER,
    aggregates=lambda w: {"verified": Agg("count", when=VERIFIED), "reported": Agg("count")},
)
def verification_rate(verified: int, reported: int) -> Decimal | None:
    """核实率 = deliveries reported in the period that a caseworker has verified ÷ deliveries
    reported in the period (verified, disputed or still waiting) × 100 %."""
    return share(verified, reported)


@kpi(
    "charity_money",
    _("Charity money mobilized (verified)"),
    unit=CNY,
    source="deliveries",
    better=HIGHER,
    aggregates=lambda w: {"amount": Agg("sum", "amount", VERIFIED & MONEY)},
)
def charity_money(amount) -> Decimal:
    """慈善帮扶金额 = the sum in CNY of the verified money deliveries reported in the period. Goods
    and service hours are not money and are not in it; statutory coverage is never added."""
    return _money(amount)


@kpi(
    "statutory_coverage_estimate",
    _("Statutory coverage (estimate)"),
    unit=CNY,
    source="needs",
    estimate=True,
    aggregates=lambda w: {"amount": Agg("sum", "statutory_coverage", Q(statutory_coverage__isnull=False))},
)
def statutory_coverage_estimate(amount) -> Decimal:
    """法定救助覆盖（估算） = the sum of the statutory coverage the policy engine computed for the
    needs published in the period (medical needs with a computation). An estimate from the
    rules, not money paid by anyone: it stands next to charity money and is never added to it."""
    return _money(amount)


@kpi(
    "service_share",
    _("Share of service aid"),
    unit=PERCENT,
    source="deliveries",
    aggregates=lambda w: {
        "service": Agg("count", when=VERIFIED & HOURS_KIND),
        "verified": Agg("count", when=VERIFIED),
    },
)
def service_share(service: int, verified: int) -> Decimal | None:
    """服务类救助占比（物质+服务） = verified deliveries reported in the period on needs for
    service hours ÷ all verified deliveries reported in the period (money, goods and service)
    × 100 %; material aid is the rest."""
    return share(service, verified)


@kpi(
    "service_hours",
    _("Service hours delivered (verified)"),
    unit=SERVICE_HOURS,
    source="deliveries",
    better=HIGHER,
    aggregates=lambda w: {"hours": Agg("sum", "amount", VERIFIED & HOURS_KIND)},
)
def service_hours(hours) -> Decimal:
    """服务时长 = the sum of the hours of the verified deliveries on service needs reported in
    the period."""
    return _money(hours)


@kpi(
    "claims_made",
    _("Claims made"),
    unit=COUNT,
    source="claims",
    aggregates=lambda w: {"claims": Agg("count")},
)
def claims_made(claims: int) -> int:
    """认领数 = claims made in the period by organizations and volunteers, whatever became of
    them (transfers count as new claims)."""
    return claims or 0


@kpi(
    "on_time_delivery",
    _("On-time delivery"),
    unit=PERCENT,
    source="claims",
    better=HIGHER,
    aggregates=lambda w: {
        "on_time": Agg("count", when=Q(due=True, delivered_on_time=True)),
        "due": Agg("count", when=Q(due=True)),
    },
)
def on_time_delivery(on_time: int, due: int) -> Decimal | None:
    """按期交付率 = claims made in the period that are due (completed, or their need's needed-by
    date has passed) and have a reported or verified delivery dated on or before the needed-by
    date ÷ claims made in the period that are due × 100 %."""
    return share(on_time, due)


@kpi(
    "expired_with_gap",
    _("Needs expired with a gap"),
    unit=COUNT,
    source="expiries",
    better=LOWER,
    aggregates=lambda w: {"needs": Agg("count", "need_id", Q(gap__gt=0))},
)
def expired_with_gap(needs: int) -> int:
    """过期仍有缺口的需求 = needs that expired in the period with their target not fully covered
    by verified deliveries (target − verified > 0)."""
    return needs or 0


@kpi(
    "expired_gap_money",
    _("Money gap left by expired needs"),
    unit=CNY,
    source="expiries",
    better=LOWER,
    aggregates=lambda w: {"gap": Agg("sum", "gap", Q(gap__gt=0) & MONEY)},
)
def expired_gap_money(gap) -> Decimal:
    """过期缺口金额 = the sum of (target − verified) in CNY over the money needs that expired in
    the period with a gap."""
    return _money(gap)


@kpi(
    "duplicate_alerts",
    _("Duplicate-aid alerts"),
    unit=COUNT,
    source="alerts",
    aggregates=lambda w: {"alerts": Agg("count")},
)
def duplicate_alerts(alerts: int) -> int:
    """重复救助预警数 = duplicate-aid alerts raised in the period (the same household, the same
    kind of help, inside the window), resolved or not."""
    return alerts or 0


@kpi(
    "needs_returned",
    _("Needs returned to the department"),
    unit=COUNT,
    source="reviews",
    aggregates=lambda w: {"returned": Agg("count", "need_id", Q(to_status="rejected"))},
)
def needs_returned(returned: int) -> int:
    """退回部门的需求 = needs a caseworker rejected (sent back to the pushing department) in the
    period."""
    return returned or 0


@kpi(
    "feedback_acknowledged",
    _("Feedback acknowledged by departments"),
    unit=PERCENT,
    source="feedback",
    better=HIGHER,
    aggregates=lambda w: {
        "acknowledged": Agg("count", when=Q(delivered_at__isnull=False)),
        "events": Agg("count"),
    },
)
def feedback_acknowledged(acknowledged: int, events: int) -> Decimal | None:
    """部门反馈确认率 = feedback events (claims, deliveries, verifications, expiries…) sent in the
    period that the pushing department's system acknowledged ÷ feedback events sent in the
    period × 100 % (部门协同, seed 五(二))."""
    return share(acknowledged, events)


@kpi(
    "feedback_median_hours",
    _("Median hours to acknowledge feedback"),
    unit=HOURS,
    source="feedback",
    better=LOWER,
    aggregates=lambda w: {"wait": Median("delivered_at", "created_at", Q(delivered_at__isnull=False))},
)
def feedback_median_hours(wait: timedelta | None) -> Decimal | None:
    """部门确认时长中位数 = the median, over the acknowledged feedback events sent in the period,
    of (acknowledgement − sending), in hours to one decimal."""
    return _in_hours(wait)


@kpi(
    "tickets_submitted",
    _("Tickets submitted"),
    unit=COUNT,
    source="tickets",
    aggregates=lambda w: {"tickets": Agg("count")},
)
def tickets_submitted(tickets: int) -> int:
    """诉求受理量 = tickets (complaints, enquiries, help requests, reports, objections…) submitted
    in the period, held and merged duplicates left out."""
    return tickets or 0


def _on_time(done: str, due: str):
    """The aggregates of a deadline: done at or before it, and judged (done, or the deadline
    passed at ``as_of``: what is still open past it counts as late)."""

    def aggregates(window: Window) -> dict:
        on_time = Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})
        judged = Q(**{f"{done}__isnull": False}) | Q(**{f"{due}__lt": window.as_of})
        return {"on_time": Agg("count", when=on_time), "judged": Agg("count", when=judged)}

    return aggregates


@kpi(
    "complaints_accepted_on_time",
    _("Complaints accepted on time"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    aggregates=_on_time("accepted_at", "accept_due_at"),
)
def complaints_accepted_on_time(on_time: int, judged: int) -> Decimal | None:
    """按时受理率 = tickets submitted in the period that were accepted (or refused) at or before
    their acceptance deadline ÷ tickets submitted in the period that were answered or whose
    deadline has passed (those still waiting past it count as late) × 100 %."""
    return share(on_time, judged)


@kpi(
    "complaints_closed_on_time",
    _("Complaints closed on time"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    aggregates=_on_time("closed_at", "due_at"),
)
def complaints_closed_on_time(on_time: int, judged: int) -> Decimal | None:
    """按时办结率 = tickets submitted in the period closed at or before their handling deadline
    (an approved extension included) ÷ tickets submitted in the period that are closed or whose
    deadline has passed × 100 %: an open ticket past its deadline counts as late."""
    return share(on_time, judged)


@kpi(
    "satisfaction",
    _("Satisfaction"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    aggregates=lambda w: {
        "satisfied": Agg("count", when=Q(rating="satisfied")),
        "rated": Agg("count", when=Q(rating__isnull=False)),
    },
)
def satisfaction(satisfied: int, rated: int) -> Decimal | None:
    """满意率 = tickets submitted in the period rated satisfied ÷ tickets submitted in the period
    that were rated × 100 % (unrated tickets are left out)."""
    return share(satisfied, rated)


@kpi(
    "reopen_rate",
    _("Reopen rate"),
    unit=PERCENT,
    source="tickets",
    better=LOWER,
    aggregates=lambda w: {
        "reopened": Agg("count", when=Q(reopened=True)),
        "closed": Agg("count", when=Q(closed_at__isnull=False) | Q(reopened=True)),
    },
)
def reopen_rate(reopened: int, closed: int) -> Decimal | None:
    """重新办理率 = tickets submitted in the period that were ever reopened ÷ tickets submitted in
    the period that were ever closed (closed now, or reopened) × 100 %."""
    return share(reopened, closed)


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure's value (None: nothing to divide by, or no facts for a median) and the
    aggregates it came from; ``landed`` False when its source is not connected."""

    key: str
    value: object
    parts: dict
    landed: bool = True

    @property
    def kpi(self) -> Kpi:
        return KPIS[self.key]


def _median(queryset: QuerySet, spec: Median, group: Q) -> timedelta | None:
    """The median of ``later − earlier`` in SQL: count, then read the middle one or two values
    ordered by it (``OFFSET``): never the whole column."""
    values = (
        queryset.filter(spec.when & group)
        .annotate(_duration=ExpressionWrapper(F(spec.later) - F(spec.earlier), output_field=DurationField()))
        .order_by("_duration")
        .values_list("_duration", flat=True)
    )
    count = values.count()
    if count == 0:
        return None
    middle = list(values[(count - 1) // 2 : count // 2 + 1])
    middle = [value if isinstance(value, timedelta) else timedelta(microseconds=value) for value in middle]
    return sum(middle, timedelta()) / len(middle)


Groups = list[tuple[str, Callable[[Source], Q]]]
ALL: Groups = [("all", lambda source: Q())]


def measure(
    window: Window, *, keys: Iterable[str] | None = None, groups: Groups = ALL
) -> dict[str, dict[str, Figure]]:
    """{group key: {figure key: Figure}} for the figures ``keys`` (all by default) in ``window``,
    one aggregate query per source for all groups, plus two small queries per median."""
    wanted = [KPIS[key] for key in (keys or KPIS)]
    results: dict[str, dict[str, Figure]] = {group: {} for group, _condition in groups}
    by_source: dict[str, list[Kpi]] = {}
    for item in wanted:
        by_source.setdefault(item.source, []).append(item)
    for source_name, items in by_source.items():
        source = SOURCES[source_name]
        try:
            facts = source.load(window.prefix, window.start, window.end)
        except SourceNotLanded:
            for group, _condition in groups:
                for item in items:
                    results[group][item.key] = Figure(item.key, None, {}, landed=False)
            continue
        specs = {item.key: item.aggregates(window) for item in items}
        expressions, medians = {}, []
        for g, (group, condition) in enumerate(groups):
            group_q = condition(source)
            for k, item in enumerate(items):
                for name, spec in specs[item.key].items():
                    if isinstance(spec, Median):
                        medians.append((group, item.key, name, spec, group_q))
                    else:
                        expressions[f"a{g}_{k}_{name}"] = spec.expression(group_q)
        totals = facts.aggregate(**expressions) if expressions else {}
        median_values = {
            (group, key, name): _median(facts, spec, group_q) for group, key, name, spec, group_q in medians
        }
        for g, (group, _condition) in enumerate(groups):
            for k, item in enumerate(items):
                parts = {}
                for name, spec in specs[item.key].items():
                    if isinstance(spec, Median):
                        parts[name] = median_values[(group, item.key, name)]
                    else:
                        parts[name] = totals[f"a{g}_{k}_{name}"]
                results[group][item.key] = Figure(item.key, item.formula(**parts), parts)
    return results


def dimension_groups(dimension: str) -> tuple[Groups, dict[str, str]]:
    """The breakdown rows of ``dimension`` (categories, need_type, department) and their labels."""
    choices = need_dimension_choices()[dimension] if dimension != "department" else list(Department.choices)
    groups = [(code, (lambda source, code=code: source.group(dimension, code))) for code, _label in choices]
    return groups, {code: str(label) for code, label in choices}


def region_groups(children: list[tuple[str, str]]) -> Groups:
    """One breakdown row per child region (its code prefix)."""
    prefixes = [(code, code_prefix(code)) for code, _name in children]
    return [
        (code, (lambda source, prefix=prefix: Q(region_code__startswith=prefix))) for code, prefix in prefixes
    ]


def month_groups(months: list[tuple[datetime, datetime]]) -> Groups:
    """One breakdown row per month [start, end), by each source's own moment."""
    return [
        (
            start.strftime("%Y-%m"),
            (
                lambda source, start=start, end=end: Q(
                    **{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end}
                )
            ),
        )
        for start, end in months
    ]


def change(current, previous) -> Decimal | None:
    """The change from ``previous`` to ``current``: percentage points for rates is the caller's
    reading; here simply ``current − previous`` (None when either is missing)."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


# --- organizations -----------------------------------------------------------------------------

SCORECARD_MINIMUM = 5


@dataclass(frozen=True)
class Scorecard:
    organization_id: int
    claims: int
    due: int
    on_time: int
    deliveries: int
    verified: int
    complaints: int | None  # None: complaints not connected

    @property
    def on_time_share(self) -> Decimal | None:
        return share(self.on_time, self.due)

    @property
    def verified_share(self) -> Decimal | None:
        return share(self.verified, self.deliveries)


def organization_scorecards(window: Window, *, minimum: int = SCORECARD_MINIMUM) -> list[Scorecard]:
    """机构评分卡: per organization with at least ``minimum`` claims made in the period (fewer
    cases rank nobody fairly): claims made; on-time delivery (as ``on_time_delivery``); verified
    share of the deliveries it reported in the period (as ``verification_rate``); tickets
    submitted in the period that cite it (complaints against). Ranked by on-time share, then
    verified share, then claims, best first. Three GROUP BY queries."""
    claims = (
        claim_facts(
            region_prefix=window.prefix, start=window.start, end=window.end, today=window.as_of.date()
        )
        .filter(organization_id__isnull=False)
        .values("organization_id")
        .annotate(
            n_claims=Count("id"),
            n_due=Count("id", filter=Q(due=True)),
            n_on_time=Count("id", filter=Q(due=True, delivered_on_time=True)),
        )
        .filter(n_claims__gte=minimum)
        .order_by()
    )
    rows = {row["organization_id"]: row for row in claims}
    if not rows:
        return []
    deliveries = {
        row["organization_id"]: row
        for row in delivery_facts(region_prefix=window.prefix, start=window.start, end=window.end)
        .filter(organization_id__in=list(rows))
        .values("organization_id")
        .annotate(deliveries=Count("id"), verified=Count("id", filter=VERIFIED))
        .order_by()
    }
    try:
        complaints = dict(
            _ticket_facts(window.prefix, window.start, window.end)
            .filter(organization_id__in=list(rows))
            .values("organization_id")
            .annotate(n=Count("id"))
            .values_list("organization_id", "n")
            .order_by()
        )
        landed = True
    except SourceNotLanded:
        complaints, landed = {}, False
    cards = [
        Scorecard(
            organization_id=pk,
            claims=row["n_claims"],
            due=row["n_due"],
            on_time=row["n_on_time"],
            deliveries=deliveries.get(pk, {}).get("deliveries", 0),
            verified=deliveries.get(pk, {}).get("verified", 0),
            complaints=complaints.get(pk, 0) if landed else None,
        )
        for pk, row in rows.items()
    ]

    def rank(card: Scorecard):
        return (
            -(card.on_time_share if card.on_time_share is not None else Decimal(-1)),
            -(card.verified_share if card.verified_share is not None else Decimal(-1)),
            -card.claims,
            card.organization_id,
        )

    return sorted(cards, key=rank)


OVERDUE_LIST_LIMIT = 200


def overdue_ticket_ids(window: Window, *, limit: int = OVERDUE_LIST_LIMIT) -> tuple[list[str] | None, int]:
    """The public numbers of the tickets submitted in the period still open past their handling
    deadline at ``as_of`` (ids only, oldest deadline first, at most ``limit``) and how many there
    are; (None, 0) when complaints are not connected."""
    try:
        facts = _ticket_facts(window.prefix, window.start, window.end)
    except SourceNotLanded:
        return None, 0
    overdue = facts.filter(closed_at__isnull=True, due_at__lt=window.as_of)
    return list(overdue.order_by("due_at", "id").values_list("id", flat=True)[:limit]), overdue.count()
