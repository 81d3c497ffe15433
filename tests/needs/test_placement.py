"""The k-anonymity ladder itself (``marketplace.needs.placement``): pure, no database.

What an auditor checks: a class the public sees never has fewer than k members, and a need is
never shown coarser than it may be. The same rules through the real intake service, with the
database, are in ``test_kanon.py``.
"""

from __future__ import annotations

import pytest

from marketplace.needs.placement import (
    Attributes,
    Placement,
    cohort_keys,
    key_from_string,
    key_string,
    max_level_for,
    published_key,
)


def person(
    county: str = "420111", age: str = "30-39岁", sex: str = "female", size: str = "3-4人"
) -> Attributes:
    city = county[:4] + "00"
    return Attributes(
        county=county, city=city, age_band=age, sex=sex, household_size_band=size, need_type="medical"
    )


SOMEONE = person()


def test_the_ladder_shows_less_at_each_level():
    assert SOMEONE.key(0) == ("420111", "30-39岁", "female", "3-4人", "medical")
    assert SOMEONE.key(1) == ("420100", "30-39岁", "female", "3-4人", "medical")
    assert SOMEONE.key(2) == ("420100", "", "", "", "medical")
    # One differing attribute is another class at the levels that show it.
    other = person(sex="male")
    assert other.key(0) != SOMEONE.key(0) and other.key(1) != SOMEONE.key(1)
    assert other.key(2) == SOMEONE.key(2)
    # Counties of one city meet at city level; cities never do.
    assert person(county="420102").key(1) == SOMEONE.key(1)
    assert person(county="420202").key(1) != SOMEONE.key(1)


def test_a_published_need_is_counted_in_the_class_the_public_sees():
    shown = {"age_band": "30-39岁", "sex": "female", "size_band": "3-4人", "need_type": "medical"}
    assert published_key(public_region="420111", level=0, **shown) == SOMEONE.key(0)
    assert published_key(public_region="420100", level=1, **shown) == SOMEONE.key(1)
    assert published_key(public_region="420100", level=2, **shown) == SOMEONE.key(2)
    assert key_from_string(key_string(SOMEONE.key(2))) == SOMEONE.key(2)
    assert key_string(SOMEONE.key(0)) == "420111|30-39岁|female|3-4人|medical"


def test_a_waiting_need_stores_the_classes_it_may_still_join():
    assert cohort_keys(SOMEONE, max_level=1) == ("420100|30-39岁|female|3-4人|medical", "")
    assert cohort_keys(SOMEONE, max_level=2) == ("420100|30-39岁|female|3-4人|medical", "420100||||medical")


def test_only_urgent_critical_or_approved_needs_may_lose_age_sex_and_size():
    assert max_level_for("normal") == 1
    assert max_level_for("urgent") == max_level_for("critical") == 2
    assert max_level_for("normal", approved=True) == 2


@pytest.mark.parametrize("k", [2, 5])
def test_a_class_of_k_minus_one_is_never_published_and_k_is(k):
    placement = Placement(k=k)
    placement.add_published(SOMEONE.key(0), k - 2)
    assert placement.place("C-1", "C-1", SOMEONE, max_level=1) is None  # k - 1 with it
    placement.discard_waiting("C-1")
    placement.add_published(SOMEONE.key(0))
    assert placement.place("C-2", "C-2", SOMEONE, max_level=1) == (0, [])  # k with it


def test_waiting_needs_count_towards_the_class_and_the_cohort_is_published_with_it():
    placement = Placement(k=3)
    assert placement.place("A", "need A", SOMEONE, max_level=1) is None
    assert placement.place("B", "need B", SOMEONE, max_level=1) is None
    assert placement.place("C", "need C", SOMEONE, max_level=1) == (0, ["need A", "need B"])
    # Right after the cohort is published its class holds exactly k: itself and the two.
    assert placement.published[SOMEONE.key(0)] == 3
    # The next one joins a published class of k at once, with no cohort.
    assert placement.place("D", "need D", SOMEONE, max_level=1) == (0, [])
    assert placement.published[SOMEONE.key(0)] == 4


def test_the_class_count_after_a_cohort_is_exact_so_members_leaving_are_noticed():
    placement = Placement(k=3)
    placement.place("A", "need A", SOMEONE, max_level=1)
    placement.place("B", "need B", SOMEONE, max_level=1)
    placement.place("C", "need C", SOMEONE, max_level=1)
    placement.remove_published(SOMEONE.key(0))  # two members re-imported into another class
    placement.remove_published(SOMEONE.key(0))
    # One member left: a newcomer would make a class of two, below k.
    assert placement.place("D", "need D", SOMEONE, max_level=1) is None


def test_removing_from_a_class_never_counts_below_zero():
    placement = Placement(k=2)
    placement.add_published(SOMEONE.key(0))
    placement.remove_published(SOMEONE.key(0))
    placement.remove_published(SOMEONE.key(0))
    assert placement.published[SOMEONE.key(0)] == 0
    assert placement.place("A", "need A", SOMEONE, max_level=1) is None


def test_a_need_found_again_is_not_counted_twice():
    placement = Placement(k=2)
    assert placement.place("A", "need A", SOMEONE, max_level=1) is None
    # The same need placed again (a new version) does not complete its own class.
    assert placement.place("A", "need A v2", SOMEONE, max_level=1) is None
    placement.discard_waiting("A")
    placement.discard_waiting("A")  # twice, or for a need that never waited: nothing happens
    assert placement.place("B", "need B", SOMEONE, max_level=1) is None


def test_an_ordinary_need_is_never_published_at_the_coarsest_level():
    placement = Placement(k=2)
    placement.add_published(SOMEONE.key(2), 5)  # the city × type class is full
    assert placement.place("A", "need A", SOMEONE, max_level=1) is None
    assert placement.place("U", "need U", person(age="50-59岁"), max_level=2) == (2, [])


def test_an_urgent_need_does_not_carry_an_ordinary_waiting_need_to_the_coarsest_level():
    placement = Placement(k=2)
    ordinary, urgent, other_urgent = person(age="70-79岁"), person(age="30-39岁"), person(age="50-59岁")
    assert placement.place("O", "ordinary", ordinary, max_level=1) is None
    # Same city and need type: only the coarsest class is shared, and the ordinary need may not
    # be published there, so it does not count towards it.
    assert placement.place("U", "urgent", urgent, max_level=2) is None
    assert placement.place("V", "other urgent", other_urgent, max_level=2) == (2, ["urgent"])
    # The ordinary need still waits for its own class at county or city level.
    assert placement.place("O2", "ordinary 2", person(county="420102", age="70-79岁"), max_level=1) == (
        1,
        ["ordinary"],
    )


def test_waiting_needs_are_found_at_every_level_they_may_be_published_at():
    placement = Placement(k=2)
    assert placement.place("A", "A", person(county="420102"), max_level=1) is None
    assert placement.place("B", "B", person(county="420111"), max_level=1) == (1, ["A"])
    assert placement.published[SOMEONE.key(1)] == 2


def test_one_published_need_counts_one():
    placement = Placement(k=5)
    placement.add_published(SOMEONE.key(0))
    assert placement.published[SOMEONE.key(0)] == 1


def test_a_waiting_need_published_on_its_own_is_no_longer_waiting():
    placement = Placement(k=2)
    assert placement.place("A", "need A", SOMEONE, max_level=1) is None
    placement.add_published(SOMEONE.key(0))  # another need of its class was published meanwhile
    assert placement.place("A", "need A v2", SOMEONE, max_level=1) == (0, [])
    # A is published: the next need of the class does not publish it a second time.
    assert placement.place("B", "need B", SOMEONE, max_level=1) == (0, [])
