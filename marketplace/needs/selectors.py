"""Reads of needs: the public list and detail, the caseworker's review queue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact, IContains
from django.utils import timezone

from accounts.models import Department
from accounts.permissions import QUEUE_ROLES
from accounts.roles import Role
from accounts.scoping import scope_queryset
from core.backoffice import QueueCount, queue_count
from core.db import can_prepare, fixed_query, instance_from, preparing_cursor, select_list
from marketplace.needs import policy
from marketplace.needs.choices import LowIncomeCategory, NeedType
from marketplace.needs.filters import (
    DEFAULT_ORDERING,
    ORDERINGS,
    NeedFilterParams,
    apply_need_filters,
    need_filter_params,
    region_index,
)
from marketplace.needs.models import (
    OPEN_FOR_CLAIMS,
    PUBLIC_STATUSES,
    AmountKind,
    FeedbackEvent,
    Need,
    NeedStatus,
    NeedTransition,
    PolicyOverride,
    SourceSystem,
)
from marketplace.needs.serializers import ROW_COLUMNS, public_need_dicts
from regions.models import Region


def need_public_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Need]:
    """Needs the public may see (published, claimed, fulfilled…), newest first.

    ``filters`` are the parameters of ``marketplace.needs.filters.NeedFilter`` (e.g. ``request.GET``):
    city, county, need type, category, urgency, state, remaining-gap range, publication dates
    and ``ordering``; other keys are ignored. Raises ``django.core.exceptions.ValidationError``
    (one entry per bad parameter) when a value is not valid.
    """
    needs = (
        Need.objects.filter(status__in=sorted(PUBLIC_STATUSES))
        .select_related("public_region")
        .order_by(*ORDERINGS[DEFAULT_ORDERING])
    )
    if not filters:
        return needs
    return apply_need_filters(needs, need_filter_params(filters))


def need_public_rows(*, filters: Mapping[str, Any] | None = None, columns: tuple[str, ...]) -> PublicNeedRows:
    """``need_public_list(filters=filters)`` as tuples of ``columns``, read a slice at a time.

    ``need_public_rows(filters=request.GET, columns=ROW_COLUMNS)[0:20]`` is the list of the
    first 20 rows, exactly what ``need_public_list(...).values_list(*columns)[0:20]`` gives,
    for the cost of one SQL statement: the statement of each distinct slice of each distinct
    set of filters is built once per process (``_compiled``). Building and compiling the
    queryset costs ~2 ms a request, more than the query itself. Raises
    ``django.core.exceptions.ValidationError`` like ``need_public_list``.
    """
    return PublicNeedRows(need_filter_params(filters), columns)


class PublicNeedRows:
    """Rows of the public list, sliced like a queryset (no count: the facets give it)."""

    def __init__(self, params: NeedFilterParams, columns: tuple[str, ...]):
        self.params, self.columns = params, columns

    def __getitem__(self, window: slice) -> list[tuple]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("PublicNeedRows are read a slice at a time, e.g. rows[0:20].")
        alias = router.db_for_read(Need)
        key = tuple(self.params.items())
        # The time zone makes the date filters' bounds (it changes only in tests).
        zone = timezone.get_default_timezone_name()
        # A keyword search's codes may be a list written into the SQL: compiled afresh each time.
        compile_ = _compiled.__wrapped__ if "q" in self.params else _compiled
        statement = compile_(alias, zone, key, self.columns, window.start, window.stop)
        if statement is None:
            return []
        sql, sql_params, compiler, converters, literal = statement
        connection = connections[alias]
        # Not while queries are logged (DEBUG, tests counting queries): the log shows a query's
        # text only when Django's own cursor sends it.
        if literal is not None and not connection.queries_logged and settings.DATABASE_PREPARED_STATEMENTS:
            with preparing_cursor(connection) as cursor:
                cursor.execute(literal)
                rows = cursor.fetchall()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]


@lru_cache(maxsize=512)
def _compiled(
    alias: str, zone: str, params: tuple, columns: tuple[str, ...], start: int | None, stop: int | None
):
    """The SQL, its parameters, its compiler, its column converters (JSON decoding…) and, on
    PostgreSQL, the same SQL with its values written in (``literal``), or None when the filters
    can match nothing. Only the SQL's text and values are kept from the queryset: nothing in
    them depends on the request or on the data."""
    needs = need_public_list(filters=NeedFilterParams(params)).values_list(*columns)[start:stop]
    connection = connections[alias]
    compiler = needs.query.get_compiler(using=alias)
    try:
        sql, sql_params = compiler.as_sql()
    except EmptyResultSet:
        return None
    converters = compiler.get_converters([select[0] for select in compiler.select[: compiler.col_count]])
    # The values are quoted exactly as Django's client-side binding sends them on every query.
    literal = connection.ops.compose_sql(sql, sql_params) if can_prepare(connection) else None
    return sql, sql_params, compiler, converters, literal


# What a need read for a request knows of its source system: whether its feedback is pushed
# (``feedback_emit`` sends no wake-up call for a system that pulls); the rest is read if asked.
SOURCE_DELIVERY = ("id", "is_active", "webhook_url")


def need_public_get(*, code: str) -> Need:
    """One published need by its public code, with its public region; raises ``Need.DoesNotExist``.

    ``need_public_list().get(code=code)`` in one fixed statement (``core.db``): every claim and
    every need page reads a need by its code.
    """
    alias = router.db_for_read(Need)
    rows = fixed_query(_public_get_sql(alias), [code, *sorted(PUBLIC_STATUSES)], using=alias)
    if not rows:
        raise Need.DoesNotExist("No published need has this code.")
    row = rows[0]
    split = len(Need._meta.concrete_fields)
    region_end = split + len(Region._meta.concrete_fields)
    need = instance_from(Need, row[:split], using=alias)
    if need.public_region_id is not None:
        need.public_region = instance_from(Region, row[split:region_end], using=alias)
    if need.source_system_id is not None:
        need.source_system = instance_from(
            SourceSystem, row[region_end:], fields=SOURCE_DELIVERY, using=alias
        )
    return need


@lru_cache(maxsize=4)
def _public_get_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    needs, regions = qn(Need._meta.db_table), qn(Region._meta.db_table)
    systems = qn(SourceSystem._meta.db_table)
    statuses = ", ".join(["%s"] * len(PUBLIC_STATUSES))
    select = ", ".join(
        [
            select_list(Need, "n", using=alias),
            select_list(Region, "r", using=alias),
            select_list(SourceSystem, "s", fields=SOURCE_DELIVERY, using=alias),
        ]
    )
    return (
        f"SELECT {select} FROM {needs} n LEFT JOIN {regions} r ON r.code = n.public_region_id "  # noqa: S608 - names from the models' meta
        f"LEFT JOIN {systems} s ON s.id = n.source_system_id WHERE n.code = %s AND n.status IN ({statuses})"
    )


def need_public_documents(*, codes: Iterable[str] | None = None, chunk_size: int = 2000) -> Iterator[dict]:
    """The public shape (``PublicNeedSerializer``, built by ``public_need_dicts``) of every public
    need, or of those among ``codes``: exactly what the public list shows of each, so a search
    index built from it holds the allow-listed fields at the list's generalization, and a need
    that is held, waiting for its cohort, withdrawn or expired is simply not among them."""
    needs = need_public_list().order_by("pk")
    if codes is not None:
        needs = needs.filter(code__in=list(codes))
    batch: list[tuple] = []
    for row in needs.values_list(*ROW_COLUMNS).iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from public_need_dicts(batch)
            batch = []
    if batch:
        yield from public_need_dicts(batch)


def need_public_codes() -> QuerySet:
    """The codes of every public need (a flat values list: count it, or iterate it)."""
    return need_public_list().order_by().values_list("code", flat=True)


def need_codes_of(need_ids: Iterable[int]) -> list[str]:
    """The public codes of these needs, whatever their status (to take a withdrawn one out of an index)."""
    return list(Need.objects.filter(pk__in=list(need_ids)).values_list("code", flat=True))


def need_review_queue(*, user) -> QuerySet[Need]:
    """Needs held for review inside the user's region scope, oldest first."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW).select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).order_by("created_at", "id")


def need_review_count(*, user) -> QueueCount:
    """The dashboard's count of the review queue in the caseworker's or supervisor's region."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW)
    return queue_count(scope_queryset(needs, user, roles=QUEUE_ROLES), waiting_since="created_at")


# --- facts for performance reports (reports.kpis aggregates them in SQL) -----------------------
# Each returns an UNEVALUATED queryset of ``.values()`` rows with flat keys, so that the reports
# app counts and sums in the database and never loops over rows. ``region_prefix`` scopes by the
# need's true county (regions.models.code_prefix); [start, end) bounds the fact's own moment.

NEED_FACT_DIMENSIONS = ("need_type", "categories", "department")


def need_dimension_choices() -> dict[str, list[tuple[str, str]]]:
    """The values reports break figures down by: {"need_type": [(code, label)], "categories": …}.
    Departments are ``accounts.models.Department``."""
    return {
        "need_type": list(NeedType.choices),
        "categories": list(LowIncomeCategory.choices),
        "department": list(Department.choices),
    }


def _window(queryset: QuerySet, field: str, start, end) -> QuerySet:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset


def need_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Needs published in [start, end) in the region, as values rows: id, code, region_code,
    need_type, categories (JSON list of codes), department, urgency, amount_kind, target_amount,
    claimed_amount, verified_amount, statutory_coverage (the policy engine's estimate, None when
    not computed), status, published_at, needed_by."""
    needs = Need.objects.filter(published_at__isnull=False, region__code__startswith=region_prefix)
    return (
        _window(needs, "published_at", start, end)
        .annotate(region_code=F("region_id"))
        .values(
            "id",
            "code",
            "region_code",
            "need_type",
            "categories",
            "department",
            "urgency",
            "amount_kind",
            "target_amount",
            "claimed_amount",
            "verified_amount",
            "statutory_coverage",
            "status",
            "published_at",
            "needed_by",
        )
        .order_by()
    )


def need_dimension_annotations(path: str = "need__") -> dict:
    """Annotations that give a fact about a need (``path`` leads from the fact to its need) the
    need's region code and the dimensions reports break figures down by."""
    return {
        "region_code": F(f"{path}region_id"),
        "need_type": F(f"{path}need_type"),
        "categories": F(f"{path}categories"),
        "department": F(f"{path}department"),
    }


def cited_need_in_group(code_field: str, dimension: str, value: str) -> Q:
    """For facts that cite a need by its code (``code_field``, e.g. a complaint's ``need_code``):
    whether the cited need is in the breakdown group ``dimension = value`` (for ``categories``:
    ``value`` among the need's categories). A scalar look-up of the cited need by its unique
    code, once per fact: an ``IN`` or ``EXISTS`` over the needs of the group would have the
    database read every need of the group for each group."""
    cited = Subquery(Need.objects.filter(code=OuterRef(code_field)).values(dimension)[:1])
    if dimension == "categories":
        return Q(IContains(Cast(cited, output_field=TextField()), f'"{value}"'))
    return Q(Exact(cited, value))


def need_expiry_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Needs that expired in [start, end) (their transition to ``expired``), as values rows: id,
    region_code, need_type, categories, department, amount_kind, gap (target minus verified
    deliveries), expired_at."""
    transitions = NeedTransition.objects.filter(
        to_status=NeedStatus.EXPIRED, need__region__code__startswith=region_prefix
    )
    return (
        _window(transitions, "created_at", start, end)
        .annotate(
            **need_dimension_annotations(),
            amount_kind=F("need__amount_kind"),
            gap=ExpressionWrapper(
                F("need__target_amount") - F("need__verified_amount"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            expired_at=F("created_at"),
        )
        .values(
            "need_id",
            "region_code",
            "need_type",
            "categories",
            "department",
            "amount_kind",
            "gap",
            "expired_at",
        )
        .order_by()
    )


def need_review_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Decisions on needs held for review, made in [start, end): transitions out of
    ``pending_review`` by a person, as values rows: need_id, region_code, need_type, categories,
    department, to_status (published, rejected…), decided_at, waited (decision minus the need's
    arrival)."""
    transitions = NeedTransition.objects.filter(
        from_status=NeedStatus.PENDING_REVIEW,
        actor__isnull=False,
        need__region__code__startswith=region_prefix,
    ).exclude(to_status=NeedStatus.PENDING_REVIEW)
    return (
        _window(transitions, "created_at", start, end)
        .annotate(
            **need_dimension_annotations(),
            decided_at=F("created_at"),
            waited=ExpressionWrapper(F("created_at") - F("need__created_at"), output_field=DurationField()),
        )
        .values(
            "need_id",
            "region_code",
            "need_type",
            "categories",
            "department",
            "to_status",
            "decided_at",
            "waited",
        )
        .order_by()
    )


def feedback_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Feedback events to the pushing department's system created in [start, end), as values
    rows: id, kind, region_code, need_type, categories, department, created_at, delivered_at
    (when the department's system acknowledged it; None while it has not)."""
    events = FeedbackEvent.objects.filter(need__region__code__startswith=region_prefix)
    return (
        _window(events, "created_at", start, end)
        .annotate(
            **need_dimension_annotations(),
        )
        .values(
            "id", "kind", "region_code", "need_type", "categories", "department", "created_at", "delivered_at"
        )
        .order_by()
    )


def held_need_facts(*, region_prefix: str = "") -> QuerySet:
    """Needs held for a caseworker's review now, as values rows: id, region_code, need_type,
    department, hold_reasons (JSON list of {"code", "detail"}; codes, never identity),
    awaiting_cohort."""
    return (
        Need.objects.filter(status=NeedStatus.PENDING_REVIEW, region__code__startswith=region_prefix)
        .annotate(region_code=F("region_id"))
        .values("id", "region_code", "need_type", "department", "hold_reasons", "awaiting_cohort")
        .order_by()
    )


def published_need_placement_facts(*, region_prefix: str = "") -> QuerySet:
    """Needs the public sees now, as values rows: id, region_code, public_region_code,
    public_class (their k-anonymity class), published_above_county (published at city level
    though their county is a county below a city)."""
    return (
        Need.objects.filter(status__in=sorted(PUBLIC_STATUSES), region__code__startswith=region_prefix)
        .annotate(
            region_code=F("region_id"),
            public_region_code=F("public_region_id"),
            published_above_county=ExpressionWrapper(
                ~Q(public_region_id=F("region_id")), output_field=BooleanField()
            ),
        )
        .values("id", "region_code", "public_region_code", "public_class", "published_above_county")
        .order_by()
    )


def published_class_size_distribution(*, region_prefix: str = "") -> list[tuple[int, int]]:
    """How many published k-anonymity classes have each size, as [(size, classes)], smallest
    size first: one SQL statement grouping the classes' sizes. A class is counted inside the
    scope by its members there (a city-level class spanning two scopes shows its local part)."""
    sizes = (
        Need.objects.filter(status__in=sorted(PUBLIC_STATUSES), region__code__startswith=region_prefix)
        .exclude(public_class="")
        .values("public_class")
        .annotate(size=Count("id"))
        .values("size")
        .order_by()
    )
    sql, params = sizes.query.sql_with_params()
    alias = router.db_for_read(Need)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT size, COUNT(*) FROM ({sql}) AS class_sizes GROUP BY size ORDER BY size",  # noqa: S608 - Django's own SQL
            params,
        )
        return [(int(size), int(classes)) for size, classes in cursor.fetchall()]


def need_region_and_department(*, code: str) -> tuple[str, str] | None:
    """The region code and department of the need with public code ``code`` (any status), or
    None: what a complaint citing the need needs to route it and to tell its caseworkers."""
    row = Need.objects.filter(code=code).values_list("region_id", "department").first()
    return (row[0], row[1]) if row else None


def need_code_exists(*, code: str) -> bool:
    """Whether a need with public code ``code`` exists (a complaint may cite it)."""
    return Need.objects.filter(code=code).exists()


def region_picker_index():
    """The region tree as the public needs browser's city and county pickers group it
    (``filters.region_index``: cities, and the counties of each), for other apps' forms."""
    return region_index()


# The public figures' stages (disjoint, so a city's stages add up to the needs it published).
FIGURE_STAGES = {
    "open": (NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED),
    "claimed": (NeedStatus.CLAIMED,),
    "fulfilled": (NeedStatus.FULFILLED, NeedStatus.CLOSED),
}


def need_public_figures() -> list[dict[str, Any]]:
    """What the marketplace publishes about itself, per city-level unit and stage, in SQL.

    One row per (city, stage) that has needs: ``{"city": code, "stage": "open" (published,
    open for claims) | "claimed" | "fulfilled" (fulfilled or closed), "needs": int,
    "target_money": Decimal, "claimed_money": Decimal}``; the amounts add up the needs asking
    for money (CNY) only, goods and service hours having no common unit. Only needs the public
    may see count (``PUBLIC_STATUSES``), by the city they are published in.
    """
    stage = Case(
        *(
            When(status__in=[str(s) for s in statuses], then=Value(name))
            for name, statuses in FIGURE_STAGES.items()
        ),
        output_field=CharField(),
    )
    money = Q(amount_kind=AmountKind.MONEY)
    rows = (
        Need.objects.filter(status__in=sorted(PUBLIC_STATUSES))
        .annotate(stage=stage)
        .values("public_city", "stage")
        .annotate(
            needs=Count("id"),
            target_money=Coalesce(
                Sum("target_amount", filter=money), Value(Decimal(0)), output_field=DecimalField()
            ),
            claimed_money=Coalesce(
                Sum("claimed_amount", filter=money), Value(Decimal(0)), output_field=DecimalField()
            ),
        )
        .order_by("public_city", "stage")
    )
    return [
        {
            "city": row["public_city"],
            "stage": row["stage"],
            "needs": row["needs"],
            "target_money": row["target_money"],
            "claimed_money": row["claimed_money"],
        }
        for row in rows
    ]


def need_year_figures(*, year: int) -> dict[str, int]:
    """The home page's key figures of ``year`` (local time): needs published, needs claimed (in
    whole or in part) and needs fulfilled that year, each need counted once per figure.

    Read from the needs' status transitions, so a need published last year and fulfilled this
    year counts as fulfilled this year only.
    """
    zone = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone)
    transitions = NeedTransition.objects.filter(created_at__gte=start, created_at__lt=end)

    def needs_reaching(*statuses: str) -> int:
        return transitions.filter(to_status__in=statuses).values("need_id").distinct().count()

    return {
        "published": needs_reaching(NeedStatus.PUBLISHED),
        "claimed": needs_reaching(NeedStatus.PARTIALLY_CLAIMED, NeedStatus.CLAIMED),
        "fulfilled": needs_reaching(NeedStatus.FULFILLED),
    }


def medical_rules_in_force(*, day: date) -> dict[str, Any] | None:
    """The policy engine's medical-assistance rules in force on ``day``, as plain values for a
    public page: the provincial rule set (ratios by category, chronic outpatient ratio, premium
    subsidies, its document and clause), the 就高 rule, and the regional overrides in force.
    None when no rule set is in force. Read from the engine (``policy.RULE_SETS``), never retyped.
    """
    try:
        rule_set = policy.rule_set_for(day)
    except policy.NoRuleSet:
        return None
    labels = dict(LowIncomeCategory.choices)

    def category_row(category: str, ratio: Decimal) -> dict[str, Any]:
        return {
            "category": category,
            "label": labels[category],
            "policy_name": policy.CATEGORY_NAMES_ZH[category],
            "ratio": ratio,
            "percent": policy.percent(ratio),
        }

    inpatient = [
        category_row(category, rule_set.inpatient_ratios[category])
        for category in policy.CATEGORY_ORDER
        if rule_set.inpatient_ratios[category] > 0
    ]
    inpatient.sort(key=lambda row: row["ratio"], reverse=True)
    overrides = (
        PolicyOverride.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("region")
        .order_by("region_id", "-effective_from")
    )
    return {
        "id": rule_set.id,
        "title": rule_set.title,
        "document": rule_set.document,
        "source": rule_set.source,
        "effective_from": rule_set.effective_from,
        "effective_to": rule_set.effective_to,
        "inpatient": inpatient,
        "uncovered": [
            category_row(category, Decimal("0"))
            for category in policy.CATEGORY_ORDER
            if rule_set.inpatient_ratios[category] == 0
        ],
        "outpatient_chronic": {
            "percent": policy.percent(rule_set.outpatient_chronic_ratio),
            "categories": [labels[c] for c in policy.CATEGORY_ORDER if c in rule_set.outpatient_categories],
        },
        "premium": [category_row(c, r) for c, r in rule_set.premium_ratios.items()],
        # 就高原则: assess_medical gives a person in several categories the highest ratio.
        "highest_rule": True,
        "overrides": [
            {
                "region_code": override.region_id,
                "region_name": override.region.name,
                "label": override.label,
                "inpatient": [
                    category_row(category, Decimal(str(ratio)))
                    for category, ratio in sorted(override.inpatient_ratios.items())
                    if category in labels
                ],
                "outpatient_chronic_percent": (
                    policy.percent(override.outpatient_chronic_ratio)
                    if override.outpatient_chronic_ratio is not None
                    else ""
                ),
                "annual_cap": override.annual_cap,
                "effective_from": override.effective_from,
            }
            for override in overrides
        ],
    }


def needs_open_for_matching() -> QuerySet[Need]:
    """Needs open for claims (published or partially claimed), for matching's recommendations
    and allocation (marketplace.matching): unordered, so the caller sorts by its own score."""
    return Need.objects.filter(status__in=sorted(OPEN_FOR_CLAIMS))


def needs_waiting_unclaimed(*, published_before) -> QuerySet[Need]:
    """Published needs with nothing claimed yet, published before ``published_before``."""
    return Need.objects.filter(
        status=NeedStatus.PUBLISHED, claimed_amount=0, published_at__lt=published_before
    )


def need_for_caseworker(*, user, code: str) -> Need:
    """A need of any status by its code, inside the caseworker's region scope; raises
    ``Need.DoesNotExist`` for any other (matching's offers for a need)."""
    needs = Need.objects.select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).get(code=code)


def source_system_named(name: str) -> SourceSystem | None:
    """The source system of that name (the demo data's), or None."""
    return SourceSystem.objects.filter(name=name).first()


def needs_by_pk(*, pks) -> dict[int, Need]:
    """``{pk: need}`` of these needs, with their published place, in one query."""
    return Need.objects.select_related("public_region").in_bulk(list(pks))
