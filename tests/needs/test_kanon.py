"""k-anonymity of published needs through the real intake service (docs/decisions/0003).

The property test pushes random batches through ``needs_intake`` and checks after every batch
what the public sees: every published class, keyed by every quasi-identifier the public API
shows (place, age band, sex, household size, need type, low-income categories, department,
and the deciding category and ratio of a medical need), has at least k members; the needs
waiting for a cohort are exactly those held for a thin class, and none of them could be
published yet.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marketplace.needs.gate import HOLD_THIN_CLASS
from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.placement import (
    NODES,
    PLACE,
    Attributes,
    key_from_string,
    max_level_for,
    node_from_string,
)
from marketplace.needs.serializers import PublicNeedSerializer
from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.sources import source_system_create
from marketplace.needs.services.status import need_withdraw
from privacy.identity import make_id_number

TODAY = date(2025, 6, 1)
CITY_OF = {
    "420102": "420100",
    "420103": "420100",
    "420111": "420100",
    "420115": "420100",
    "420202": "420200",
    "420222": "420200",
}
# Few values per attribute, so that classes collide at every level of the ladder.
BIRTH_DATES = [date(1950, 3, 1), date(1987, 5, 5), date(1989, 9, 9), date(2012, 1, 1)]  # 70s, 30s, minor
NEED_TYPES = ["basic_living", "medical", "education"]
CATEGORY_SETS = [["dibao"], ["extreme_poverty"], ["dibao", "illness_poverty"]]
DEPARTMENTS = ["civil_affairs", "health"]
_sequence = itertools.count()


@pytest.fixture(autouse=True)
def _no_stale_public_counts():
    """The public list takes its count from cached facet totals; start each test without them."""
    cache.clear()


def record(
    source_ref: str,
    *,
    county: str = "420111",
    birth: date = date(1987, 5, 5),
    female: bool = True,
    size: int = 3,
    need_type: str = "basic_living",
    version: int = 1,
    amount: str = "800.00",
    urgency: str = "normal",
    categories: tuple[str, ...] = ("dibao",),
    department: str = "civil_affairs",
) -> dict:
    """A clean intake record (nothing in its text for the residual-risk check to hold)."""
    id_number = make_id_number(
        region_code=county, birth_date=birth, sequence=next(_sequence) % 500, female=female
    )
    return {
        "source_ref": source_ref,
        "version": version,
        "region_code": county,
        "household": {"id_number": id_number, "name": "王芳", "size": size, "categories": list(categories)},
        "need_type": need_type,
        "title": "困难家庭生活帮扶",
        "description": "家庭收入低，需要社会力量帮助。",
        "requested_amount": amount,
        "needed_by": (TODAY + timedelta(days=60)).isoformat(),
        "urgency": urgency,
        "department": department,
        # A medical need carries its costs: the policy engine's figures are published too.
        **({"medical": {"in_scope_self_pay": amount, "out_of_scope": "0"}} if need_type == "medical" else {}),
    }


def push(system, records: list[dict]) -> dict[str, object]:
    with translation.override("en"):
        results = needs_intake(source_system=system, records=records, today=TODAY)
    return {result.source_ref: result for result in results}


@pytest.fixture
def province_source(db):
    """A source system scoped to the whole province, so one batch can span two cities."""
    system, _key = source_system_create(
        name="省级救助信息系统", department="civil_affairs", region_code="420000"
    )
    return system


def public_class(need: Need) -> tuple:
    """The k-anonymity class of a need as the public API shows it: every published
    quasi-identifier, including the policy figures that depend on the categories."""
    shown = PublicNeedSerializer(need).data
    return (
        shown["location"]["code"],
        shown["age_band"],
        shown["sex"],
        shown["household_size_band"],
        shown["need_type"],
        tuple(shown["categories"]),
        shown["department"],
        shown["policy"].get("deciding_category"),
        shown["policy"].get("inpatient_ratio"),
    )


def notes(need: Need) -> list[tuple[str, str, str]]:
    return list(need.transitions.values_list("from_status", "to_status", "note"))


# --- plain cases ---------------------------------------------------------------------------------


@override_settings(K_ANONYMITY_K=5)
def test_four_similar_needs_wait_and_the_fifth_publishes_all_five_at_county_level(province_source):
    for i in range(4):
        result = push(province_source, [record(f"C-{i}")])[f"C-{i}"]
        assert result.status == "held"
    waiting = Need.objects.filter(awaiting_cohort=True)
    assert waiting.count() == 4
    assert not Need.objects.filter(status=NeedStatus.PUBLISHED).exists()

    fifth = push(province_source, [record("C-4")])["C-4"]

    assert fifth.status == "created"
    needs = Need.objects.all()
    assert {(n.status, n.generalization, n.public_region_id, n.awaiting_cohort) for n in needs} == {
        (NeedStatus.PUBLISHED, "000000", "420111", False)
    }
    moments = [n.published_at for n in needs]
    assert max(moments) - min(moments) < timedelta(seconds=1), "published together, by the fifth"
    for i in range(4):
        assert notes(Need.objects.get(source_ref=f"C-{i}")) == [
            ("", NeedStatus.PENDING_REVIEW, "Waiting for similar needs (k-anonymity)."),
            (NeedStatus.PENDING_REVIEW, NeedStatus.PUBLISHED, "Published at county level."),
        ]
    assert notes(Need.objects.get(source_ref="C-4")) == [
        ("", NeedStatus.PUBLISHED, "Published at county level.")
    ]
    assert all(n.hold_reasons == [] for n in needs)


@override_settings(K_ANONYMITY_K=5)
def test_needs_of_two_counties_that_cannot_reach_k_alone_publish_together_at_city_level(province_source):
    results = push(province_source, [record(f"A-{i}", county="420102") for i in range(3)])
    results |= push(province_source, [record("B-0", county="420111")])
    assert {result.status for result in results.values()} == {"held"}

    last = push(province_source, [record("B-1", county="420111")])["B-1"]

    assert last.status == "created"
    needs = list(Need.objects.all())
    assert len(needs) == 5
    assert {(n.status, n.generalization, n.public_region_id) for n in needs} == {
        (NeedStatus.PUBLISHED, "100000", "420100")
    }
    assert {n.region_id for n in needs} == {"420102", "420111"}  # the counties stay private
    assert (
        NeedTransition.objects.filter(
            to_status=NeedStatus.PUBLISHED, note="Published at city level (k-anonymity)."
        ).count()
        == 5
    )


@override_settings(K_ANONYMITY_K=5)
def test_needs_of_two_cities_never_count_together(province_source):
    push(province_source, [record(f"W-{i}", county="420102") for i in range(3)])
    push(province_source, [record(f"H-{i}", county="420202") for i in range(2)])
    assert Need.objects.filter(awaiting_cohort=True).count() == 5
    assert not Need.objects.filter(status=NeedStatus.PUBLISHED).exists()


@override_settings(K_ANONYMITY_K=5)
def test_urgent_needs_may_be_published_without_age_sex_or_household_size(province_source, client):
    # Five households of one need type in five places of Wuhan, no two alike: only the city
    # and the need type are shared, the last rung of the ladder.
    people = [
        ("420102", date(1950, 3, 1), True, 1),
        ("420103", date(1987, 5, 5), False, 2),
        ("420111", date(2012, 1, 1), True, 3),
        ("420115", date(1970, 8, 8), False, 5),
        ("420102", date(1995, 2, 2), False, 6),
    ]
    ordinary = [
        record(f"O-{i}", county=county, birth=birth, female=female, size=size)
        for i, (county, birth, female, size) in enumerate(people)
    ]
    # Ordinary needs do not give up age, sex and household size to be published: they wait.
    results = push(province_source, ordinary)
    assert {result.status for result in results.values()} == {"held"}
    Need.objects.all().delete()

    records = [
        record(f"L-{i}", county=county, birth=birth, female=female, size=size, urgency="urgent")
        for i, (county, birth, female, size) in enumerate(people)
    ]
    results = push(province_source, records[:4])
    assert {result.status for result in results.values()} == {"held"}
    push(province_source, records[4:])

    needs = list(Need.objects.all())
    assert {(n.status, n.generalization, n.public_region_id) for n in needs} == {
        (NeedStatus.PUBLISHED, "121200", "420100")
    }
    assert len({(n.age_band, n.sex, n.household_size_band) for n in needs}) == 5  # stored, not shown
    shown = client.get("/api/v1/needs/").json()["results"]
    assert len(shown) == 5
    for row in shown:
        assert (row["age_band"], row["sex"], row["household_size_band"]) == ("", "", "")
        assert row["location"]["code"] == "420100"
    assert (
        NeedTransition.objects.filter(
            note="Published at city level (k-anonymity). "
            "Shown more broadly (k-anonymity): age band, sex, household size."
        ).count()
        == 5
    )


def test_a_reimported_published_need_leaves_its_old_class(province_source, settings):
    """A published need updated into another class no longer counts in the class it left, so
    a newcomer of that class is not published with fewer than k members around it."""
    settings.K_ANONYMITY_K = 2
    push(province_source, [record("R-A"), record("R-B")])
    assert Need.objects.filter(status=NeedStatus.PUBLISHED).count() == 2
    need_withdraw(need=Need.objects.get(source_ref="R-B"), source_system=province_source)
    # R-A alone is left in the class (published at k, it stays: docs/decisions/0003).

    moved = {**record("R-A"), "version": 2}
    moved["household"] = {**moved["household"], "size": 1}  # into the class of one-person households
    results = push(province_source, [moved, record("R-D")])

    assert results["R-D"].status == "held", "R-D would be the only member of its published class"
    published = Need.objects.filter(status=NeedStatus.PUBLISHED).select_related("public_region")
    assert min(Counter(public_class(need) for need in published).values(), default=2) >= 2


# --- the property --------------------------------------------------------------------------------

# Households are drawn from a few profiles per example, so that classes fill up and meet at
# every rung of the ladder; the county is drawn apart, so a profile spreads over counties.
profiles = st.fixed_dictionaries(
    {
        "birth": st.sampled_from(BIRTH_DATES),
        "female": st.booleans(),
        "size": st.integers(min_value=1, max_value=6),
        "need_type": st.sampled_from(NEED_TYPES),
        "urgency": st.sampled_from(["normal", "normal", "urgent"]),
        "categories": st.sampled_from(CATEGORY_SETS).map(tuple),
        "department": st.sampled_from(DEPARTMENTS),
    }
)


@st.composite
def scenarios(draw) -> tuple[int, list[list[tuple[str, dict | int]]]]:
    """k and the batches: each item a new household, or a new version of an earlier record
    (same household and attributes, another amount; the integer picks which)."""
    k = draw(st.sampled_from([2, 3, 5]))
    pool = draw(st.lists(profiles, min_size=1, max_size=4))
    new = st.builds(
        lambda profile, county: ("new", {**profile, "county": county}),
        st.sampled_from(pool),
        st.sampled_from(sorted(CITY_OF)),
    )
    update = st.integers(min_value=0, max_value=1000).map(lambda pick: ("update", pick))
    item = st.one_of(new, new, new, update)
    batches = draw(st.lists(st.lists(item, min_size=1, max_size=10), min_size=1, max_size=4))
    return k, batches


def check_invariants(k: int) -> None:
    published = list(Need.objects.filter(status=NeedStatus.PUBLISHED).select_related("public_region"))
    sizes = Counter(public_class(need) for need in published)
    thin = {key: size for key, size in sizes.items() if size < k}
    event(f"generalizations published: {sorted({need.generalization for need in published})}")
    assert not thin, f"published classes below k={k}: {thin}"

    for need in published:
        place = node_from_string(need.generalization)[PLACE]
        assert need.public_region_id == (need.region_id if place == 0 else CITY_OF[need.region_id])
        assert not need.awaiting_cohort and not need.hold_reasons
        # The class the placement counts is the one the public sees.
        assert key_from_string(need.public_class)[:5] == public_class(need)[:5]
        assert key_from_string(need.public_class)[5:] == (
            "+".join(public_class(need)[5]),
            public_class(need)[6],
        )

    waiting = set(Need.objects.filter(awaiting_cohort=True).values_list("code", flat=True))
    held_for_thin_class = {
        need.code
        for need in Need.objects.filter(status=NeedStatus.PENDING_REVIEW)
        if any(reason["code"] == HOLD_THIN_CLASS for reason in need.hold_reasons)
    }
    assert waiting == held_for_thin_class

    # No waiting need could be published now: at every generalization it may be published at
    # without a caseworker, its class (published members and waiting ones together) is short of k.
    published_counts = Counter(key_from_string(n.public_class) for n in published)
    attributes = [
        (
            Attributes(
                county=n.region_id,
                city=CITY_OF[n.region_id],
                age_band=n.age_band,
                sex=n.sex,
                household_size_band=n.household_size_band,
                need_type=n.need_type,
                categories=tuple(sorted(n.categories)),
                department=n.department,
            ),
            max_level_for(n.urgency),
        )
        for n in Need.objects.filter(awaiting_cohort=True)
    ]
    for max_level in {max_level for _attributes, max_level in attributes}:
        for node in NODES[max_level]:
            waiting_counts = Counter(a.key(node) for a, reach in attributes if node in NODES[reach])
            for key, count in waiting_counts.items():
                assert published_counts[key] + count < k, f"class {key} at {node} could be published"


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario=scenarios())
def test_published_classes_always_have_at_least_k_members(province_source, scenario):
    k, batches = scenario
    with override_settings(K_ANONYMITY_K=k), transaction.atomic():
        sent: dict[str, dict] = {}
        for number, batch in enumerate(batches):
            records: list[dict] = []
            for position, (kind, value) in enumerate(batch):
                if kind == "new":
                    records.append(record(f"P-{number}-{position}", **value))
                    continue
                in_batch = {r["source_ref"] for r in records}
                earlier = [ref for ref in sent if ref not in in_batch]
                if earlier:
                    previous = sent[earlier[value % len(earlier)]]
                    records.append(
                        {
                            **previous,
                            "version": previous["version"] + 1,
                            "requested_amount": f"{previous['version'] + 1}00.00",
                        }
                    )
            results = push(province_source, records)

            for sent_record in records:
                result = results[sent_record["source_ref"]]
                assert result.status in {"created", "updated", "held"}, result
                need = Need.objects.get(code=result.need_code)
                if result.status == "held":
                    # A later record of the same batch may have completed its class.
                    assert need.status in {NeedStatus.PENDING_REVIEW, NeedStatus.PUBLISHED}
                else:
                    assert need.status == NeedStatus.PUBLISHED
                sent[sent_record["source_ref"]] = sent_record
            check_invariants(k)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_need_published_later_in_the_same_request_is_reported_created(province_source, settings):
    settings.K_ANONYMITY_K = 2
    results = push(province_source, [record("SAME-0"), record("SAME-1")])
    assert Need.objects.filter(status=NeedStatus.PUBLISHED).count() == 2
    assert {result.status for result in results.values()} == {"created"}
