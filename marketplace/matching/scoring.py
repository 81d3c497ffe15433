"""Recommendations: which open needs an offer fits best, and which offers fit a need.

A score is a sum of parts, each an integer of points with a reason in words, so that a charity
and a caseworker see why a need comes first (``POINTS``):

* 类型相符 — the need type is one the offer serves (a filter: no fit, no recommendation);
* 类别 — the offer names the need's published low-income category (or serves every category);
* 地域 — same county as the organization, same city, or elsewhere in the province;
* 紧急程度 — critical, urgent, normal;
* 等待天数 — how long it has waited since publication, so that no need is forgotten;
* 缺口与供给 — whether the offer can close the remaining gap in one go;
* 重复救助 — an open duplicate-aid alert, or the same help to the household within
  ``DUPLICATE_WINDOW_DAYS`` (the assistance chain), lowers it;
* 法定救助 — the need type has a statutory programme and the source department did not confirm
  it was exhausted (statutory first, ``marketplace.matching.statutory``).

For an offer the database filters the candidates with indexed columns first (status, need
type, published city or county: ``needs_open_for_matching``) and computes every part in SQL,
so ranking one offer over 200,000 open needs reads only its candidates (bench/bench_matching.py).
What an organization sees is computed from what the public sees of a need (published place and
categories), never from the withheld attributes (decision 0003).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.delivery.selectors import duplicate_aid_signal
from marketplace.matching.models import AMOUNT_KIND_OF, PLACE_KINDS, Offer
from marketplace.needs.choices import NeedType
from marketplace.needs.selectors import needs_by_pk, needs_open_for_matching

DUPLICATE_WINDOW_DAYS = 90
DIRECT_UNITS_PREFIX = "4290"
LOW_INCOME = "low_income"

# The parts, their points and their words. Changing a figure changes SQL and Python alike.
POINTS = {
    "type": {"fit": (30, _("need type served"))},
    "category": {
        "named": (20, _("low-income category named by the offer")),
        "any": (10, _("offer serves every category")),
        "hidden": (5, _("category published only as low-income household")),
    },
    "region": {
        "county": (20, _("same county")),
        "city": (10, _("same city")),
        "province": (0, _("elsewhere in the province")),
    },
    "urgency": {
        "critical": (30, _("critical")),
        "urgent": (15, _("urgent")),
        "normal": (0, _("normal urgency")),
    },
    "waiting": {
        "60": (30, _("waiting over 60 days")),
        "30": (20, _("waiting over 30 days")),
        "14": (10, _("waiting over 14 days")),
        "7": (5, _("waiting over 7 days")),
        "0": (0, _("published in the last week")),
    },
    "gap": {
        "closes": (15, _("offer can close the remaining gap")),
        "part": (5, _("offer covers part of the remaining gap")),
    },
    "duplicate": {
        "alert": (-40, _("duplicate-aid alert: household recently helped the same way")),
        "none": (0, _("no duplicate-aid alert")),
    },
    "statutory": {
        "unconfirmed": (-10, _("statutory programme not confirmed exhausted")),
        "confirmed": (0, _("statutory programme confirmed exhausted")),
        "none": (0, _("no statutory programme listed")),
    },
}
PART_NAMES = {
    "type": _("Need type"),
    "category": _("Category"),
    "region": _("Region"),
    "urgency": _("Urgency"),
    "waiting": _("Days waiting"),
    "gap": _("Gap and capacity"),
    "duplicate": _("Duplicate aid"),
    "statutory": _("Statutory first"),
}
WAITING_STEPS = (60, 30, 14, 7)
PART_COLUMNS = ("p_type", "p_category", "p_region", "p_urgency", "p_waiting", "p_gap", "p_duplicate")


@dataclass
class Part:
    name: str
    code: str
    points: int

    @property
    def label(self) -> str:
        return str(POINTS[self.name][self.code][1])

    @property
    def title(self) -> str:
        return str(PART_NAMES[self.name])

    def as_dict(self) -> dict:
        return {
            "part": self.name,
            "title": self.title,
            "code": self.code,
            "points": self.points,
            "words": self.label,
        }


@dataclass
class Recommendation:
    need: object
    offer: Offer
    score: int
    parts: list[Part] = field(default_factory=list)
    suggested_amount: Decimal = Decimal(0)

    @property
    def words(self) -> str:
        return "；".join(f"{part.label}（{part.points:+d}）" for part in self.parts)


@contextmanager
def planner_without_jit():
    """Within a transaction, PostgreSQL does not JIT-compile the scoring query: its CASE sums
    over tens of thousands of candidates cost seconds to compile and milliseconds to run."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


# --- where an offer reaches ------------------------------------------------------------------


def city_of(code: str) -> str:
    """The city-level unit of a region code (a direct unit, 4290xx, is its own city)."""
    return code if code.startswith(DIRECT_UNITS_PREFIX) else code[:4] + "00"


def region_filter(prefixes) -> Q:
    """Needs whose published place lies in one of ``prefixes`` (2, 4 or 6 digits), by the
    indexed ``public_city``/``public_region`` columns. A county prefix also reaches the needs of
    its city published only at city level (their county is not public): they score as the city."""
    query = Q()
    for prefix in prefixes:
        if len(prefix) <= 2:
            return Q()
        if len(prefix) == 4 and prefix == DIRECT_UNITS_PREFIX:
            query |= Q(public_region__startswith=prefix)
        elif len(prefix) == 4:
            query |= Q(public_city=prefix + "00")
        else:
            query |= Q(public_region=prefix) | Q(public_region=city_of(prefix))
    return query or Q(pk__in=[])


def capacity_per_need(offer: Offer) -> Decimal:
    remaining = offer.quantity - offer.allocated
    if offer.max_per_need is not None:
        remaining = min(remaining, offer.max_per_need)
    return max(remaining, Decimal(0))


def offer_candidates(offer: Offer) -> QuerySet:
    """The open needs ``offer`` may serve: type, kind of help, categories and place (SQL)."""
    needs = needs_open_for_matching().filter(need_type__in=list(offer.need_types))
    if offer.kind in PLACE_KINDS:
        needs = needs.filter(need_type=NeedType.EMPLOYMENT)
    else:
        needs = needs.filter(amount_kind=AMOUNT_KIND_OF[offer.kind])
        if offer.kind == "goods" and offer.unit:
            needs = needs.filter(unit=offer.unit)
    if offer.categories:
        needs = needs.annotate(_cats=Cast("public_categories", output_field=TextField()))
        named = Q()
        for code in [*offer.categories, LOW_INCOME]:
            named |= Q(_cats__contains=f'"{code}"')
        needs = needs.filter(named)
    return needs.filter(region_filter(offer.region_prefixes))


def _category_case(offer: Offer):
    if not offer.categories:
        return Value(POINTS["category"]["any"][0])
    named = Q()
    for code in offer.categories:
        named |= Q(_cats__contains=f'"{code}"')
    return Case(
        When(named, then=Value(POINTS["category"]["named"][0])),
        default=Value(POINTS["category"]["hidden"][0]),
        output_field=IntegerField(),
    )


def scored_needs(
    offer: Offer, *, today: date | None = None, now=None, needs: QuerySet | None = None
) -> QuerySet:
    """``offer_candidates`` (or ``needs``, a subset of them) with each part and the ``score``
    annotated, best first."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    home = offer.organization.region_id
    capacity = capacity_per_need(offer)
    needs = offer_candidates(offer) if needs is None else needs
    waiting = [
        When(published_at__lt=now - timedelta(days=days), then=Value(POINTS["waiting"][str(days)][0]))
        for days in WAITING_STEPS
    ]
    # A job or training place covers the whole need; anything else closes the gap if it fits.
    gap_closes = Q(pk__isnull=False) if offer.kind in PLACE_KINDS else Q(remaining_gap__lte=capacity)
    needs = needs.annotate(
        remaining_gap=F("target_amount") - F("claimed_amount"),
        p_type=Value(POINTS["type"]["fit"][0]),
        p_category=_category_case(offer),
        p_region=Case(
            When(public_region=home, then=Value(POINTS["region"]["county"][0])),
            When(public_city=city_of(home), then=Value(POINTS["region"]["city"][0])),
            default=Value(POINTS["region"]["province"][0]),
            output_field=IntegerField(),
        ),
        p_urgency=Case(
            *(When(urgency=code, then=Value(points)) for code, (points, _words) in POINTS["urgency"].items()),
            default=Value(0),
            output_field=IntegerField(),
        ),
        p_waiting=Case(*waiting, default=Value(0), output_field=IntegerField()),
    ).annotate(
        p_gap=Case(
            When(gap_closes, then=Value(POINTS["gap"]["closes"][0])),
            default=Value(POINTS["gap"]["part"][0]),
            output_field=IntegerField(),
        ),
        p_duplicate=Case(
            When(
                duplicate_aid_signal(since=today - timedelta(days=DUPLICATE_WINDOW_DAYS)),
                then=Value(POINTS["duplicate"]["alert"][0]),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    needs = needs.annotate(
        score=F("p_type")
        + F("p_category")
        + F("p_region")
        + F("p_urgency")
        + F("p_waiting")
        + F("p_gap")
        + F("p_duplicate")
    )
    # Only indexed columns (``need_open_matching`` covers them): PostgreSQL scores the
    # candidates from the index alone; ``recommend_needs`` then reads the page's 20 rows.
    return needs.values("pk", "urgency", "published_at", *PART_COLUMNS, "score").order_by(
        "-score", "published_at", "pk"
    )


# --- one page of an offer's ranking: a bounded top-k and a capped count -------------------------

COUNT_CAP = 1000  # beyond it the page says "more than 1,000" rather than count every candidate


def _best(name: str) -> int:
    return max(points for points, _words in POINTS[name].values())


def score_ceiling(offer: Offer) -> int:
    """The most the offer-dependent parts (type, category, region, gap, duplicate) can add."""
    category = _best("category") if offer.categories else POINTS["category"]["any"][0]
    return POINTS["type"]["fit"][0] + category + _best("region") + _best("gap") + _best("duplicate")


def static_levels() -> list[int]:
    """Every value urgency + days waiting (the need's own parts) can take, highest first."""
    return sorted(
        {u + w for u, _a in POINTS["urgency"].values() for w, _b in POINTS["waiting"].values()}, reverse=True
    )


def static_at_least(threshold: int, *, now) -> Q:
    """Needs whose urgency and waiting parts add up to ``threshold`` or more, as ranges of
    ``urgency`` and ``published_at`` (the same cases as ``scored_needs``' ``CASE``)."""
    ranked = [code for code in POINTS["urgency"] if code != "normal"]
    query = Q(pk__in=[])
    for code, (points, _words) in POINTS["urgency"].items():
        # Any urgency the table does not name scores as normal (the CASE's default, 0 points).
        urgency = ~Q(urgency__in=ranked) if code == "normal" else Q(urgency=code)
        wanted = threshold - points
        if wanted <= POINTS["waiting"]["0"][0]:
            query |= urgency
            continue
        days = [d for d in WAITING_STEPS if POINTS["waiting"][str(d)][0] >= wanted]
        if days:
            query |= urgency & Q(published_at__lt=now - timedelta(days=min(days)))
    return query


def _page_statement(ranked: QuerySet, count_of: QuerySet | None) -> tuple[list[dict], int | None]:
    """Run ``ranked`` (sliced) with, in the same statement, the count of ``count_of`` (sliced)."""
    page_sql, page_params = ranked.query.sql_with_params()
    if count_of is None:
        count_sql, count_params = "SELECT NULL AS total", ()
    else:
        inner, count_params = count_of.query.sql_with_params()
        count_sql = f"SELECT COUNT(*) AS total FROM ({inner}) AS counted"  # noqa: S608 (compiled SQL)
    sql = (
        f"SELECT c.total, r.* FROM ({count_sql}) AS c LEFT JOIN ({page_sql}) AS r ON 1 = 1 "  # noqa: S608
        "ORDER BY r.score DESC, r.published_at ASC, r.pk ASC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*count_params, *page_params])
        names = [column[0] for column in cursor.description]
        fetched = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    total = fetched[0]["total"] if fetched else None
    rows = [row for row in fetched if row["pk"] is not None]
    for row in rows:
        del row["total"]
    return rows, total


def ranked_rows(offer: Offer, *, offset: int, limit: int, count: bool = True, now=None):
    """Rows ``offset``…``offset + limit`` of ``scored_needs(offer)``, exactly, and the number of
    candidates capped at ``COUNT_CAP + 1`` (None unless ``count``), without scoring every candidate.

    A need's score is its own parts (urgency + days waiting: ``static_levels``) plus the offer's
    parts, which never exceed ``score_ceiling``. So the first ``k = offset + limit`` needs of the
    needs whose own parts reach ``T`` are the first ``k`` of all when the k-th scores at least
    ``T + ceiling``: every need left out scores at most ``T - 1 + ceiling``. The first statement
    tries the highest level; if it falls short, the k-th score it found (a lower bound of the
    true one) gives the level that is sure to hold, else every candidate is scored: at most two
    statements, each with the count.
    """
    now = now or timezone.now()
    k = offset + limit
    candidates = offer_candidates(offer)
    count_of = candidates.order_by().values("pk")[: COUNT_CAP + 1] if count else None
    if not any(len(prefix) <= 2 for prefix in offer.region_prefixes):
        # A city or county offer: its candidates are one range of ``need_open_matching``.
        rows, total = _page_statement(scored_needs(offer, now=now)[:k], count_of)
        return rows[offset:k], total
    ceiling = score_ceiling(offer)
    levels = static_levels()
    threshold = levels[0]
    rows, total = _page_statement(
        scored_needs(offer, now=now, needs=candidates.filter(static_at_least(threshold, now=now)))[:k],
        count_of,
    )
    if len(rows) < k or rows[k - 1]["score"] < threshold + ceiling:
        sure = [level for level in levels if len(rows) >= k and level <= rows[k - 1]["score"] - ceiling]
        needs = candidates.filter(static_at_least(sure[0], now=now)) if sure else candidates
        rows, _total = _page_statement(scored_needs(offer, now=now, needs=needs)[:k], None)
    return rows[offset:k], total


class RankedNeeds:
    """An offer's ranking for ``RankedPaginator`` (the API's and the offer page's pagination)."""

    def __init__(self, offer: Offer) -> None:
        self.offer = offer
        self.now = timezone.now()

    def count(self) -> int:
        return offer_candidates(self.offer).order_by().values("pk")[: COUNT_CAP + 1].count()


class RankedPaginator(Paginator):
    """Pages of a ``RankedNeeds``: each page is one statement (rarely two) that also counts the
    candidates up to ``COUNT_CAP``; past the cap the count reads "more than 1,000" (``capped``)
    and the pages stop there."""

    def __init__(self, object_list: RankedNeeds, per_page, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._total: int | None = None

    @property
    def count(self) -> int:
        if self._total is None:
            self._total = self.object_list.count()
        return min(self._total, COUNT_CAP)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def capped(self) -> bool:
        return self.count == COUNT_CAP and self._total > COUNT_CAP

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1 or number > -(-COUNT_CAP // self.per_page):
            raise EmptyPage(self.error_messages["no_results"])
        rows, total = ranked_rows(
            self.object_list.offer,
            offset=(number - 1) * self.per_page,
            limit=self.per_page,
            count=self._total is None,
            now=self.object_list.now,
        )
        if total is not None:
            self._total = total
        if number > self.num_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


def _code_of(name: str, points: int, default: str) -> str:
    for code, (value, _words) in POINTS[name].items():
        if value == points:
            return code
    return default


def parts_of(row: dict) -> list[Part]:
    """The parts of a row of ``scored_needs``, with their words."""
    urgency = row["urgency"] if row["urgency"] in POINTS["urgency"] else "normal"
    return [
        Part("type", "fit", row["p_type"]),
        Part("category", _code_of("category", row["p_category"], "any"), row["p_category"]),
        Part("region", _code_of("region", row["p_region"], "province"), row["p_region"]),
        Part("urgency", urgency, row["p_urgency"]),
        Part("waiting", _code_of("waiting", row["p_waiting"], "0"), row["p_waiting"]),
        Part("gap", _code_of("gap", row["p_gap"], "part"), row["p_gap"]),
        Part("duplicate", "alert" if row["p_duplicate"] else "none", row["p_duplicate"]),
    ]


def suggested_amount(offer: Offer, need) -> Decimal:
    """What the offer could give this need: its remaining gap, within the offer's limits."""
    gap = need.target_amount - need.claimed_amount
    if offer.kind in PLACE_KINDS:
        return gap
    return max(min(gap, capacity_per_need(offer)), Decimal(0))


def recommend_needs(offer: Offer, rows) -> list[Recommendation]:
    """Recommendations of a page of ``scored_needs`` rows (one query reads their needs),
    statutory status included."""
    from marketplace.matching.statutory import statutory_part_for

    rows = list(rows)
    found = needs_by_pk(pks=[row["pk"] for row in rows])
    needs = [found[row["pk"]] for row in rows if row["pk"] in found]
    statutory = statutory_part_for(needs)
    result = []
    for row, need in zip(rows, needs, strict=False):
        parts = parts_of(row)
        extra = statutory.get(need.pk)
        if extra is not None:
            parts.append(extra)
        score = sum(part.points for part in parts)
        result.append(Recommendation(need, offer, score, parts, suggested_amount(offer, need)))
    return result


# --- for a need: the offers that fit (caseworker's view) ------------------------------------------


def offer_fits(offer: Offer, need, *, today: date) -> bool:
    """The same eligibility as ``offer_candidates``, for one need in Python (a few thousand offers)."""
    if need.need_type not in offer.need_types:
        return False
    if offer.kind in PLACE_KINDS:
        if need.need_type != NeedType.EMPLOYMENT:
            return False
    elif need.amount_kind != AMOUNT_KIND_OF[offer.kind] or (
        offer.kind == "goods" and offer.unit and need.unit != offer.unit
    ):
        return False
    if offer.categories and not {*offer.categories, LOW_INCOME} & set(need.public_categories or []):
        return False
    if not (offer.available_from <= today <= offer.available_until):
        return False
    if offer.quantity - offer.allocated <= 0:
        return False
    return _reaches(offer.region_prefixes, need.public_region_id)


def _reaches(prefixes, public_region: str) -> bool:
    for prefix in prefixes:
        if len(prefix) <= 2 or public_region.startswith(prefix):
            return True
        if len(prefix) == 6 and public_region == city_of(prefix):
            return True
    return False


def score_pair(offer: Offer, need, *, now=None, duplicate: bool = False) -> list[Part]:
    """The parts of one (offer, need) pair in Python: the same table as ``scored_needs``."""
    now = now or timezone.now()
    home = offer.organization.region_id
    if not offer.categories:
        category = "any"
    elif set(offer.categories) & set(need.public_categories or []):
        category = "named"
    else:
        category = "hidden"
    if need.public_region_id == home:
        region = "county"
    elif need.public_city == city_of(home):
        region = "city"
    else:
        region = "province"
    waiting = "0"
    for days in WAITING_STEPS:
        if need.published_at and need.published_at < now - timedelta(days=days):
            waiting = str(days)
            break
    gap = need.target_amount - need.claimed_amount
    closes = offer.kind in PLACE_KINDS or gap <= capacity_per_need(offer)
    urgency = need.urgency if need.urgency in POINTS["urgency"] else "normal"
    picks = [
        ("type", "fit"),
        ("category", category),
        ("region", region),
        ("urgency", urgency),
        ("waiting", waiting),
        ("gap", "closes" if closes else "part"),
        ("duplicate", "alert" if duplicate else "none"),
    ]
    return [Part(name, code, POINTS[name][code][0]) for name, code in picks]


def recommend_offers(need, offers, *, duplicate: bool = False) -> list[Recommendation]:
    """The open offers that fit ``need``, best first, each with its parts."""
    from marketplace.matching.statutory import statutory_part_for

    today = timezone.localdate()
    now = timezone.now()
    extra = statutory_part_for([need]).get(need.pk)
    result = []
    for offer in offers:
        if not offer_fits(offer, need, today=today):
            continue
        parts = score_pair(offer, need, now=now, duplicate=duplicate)
        if extra is not None:
            parts.append(extra)
        result.append(
            Recommendation(need, offer, sum(p.points for p in parts), parts, suggested_amount(offer, need))
        )
    result.sort(key=lambda rec: (-rec.score, rec.offer.pk))
    return result
