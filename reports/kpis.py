"""The performance-evaluation figures (绩效评价指标, seed 五(三)), defined once.

Each figure is a ``Kpi``: the SQL aggregates it needs over one source of facts, a pure formula
over those aggregates (one of a few shapes: a count, a sum, a rate, a median), and its
definition, the exact formula and what counts (translated; the report's appendix prints it).
``measure`` runs every figure of a source in ONE query for all the rows of a breakdown, medians
included (``PERCENTILE_CONT`` on PostgreSQL; read apart by ``ORDER BY … OFFSET`` on SQLite), and
``compare`` the same for several periods at once: the facts never come to Python row by row.

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
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from marketplace.claims.selectors import need_claim_facts
from marketplace.delivery.selectors import claim_facts, delivery_facts, duplicate_alert_facts
from marketplace.needs.selectors import (
    cited_need_in_group,
    feedback_facts,
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
    return cited_need_in_group("need_code", dimension, value)


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
    """COUNT(column) or SUM(column) over the facts matching ``when`` (and the breakdown row)."""

    func: str  # "count" | "sum"
    column: str = "id"
    when: Q = field(default_factory=Q)


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


# The shapes of a figure: the aggregates it reads and its pure formula over them, by keyword
# (``rate(...)["formula"](on_time=9, judged=12)``). Every figure below is one of them.


@dataclass(frozen=True)
class Rate:
    """``share(part, whole)`` of two counts."""

    part: str
    whole: str

    def __call__(self, **parts) -> Decimal | None:
        return share(parts[self.part], parts[self.whole])


@dataclass(frozen=True)
class Total:
    """A count (0 for none), or with ``money`` a sum rounded half up to the cent."""

    name: str
    money: bool = False

    def __call__(self, **parts):
        value = parts[self.name]
        return _money(value) if self.money else value or 0


@dataclass(frozen=True)
class MedianIn:
    """A median duration in days or hours (``convert``) to one decimal; None for no facts."""

    name: str
    convert: Callable[[timedelta | None], Decimal | None]

    def __call__(self, **parts) -> Decimal | None:
        return self.convert(parts[self.name])


def counted(name: str, when: Q | None = None, column: str = "id") -> dict:
    """A figure that counts the facts matching ``when``."""
    return {"aggregates": {name: Agg("count", column, when or Q())}, "formula": Total(name)}


def summed(name: str, column: str, when: Q) -> dict:
    """A figure that sums ``column`` over the facts matching ``when``, to the cent."""
    return {"aggregates": {name: Agg("sum", column, when)}, "formula": Total(name, money=True)}


def rate(part: tuple[str, Q], whole: tuple[str, Q | None]) -> dict:
    """A figure that is the facts matching ``part`` as a share of those matching ``whole``."""
    (part_name, part_when), (whole_name, whole_when) = part, whole
    return {
        "aggregates": {
            part_name: Agg("count", when=part_when),
            whole_name: Agg("count", when=whole_when or Q()),
        },
        "formula": Rate(part_name, whole_name),
    }


def median(name: str, later: str, earlier: str, when: Q, convert) -> dict:
    """A figure that is the median of ``later − earlier`` over the facts matching ``when``."""
    return {"aggregates": {name: Median(later, earlier, when)}, "formula": MedianIn(name, convert)}


@dataclass(frozen=True)
class Kpi:
    """One figure: its ``source``, the aggregates its ``formula`` reads (by keyword), and how
    to show it. ``definition`` is its exact formula and what counts, in English (marked for
    translation; ``translated_definition`` is it in the active language, as the appendix
    prints it)."""

    key: str
    label: str
    unit: str
    source: str
    aggregates: Callable[[Window], dict[str, Agg | Median]]
    formula: Callable[..., object]
    definition: str
    better: str | None = None
    estimate: bool = False

    @property
    def translated_definition(self) -> str:
        return gettext(self.definition)


KPIS: dict[str, Kpi] = {}


def kpi(key: str, label, *, unit: str, source: str, definition: str, aggregates, formula, **show):
    """Register figure ``key`` and return its formula. ``aggregates`` is a dict, or a function of
    the window for aggregates that depend on it; ``show``: ``better``, ``estimate``."""
    specs = aggregates if callable(aggregates) else (lambda window: aggregates)
    KPIS[key] = Kpi(key, label, unit, source, specs, formula, definition, **show)
    return formula


URGENT = Q(urgency__in=("urgent", "critical"))
CLAIMED = Q(first_claim_at__isnull=False)
FULFILLED = Q(status__in=("fulfilled", "closed"))
ANSWERED_72H = URGENT & Q(first_claim_at__lte=F("published_at") + timedelta(hours=72))
VERIFIED = Q(status="verified")
MONEY, HOURS_KIND = Q(amount_kind="money"), Q(amount_kind="hours")
DUE = Q(due=True)
ACKNOWLEDGED = Q(delivered_at__isnull=False)
GAP = Q(gap__gt=0)

needs_published = kpi(
    "needs_published",
    _("Needs published"),
    unit=COUNT,
    source="needs",
    **counted("needs"),
    definition=gettext_noop(
        "Needs published = the number of needs first published in the period (their publication "
        "time falls in it), counted in the region of the household's county, whatever their "
        "status now."
    ),
)
claim_rate = kpi(
    "claim_rate",
    _("Claim rate"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    **rate(("claimed", CLAIMED), ("needs", None)),
    definition=gettext_noop(
        "Claim rate = needs published in the period that received at least one claim (any claim, "
        "by the time the report is built, even if later withdrawn or expired) ÷ needs published "
        "in the period × 100 %."
    ),
)
median_days_to_first_claim = kpi(
    "median_days_to_first_claim",
    _("Median days to first claim"),
    unit=DAYS,
    source="needs",
    better=LOWER,
    **median("wait", "first_claim_at", "published_at", CLAIMED, _in_days),
    definition=gettext_noop(
        "Median days to first claim = the median, over the needs published in the period that "
        "were claimed, of (first claim's time − publication time), in days to one decimal; needs "
        "never claimed are left out (the claim rate shows them)."
    ),
)
fulfilment_rate = kpi(
    "fulfilment_rate",
    _("Fulfilment rate"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    **rate(("fulfilled", FULFILLED), ("needs", None)),
    definition=gettext_noop(
        "Fulfilment rate = needs published in the period that are now fulfilled or closed after "
        "fulfilment ÷ needs published in the period × 100 %."
    ),
)
urgent_answered_72h = kpi(
    "urgent_answered_72h",
    _("Urgent needs answered within 72 hours"),
    unit=PERCENT,
    source="needs",
    better=HIGHER,
    **rate(("answered", ANSWERED_72H), ("urgent", URGENT)),
    definition=gettext_noop(
        "Urgent needs answered within 72 hours = urgent or critical needs published in the period "
        "whose first claim came at most 72 hours after publication ÷ urgent or critical needs "
        "published in the period × 100 %."
    ),
)
verification_rate = kpi(
    "verification_rate",
    _("Verification rate"),
    unit=PERCENT,
    source="deliveries",
    better=HIGHER,
    **rate(("verified", VERIFIED), ("reported", None)),
    definition=gettext_noop(
        "Verification rate = deliveries reported in the period that a caseworker has verified ÷ "
        "deliveries reported in the period (verified, disputed or still waiting) × 100 %."
    ),
)
charity_money = kpi(
    "charity_money",
    _("Charity money mobilized (verified)"),
    unit=CNY,
    source="deliveries",
    better=HIGHER,
    **summed("amount", "amount", VERIFIED & MONEY),
    definition=gettext_noop(
        "Charity money mobilized = the sum in CNY of the verified money deliveries reported in the "
        "period. Goods and service hours are not money and are not in it; statutory coverage is "
        "never added."
    ),
)
statutory_coverage_estimate = kpi(
    "statutory_coverage_estimate",
    _("Statutory coverage (estimate)"),
    unit=CNY,
    source="needs",
    estimate=True,
    **summed("amount", "statutory_coverage", Q(statutory_coverage__isnull=False)),
    definition=gettext_noop(
        "Statutory coverage (estimate) = the sum of the statutory coverage the policy engine "
        "computed for the needs published in the period (medical needs with a computation). An "
        "estimate from the rules, not money paid by anyone: it stands next to charity money and "
        "is never added to it."
    ),
)
service_share = kpi(
    "service_share",
    _("Share of service aid"),
    unit=PERCENT,
    source="deliveries",
    **rate(("service", VERIFIED & HOURS_KIND), ("verified", VERIFIED)),
    definition=gettext_noop(
        "Share of service aid (material + service) = verified deliveries reported in the period "
        "on needs for service hours ÷ all verified deliveries reported in the period (money, "
        "goods and service) × 100 %; material aid is the rest."
    ),
)
service_hours = kpi(
    "service_hours",
    _("Service hours delivered (verified)"),
    unit=SERVICE_HOURS,
    source="deliveries",
    better=HIGHER,
    **summed("hours", "amount", VERIFIED & HOURS_KIND),
    definition=gettext_noop(
        "Service hours = the sum of the hours of the verified deliveries on service needs reported "
        "in the period."
    ),
)
claims_made = kpi(
    "claims_made",
    _("Claims made"),
    unit=COUNT,
    source="claims",
    **counted("claims"),
    definition=gettext_noop(
        "Claims made = claims made in the period by organizations and volunteers, whatever became "
        "of them (transfers count as new claims)."
    ),
)
on_time_delivery = kpi(
    "on_time_delivery",
    _("On-time delivery"),
    unit=PERCENT,
    source="claims",
    better=HIGHER,
    **rate(("on_time", DUE & Q(delivered_on_time=True)), ("due", DUE)),
    definition=gettext_noop(
        "On-time delivery = claims made in the period that are due (completed, or their need's "
        "needed-by date has passed) and have a reported or verified delivery dated on or before "
        "the needed-by date ÷ claims made in the period that are due × 100 %."
    ),
)
expired_with_gap = kpi(
    "expired_with_gap",
    _("Needs expired with a gap"),
    unit=COUNT,
    source="expiries",
    better=LOWER,
    **counted("needs", GAP, column="need_id"),
    definition=gettext_noop(
        "Needs expired with a gap = needs that expired in the period with their target not fully "
        "covered by verified deliveries (target − verified > 0)."
    ),
)
expired_gap_money = kpi(
    "expired_gap_money",
    _("Money gap left by expired needs"),
    unit=CNY,
    source="expiries",
    better=LOWER,
    **summed("gap", "gap", GAP & MONEY),
    definition=gettext_noop(
        "Money gap left by expired needs = the sum of (target − verified) in CNY over the money "
        "needs that expired in the period with a gap."
    ),
)
duplicate_alerts = kpi(
    "duplicate_alerts",
    _("Duplicate-aid alerts"),
    unit=COUNT,
    source="alerts",
    **counted("alerts"),
    definition=gettext_noop(
        "Duplicate-aid alerts = duplicate-aid alerts raised in the period (the same household, "
        "the same kind of help, inside the window), resolved or not."
    ),
)
needs_returned = kpi(
    "needs_returned",
    _("Needs returned to the department"),
    unit=COUNT,
    source="reviews",
    **counted("returned", Q(to_status="rejected"), column="need_id"),
    definition=gettext_noop(
        "Needs returned to the department = needs a caseworker rejected (sent back to the pushing "
        "department) in the period."
    ),
)
feedback_acknowledged = kpi(
    "feedback_acknowledged",
    _("Feedback acknowledged by departments"),
    unit=PERCENT,
    source="feedback",
    better=HIGHER,
    **rate(("acknowledged", ACKNOWLEDGED), ("events", None)),
    definition=gettext_noop(
        "Feedback acknowledged = feedback events (claims, deliveries, verifications, expiries…) "
        "sent in the period that the pushing department's system acknowledged ÷ feedback events "
        "sent in the period × 100 % (department coordination, seed 5(2))."
    ),
)
feedback_median_hours = kpi(
    "feedback_median_hours",
    _("Median hours to acknowledge feedback"),
    unit=HOURS,
    source="feedback",
    better=LOWER,
    **median("wait", "delivered_at", "created_at", ACKNOWLEDGED, _in_hours),
    definition=gettext_noop(
        "Median hours to acknowledge = the median, over the acknowledged feedback events sent in "
        "the period, of (acknowledgement − sending), in hours to one decimal."
    ),
)
tickets_submitted = kpi(
    "tickets_submitted",
    _("Tickets submitted"),
    unit=COUNT,
    source="tickets",
    **counted("tickets"),
    definition=gettext_noop(
        "Tickets submitted = tickets (complaints, enquiries, help requests, reports, objections…) "
        "submitted in the period, held and merged duplicates left out."
    ),
)


def on_time(done: str, due: str) -> dict:
    """The figure of a deadline: done at or before it, as a share of the judged (done, or the
    deadline passed at the window's ``as_of``: what is still open past it counts as late)."""

    def aggregates(window: Window) -> dict:
        met = Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})
        judged = Q(**{f"{done}__isnull": False}) | Q(**{f"{due}__lt": window.as_of})
        return {"on_time": Agg("count", when=met), "judged": Agg("count", when=judged)}

    return {"aggregates": aggregates, "formula": Rate("on_time", "judged")}


complaints_accepted_on_time = kpi(
    "complaints_accepted_on_time",
    _("Complaints accepted on time"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    **on_time("accepted_at", "accept_due_at"),
    definition=gettext_noop(
        "Complaints accepted on time = tickets submitted in the period that were accepted (or "
        "refused) at or before their acceptance deadline ÷ tickets submitted in the period that "
        "were answered or whose deadline has passed (those still waiting past it count as late) "
        "× 100 %."
    ),
)
complaints_closed_on_time = kpi(
    "complaints_closed_on_time",
    _("Complaints closed on time"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    **on_time("closed_at", "due_at"),
    definition=gettext_noop(
        "Complaints closed on time = tickets submitted in the period closed at or before their "
        "handling deadline (an approved extension included) ÷ tickets submitted in the period "
        "that are closed or whose deadline has passed × 100 %: an open ticket past its deadline "
        "counts as late."
    ),
)
satisfaction = kpi(
    "satisfaction",
    _("Satisfaction"),
    unit=PERCENT,
    source="tickets",
    better=HIGHER,
    **rate(("satisfied", Q(rating="satisfied")), ("rated", Q(rating__isnull=False))),
    definition=gettext_noop(
        "Satisfaction = tickets submitted in the period rated satisfied ÷ tickets submitted in "
        "the period that were rated × 100 % (unrated tickets are left out)."
    ),
)
reopen_rate = kpi(
    "reopen_rate",
    _("Reopen rate"),
    unit=PERCENT,
    source="tickets",
    better=LOWER,
    **rate(("reopened", Q(reopened=True)), ("closed", Q(closed_at__isnull=False) | Q(reopened=True))),
    definition=gettext_noop(
        "Reopen rate = tickets submitted in the period that were ever reopened ÷ tickets "
        "submitted in the period that were ever closed (closed now, or reopened) × 100 %."
    ),
)


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
    """The median of ``later − earlier`` without percentile functions (SQLite): count, then read
    the middle one or two values ordered by it (``OFFSET``): never the whole column."""
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


def _number(value):
    """A sum as the database gave it: Decimal on PostgreSQL; int or float on SQLite, whose
    decimal columns hold numbers (floats through their shortest text, as Django reads them)."""
    return Decimal(str(value)) if isinstance(value, float) else value


def _aggregate(facts: QuerySet, groups: list[tuple[str, Q]], specs: list[Agg | Median]) -> dict:
    """{(group key, spec): value} for every spec in every group, in ONE query: the facts (with a
    boolean column per group and per condition, a value column per aggregated column, and a
    duration column per median) form a derived table, each computed once per row; over it,
    ``COUNT``/``SUM`` and, on PostgreSQL, ``PERCENTILE_CONT(0.5) WITHIN GROUP`` with ``FILTER
    (WHERE group AND condition)``. On SQLite a median is read apart (``_median``)."""
    postgres = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    columns: dict[str, object] = {}
    group_flags, when_flags, value_columns, duration_columns = {}, {}, {}, {}
    for key, condition in groups:
        if condition:
            group_flags[key] = f"_g{len(group_flags)}"
            columns[group_flags[key]] = ExpressionWrapper(condition, output_field=BooleanField())
    for spec in specs:
        if spec.when and spec.when not in when_flags:
            when_flags[spec.when] = f"_w{len(when_flags)}"
            columns[when_flags[spec.when]] = ExpressionWrapper(spec.when, output_field=BooleanField())
        if isinstance(spec, Agg) and spec.column not in value_columns:
            value_columns[spec.column] = f"_v{len(value_columns)}"
            columns[value_columns[spec.column]] = F(spec.column)
        if isinstance(spec, Median) and postgres and spec not in duration_columns:
            duration_columns[spec] = f"_d{len(duration_columns)}"
            columns[duration_columns[spec]] = ExpressionWrapper(
                F(spec.later) - F(spec.earlier), output_field=DurationField()
            )
    selected, apart = [], []
    for key, condition in groups:
        for spec in specs:
            flags = [quote(flag) for flag in (group_flags.get(key), when_flags.get(spec.when)) if flag]
            where = f" FILTER (WHERE {' AND '.join(flags)})" if flags else ""
            if isinstance(spec, Median):
                if not postgres:
                    apart.append((key, condition, spec))
                    continue
                call = f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {quote(duration_columns[spec])})"
            else:
                call = f"{spec.func.upper()}({quote(value_columns[spec.column])})"
            selected.append(((key, spec), call + where))
    values: dict = {}
    if selected:
        inner, params = facts.annotate(**columns).query.sql_with_params()
        # OFFSET 0 keeps PostgreSQL from folding the derived table into the aggregate, which
        # would compute each column again for every aggregate that reads it.
        fence = " OFFSET 0" if postgres else ""
        sql = f"SELECT {', '.join(call for _key, call in selected)} FROM ({inner}{fence}) AS facts"  # noqa: S608 - our own identifiers; values are parameters
        # Compiling hundreds of FILTER clauses costs PostgreSQL's JIT far more than running the
        # query (bench/README.md, issue 14): off, for this transaction only.
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            row = cursor.fetchone()
        values = {key: _number(value) for (key, _call), value in zip(selected, row, strict=True)}
    for key, condition, spec in apart:
        values[(key, spec)] = _median(facts, spec, condition)
    return values


Groups = list[tuple[str, Callable[[Source], Q]]]
ALL: Groups = [("all", lambda source: Q())]


def _between(start: datetime, end: datetime) -> Callable[[Source], Q]:
    """The facts whose own moment (each source's ``date_field``) falls in [start, end)."""
    return lambda source: Q(**{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end})


def _load(source: Source, prefix: str, spans: list[tuple[datetime, datetime]]) -> QuerySet:
    if len(spans) == 1:
        return source.load(prefix, *spans[0])
    return source.load(prefix, None, None).filter(reduce(or_, (_between(*span)(source) for span in spans)))


def _measure(
    window: Window, spans, keys: Iterable[str] | None, groups: Groups
) -> dict[str, dict[str, Figure]]:
    wanted = [KPIS[key] for key in (keys or KPIS)]
    results: dict[str, dict[str, Figure]] = {group: {} for group, _condition in groups}
    by_source: dict[str, list[Kpi]] = {}
    for item in wanted:
        by_source.setdefault(item.source, []).append(item)
    for source_name, items in by_source.items():
        source = SOURCES[source_name]
        try:
            facts = _load(source, window.prefix, spans)
        except SourceNotLanded:
            for group, _condition in groups:
                for item in items:
                    results[group][item.key] = Figure(item.key, None, {}, landed=False)
            continue
        specs = {item.key: item.aggregates(window) for item in items}
        distinct = list(dict.fromkeys(spec for named in specs.values() for spec in named.values()))
        values = _aggregate(facts, [(group, condition(source)) for group, condition in groups], distinct)
        for group, _condition in groups:
            for item in items:
                parts = {name: values[(group, spec)] for name, spec in specs[item.key].items()}
                results[group][item.key] = Figure(item.key, item.formula(**parts), parts)
    return results


def measure(
    window: Window, *, keys: Iterable[str] | None = None, groups: Groups = ALL
) -> dict[str, dict[str, Figure]]:
    """{group key: {figure key: Figure}} for the figures ``keys`` (all by default) in ``window``:
    one query per source for all groups, medians included (on PostgreSQL)."""
    return _measure(window, [(window.start, window.end)], keys, groups)


def compare(windows: dict[str, Window], *, keys: Iterable[str] | None = None) -> dict[str, dict[str, Figure]]:
    """{window name: {figure key: Figure}}: the same figures in several periods of one scope
    judged at one moment (the report's period, the previous one, the same a year earlier): one
    query per source reads the facts of every period once, each period's aggregates filtered by
    its dates."""
    first = next(iter(windows.values()))
    groups = [(name, _between(window.start, window.end)) for name, window in windows.items()]
    return _measure(first, [(window.start, window.end) for window in windows.values()], keys, groups)


def dimension_groups(dimension: str) -> tuple[Groups, dict[str, str]]:
    """The breakdown rows of ``dimension`` (categories, need_type, department) and their labels."""
    choices = need_dimension_choices()[dimension] if dimension != "department" else list(Department.choices)
    groups = [(code, (lambda source, code=code: source.group(dimension, code))) for code, _label in choices]
    return groups, {code: str(label) for code, label in choices}


def breakdown_groups() -> tuple[Groups, dict[str, dict[str, str]]]:
    """The rows of the three breakdowns together (to measure them in one query per source), keyed
    ``dimension:code``, and each dimension's labels by code."""
    groups, labels = [], {}
    for dimension in DIMENSIONS:
        rows, labels[dimension] = dimension_groups(dimension)
        groups += [(f"{dimension}:{code}", condition) for code, condition in rows]
    return groups, labels


def region_groups(children: list[tuple[str, str]]) -> Groups:
    """One breakdown row per child region (its code prefix)."""
    prefixes = [(code, code_prefix(code)) for code, _name in children]
    return [
        (code, (lambda source, prefix=prefix: Q(region_code__startswith=prefix))) for code, prefix in prefixes
    ]


def month_groups(months: list[tuple[datetime, datetime]]) -> Groups:
    """One breakdown row per month [start, end), by each source's own moment."""
    return [(start.strftime("%Y-%m"), _between(start, end)) for start, end in months]


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
