"""k-anonymity in the database: class sizes, waiting needs, publication at a level.

The pure ladder is ``marketplace.needs.placement``; this module reads what it needs from the needs
table and writes its decisions back. Used by intake (``marketplace.needs.services.intake``) and the
review queue (``marketplace.needs.services.review``), which place needs under the same city lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.needs.hooks import needs_changed
from marketplace.needs.models import PUBLIC_STATUSES, Need, NeedStatus
from marketplace.needs.placement import (
    ATTRIBUTES,
    CASEWORKER_APPROVED,
    FINEST,
    PLACE,
    Attributes,
    Node,
    Placement,
    cohort_keys,
    key_from_string,
    key_string,
    max_level_for,
    node_string,
    shown_values,
)


def load_placement(candidates: Iterable[tuple[Attributes, int]], county_cities: dict[str, str]) -> Placement:
    """The published class sizes and the waiting needs of the classes these candidates (their
    attributes and how far each may be generalized) could be published in.

    Every class a candidate may join lies in its city and need type, so the published needs of
    those are counted by class: one grouped count over an index (``need_public_city_type_new``)
    per batch, and one indexed lookup of the waiting needs by the classes they may still join.
    """
    placement = Placement(k=settings.K_ANONYMITY_K)
    groups: set[tuple[str, str]] = set()
    cohorts: set[str] = set()
    wide_cohorts: set[str] = set()
    for attributes, max_level in candidates:
        groups.add((attributes.city, attributes.need_type))
        cohort, wide = cohort_keys(attributes, max_level=max_level)
        cohorts.add(cohort)
        if wide:
            wide_cohorts.add(wide)
    if not groups:
        return placement
    sizes = (
        Need.objects.filter(
            reduce(or_, (Q(public_city=city, need_type=need_type) for city, need_type in sorted(groups))),
            status__in=sorted(PUBLIC_STATUSES),
        )
        .values_list("public_class")
        .annotate(members=Count("id"))
        .order_by()
    )
    for public_class, members in sizes:
        placement.add_published(key_from_string(public_class), members)
    waiting = Need.objects.filter(
        Q(cohort_key__in=sorted(cohorts)) | Q(cohort_wide_key__in=sorted(wide_cohorts)), awaiting_cohort=True
    ).only(*WAITING_FIELDS)
    for need in waiting:
        placement.add_waiting(
            need.code, need, need_attributes(need, county_cities), max_level=waiting_level(need)
        )
    return placement


def waiting_level(need: Need) -> int:
    approved = any(reason.get("detail") == CASEWORKER_APPROVED for reason in need.hold_reasons)
    return max_level_for(need.urgency, approved=approved)


def wait_for_cohort(need: Need, attributes: Attributes, *, max_level: int) -> None:
    """Hold ``need`` until later needs complete its class (see marketplace.needs.placement)."""
    need.public_region_id = need.region_id
    need.generalization = node_string(FINEST)
    need.public_class = ""
    need.public_categories = []
    need.awaiting_cohort = True
    need.cohort_key, need.cohort_wide_key = cohort_keys(attributes, max_level=max_level)


WAITING_FIELDS = (
    "id", "code", "status", "region", "public_region", "generalization", "age_band", "sex",
    "household_size_band", "need_type", "categories", "department", "urgency", "hold_reasons",
    "awaiting_cohort", "published_at",
)  # fmt: skip


def need_attributes(need: Need, county_cities: dict[str, str]) -> Attributes:
    return Attributes(
        county=need.region_id,
        city=county_cities[need.region_id],
        age_band=need.age_band,
        sex=need.sex,
        household_size_band=need.household_size_band,
        need_type=need.need_type,
        categories=tuple(sorted(need.categories)),
        department=need.department,
    )


def publish_waiting(needs: Iterable[Need]) -> None:
    """Save the waiting needs a batch published: one UPDATE per class, not per row."""
    groups: dict[tuple[str, str, str], list[Need]] = defaultdict(list)
    needs_list = list(needs)
    for need in needs_list:
        groups[(need.generalization, need.public_region_id, need.public_class)].append(need)
    now = timezone.now()
    for (node, region, public_class), members in groups.items():
        Need.objects.filter(pk__in=[need.pk for need in members]).update(
            status=NeedStatus.PUBLISHED,
            published_at=now,
            awaiting_cohort=False,
            hold_reasons=[],
            generalization=node,
            public_region_id=region,
            public_class=public_class,
            public_categories=members[0].public_categories,
            updated_at=now,
        )
    needs_changed.call(need_ids=[need.pk for need in needs_list])


def need_published_key(need: Need):
    """The class a published need counts in."""
    return key_from_string(need.public_class)


def publish_at(need: Need, node: Node, county_cities: dict[str, str]) -> None:
    need.generalization = node_string(node)
    need.public_region_id = need.region_id if node[PLACE] == 0 else county_cities[need.region_id]
    need.public_class = key_string(need_attributes(need, county_cities).key(node))
    need.public_categories = public_values(need, node)["categories"]
    need.updated_at = timezone.now()


def public_values(need: Need, node: Node) -> dict:
    """What the public sees of the need's age, sex, household size, categories and department."""
    return shown_values(
        node,
        age_band=need.age_band,
        sex=need.sex,
        size_band=need.household_size_band,
        categories=need.categories,
        department=need.department,
    )


def generalized_attributes(node: Node) -> list[str]:
    """What the public sees less precisely than intake knows it, in words (place apart)."""
    names = {
        "age": _("age band"),
        "sex": _("sex"),
        "size": _("household size"),
        "categories": _("low-income categories"),
        "department": _("department"),
    }
    return [names[name] for name, level in zip(ATTRIBUTES, node, strict=True) if level and name in names]


def publication_note(node: Node) -> str:
    note = (
        _("Published at county level.") if node[PLACE] == 0 else _("Published at city level (k-anonymity).")
    )
    generalized = generalized_attributes(node)
    if generalized:
        note += " " + _("Shown more broadly (k-anonymity): %(attributes)s.") % {
            "attributes": _(", ").join(generalized)
        }
    return note
