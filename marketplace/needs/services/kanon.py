"""k-anonymity in the database: class sizes, waiting needs, publication at a level.

The pure ladder is ``marketplace.needs.placement``; this module reads what it needs from the needs
table and writes its decisions back. Used by intake (``marketplace.needs.services.intake``) and the
review queue (``marketplace.needs.services.review``), which place needs under the same city lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.needs.models import PUBLIC_STATUSES, Need, NeedStatus
from marketplace.needs.placement import (
    CASEWORKER_APPROVED,
    LEVELS,
    SUPPRESSED_LEVEL,
    Attributes,
    Placement,
    cohort_keys,
    key_from_string,
    key_string,
    max_level_for,
    published_key,
)


def load_placement(
    candidates: Iterable[tuple[Attributes, int]], county_cities: dict[str, str], *, leaving: int = 0
) -> Placement:
    """The published class sizes and the waiting needs of the classes these candidates (their
    attributes and the highest level each may reach) could be published in: a few indexed
    lookups per batch, however many needs are published or waiting.

    ``leaving`` is how many published needs of the batch may leave their class (updated needs
    placed anew). Placement only asks whether a class reaches k, so a class is counted up to
    k + ``leaving`` members and no further: the same decisions, at a cost that does not grow
    with the table.
    """
    placement = Placement(k=settings.K_ANONYMITY_K)
    classes: set[str] = set()
    cohorts: set[str] = set()
    wide_cohorts: set[str] = set()
    for attributes, max_level in candidates:
        classes.update(key_string(attributes.key(level)) for level in LEVELS[: max_level + 1])
        cohort, wide = cohort_keys(attributes, max_level=max_level)
        cohorts.add(cohort)
        if wide:
            wide_cohorts.add(wide)
    if not classes:
        return placement
    for public_class, count in _class_sizes(sorted(classes), cap=placement.k + leaving):
        placement.add_published(key_from_string(public_class), count)
    waiting = Need.objects.filter(
        Q(cohort_key__in=cohorts) | Q(cohort_wide_key__in=wide_cohorts), awaiting_cohort=True
    ).only(*WAITING_FIELDS)
    for need in waiting:
        placement.add_waiting(
            need.code, need, need_attributes(need, county_cities), max_level=waiting_level(need)
        )
    return placement


def _class_sizes(classes: list[str], *, cap: int) -> list[tuple[str, int]]:
    """How many public needs each class has, counting at most ``cap`` of each: one indexed
    probe of at most ``cap`` entries per class (``need_kanon_class``) rather than a count of
    every member. The ORM has no per-group limit, hence the SQL (PostgreSQL and SQLite alike)."""
    table = connection.ops.quote_name(Need._meta.db_table)
    statuses = ", ".join(["%s"] * len(PUBLIC_STATUSES))
    classes_sql = ", ".join(["(%s)"] * len(classes))
    # Only the model's table name and placeholders are formatted into the statement.
    sql = (
        f"SELECT c.column1, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} n"  # noqa: S608
        f" WHERE n.public_class = c.column1 AND n.status IN ({statuses}) LIMIT %s) AS members)"
        f" FROM (VALUES {classes_sql}) AS c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*sorted(PUBLIC_STATUSES), cap, *classes])
        return [(public_class, count) for public_class, count in cursor.fetchall() if count]


def waiting_level(need: Need) -> int:
    approved = any(reason.get("detail") == CASEWORKER_APPROVED for reason in need.hold_reasons)
    return max_level_for(need.urgency, approved=approved)


def wait_for_cohort(need: Need, attributes: Attributes, *, max_level: int) -> None:
    """Hold ``need`` until later needs complete its class (see marketplace.needs.placement)."""
    need.public_region_id = need.region_id
    need.generalization_level = 0
    need.awaiting_cohort = True
    need.cohort_key, need.cohort_wide_key = cohort_keys(attributes, max_level=max_level)


WAITING_FIELDS = (
    "id", "code", "status", "region", "public_region", "generalization_level", "age_band", "sex",
    "household_size_band", "need_type", "urgency", "hold_reasons", "awaiting_cohort", "published_at",
)  # fmt: skip


def need_attributes(need: Need, county_cities: dict[str, str]) -> Attributes:
    return Attributes(
        county=need.region_id,
        city=county_cities[need.region_id],
        age_band=need.age_band,
        sex=need.sex,
        household_size_band=need.household_size_band,
        need_type=need.need_type,
    )


def publish_waiting(needs: Iterable[Need]) -> None:
    """Save the waiting needs a batch published: one UPDATE per level and place, not per row."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for need in needs:
        groups[(need.generalization_level, need.public_region_id)].append(need.pk)
    now = timezone.now()
    for (level, region), pks in groups.items():
        Need.objects.filter(pk__in=pks).update(
            status=NeedStatus.PUBLISHED,
            published_at=now,
            awaiting_cohort=False,
            hold_reasons=[],
            generalization_level=level,
            public_region_id=region,
            updated_at=now,
        )


def need_published_key(need: Need):
    return published_key(
        public_region=need.public_region_id,
        level=need.generalization_level,
        age_band=need.age_band,
        sex=need.sex,
        size_band=need.household_size_band,
        need_type=need.need_type,
    )


def publish_at(need: Need, level: int, county_cities: dict[str, str]) -> None:
    need.generalization_level = level
    need.public_region_id = need.region_id if level == 0 else county_cities[need.region_id]
    need.updated_at = timezone.now()


def publication_note(level: int) -> str:
    if level == 0:
        return _("Published at county level.")
    if level < SUPPRESSED_LEVEL:
        return _("Published at city level (k-anonymity).")
    return _("Published at city level without age, sex and household size (k-anonymity).")
