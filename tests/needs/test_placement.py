"""k-anonymity placement itself (``marketplace.needs.placement``): pure, no database.

What an auditor checks: a class the public sees never has fewer than k members, a need is
never shown coarser than it may be, and of the generalizations that reach k the one that loses
least is chosen. The same rules through the real intake service, with the database, are in
``test_kanon.py``.
"""

from __future__ import annotations

import pytest

from marketplace.needs.placement import (
    FINEST,
    LOW_INCOME,
    NODES,
    ORDINARY,
    TOP,
    WIDE,
    Attributes,
    Placement,
    cohort_keys,
    key_from_string,
    key_string,
    max_level_for,
    node_from_string,
    node_string,
    reach_of,
    shown_values,
)

COUNTY = (0, 0, 0, 0, 0, 0)
CITY = (1, 0, 0, 0, 0, 0)
LOW_INCOME_ONLY = (0, 0, 0, 0, 1, 0)


def person(
    county: str = "420111",
    age: str = "30-39岁",
    sex: str = "female",
    size: str = "3-4人",
    categories: tuple[str, ...] = ("dibao",),
    department: str = "civil_affairs",
) -> Attributes:
    city = county[:4] + "00"
    return Attributes(
        county=county,
        city=city,
        age_band=age,
        sex=sex,
        household_size_band=size,
        need_type="medical",
        categories=categories,
        department=department,
    )


SOMEONE = person()


def test_each_attribute_is_shown_less_precisely_at_each_level():
    assert SOMEONE.key(FINEST) == (
        "420111",
        "30-39岁",
        "female",
        "3-4人",
        "medical",
        "dibao",
        "civil_affairs",
    )
    assert SOMEONE.key(TOP[ORDINARY]) == (
        "420100",
        "18-39岁",
        "female",
        "3人及以上",
        "medical",
        LOW_INCOME,
        "",
    )
    assert SOMEONE.key(TOP[WIDE]) == ("420100", "", "", "", "medical", LOW_INCOME, "")
    assert person(age="80岁以上", size="2人").key((0, 1, 0, 1, 0, 0))[1:4] == ("60岁以上", "female", "1-2人")
    # Several categories are one value, in a fixed order.
    assert person(categories=("illness_poverty", "dibao")).key(FINEST)[5] == "dibao+illness_poverty"
    # One differing attribute is another class at the nodes that show it, the same class where
    # it is generalized away.
    assert person(categories=("extreme_poverty",)).key(FINEST) != SOMEONE.key(FINEST)
    assert person(categories=("extreme_poverty",)).key(LOW_INCOME_ONLY) == SOMEONE.key(LOW_INCOME_ONLY)
    assert person(department="health").key((0, 0, 0, 0, 0, 1)) == SOMEONE.key((0, 0, 0, 0, 0, 1))
    assert person(county="420102").key(CITY) == SOMEONE.key(CITY)
    assert person(county="420202").key(CITY) != SOMEONE.key(CITY)


def test_what_the_public_sees_at_a_node():
    shown = shown_values(
        (1, 1, 1, 1, 1, 1),
        age_band="70-79岁",
        sex="male",
        size_band="5人及以上",
        categories=["near_dibao"],
        department="health",
    )
    assert shown == {
        "age_band": "60岁以上",
        "sex": "",
        "household_size_band": "3人及以上",
        "categories": [LOW_INCOME],
        "department": "",
    }
    # A missing age band stays missing at every level.
    assert (
        shown_values((0, 1, 0, 0, 0, 0), age_band="", sex="", size_band="1人", categories=[], department="")[
            "age_band"
        ]
        == ""
    )


def test_keys_and_nodes_round_trip_as_stored():
    assert key_from_string(key_string(SOMEONE.key(TOP[WIDE]))) == SOMEONE.key(TOP[WIDE])
    assert key_string(SOMEONE.key(FINEST)) == "420111|30-39岁|female|3-4人|medical|dibao|civil_affairs"
    assert node_string((1, 2, 1, 0, 1, 0)) == "121010"
    assert node_from_string("121010") == (1, 2, 1, 0, 1, 0)


def test_a_waiting_need_stores_the_classes_it_may_still_join():
    assert cohort_keys(SOMEONE, max_level=ORDINARY) == (
        "420100|18-39岁|female|3人及以上|medical|low_income|",
        "",
    )
    assert cohort_keys(SOMEONE, max_level=WIDE) == (
        "420100|18-39岁|female|3人及以上|medical|low_income|",
        "420100||||medical|low_income|",
    )


def test_ordinary_needs_only_widen_urgent_ones_may_also_withhold():
    assert max_level_for("normal") == ORDINARY
    assert max_level_for("urgent") == max_level_for("critical") == WIDE
    assert max_level_for("normal", approved=True) == WIDE
    # Ordinary nodes never withhold age, sex or household size.
    assert all(node[1] < 2 and node[2] == 0 and node[3] < 2 for node in NODES[ORDINARY])
    assert len(NODES[ORDINARY]) == 32 and len(NODES[WIDE]) == 144
    assert reach_of((1, 1, 0, 1, 1, 1)) == ORDINARY and reach_of((0, 0, 1, 0, 0, 0)) == WIDE


def test_nodes_are_tried_least_information_loss_first():
    order = NODES[WIDE]
    assert order[0] == FINEST
    # Withholding the department loses least, then a wider band; withholding sex costs as much
    # as moving to the city or showing 低收入家庭.
    assert order[1] == (0, 0, 0, 0, 0, 1)
    assert order.index((0, 1, 0, 0, 0, 0)) < order.index(CITY)
    assert order.index(LOW_INCOME_ONLY) < order.index(CITY)  # a tie: the place is kept
    assert order[-1] == TOP[WIDE]


@pytest.mark.parametrize("k", [2, 5])
def test_a_class_of_k_minus_one_is_never_published_and_k_is(k):
    placement = Placement(k=k)
    placement.add_published(SOMEONE.key(FINEST), k - 2)
    assert placement.place("C-1", "C-1", SOMEONE, max_level=ORDINARY) is None  # k - 1 with it
    placement.discard_waiting("C-1")
    placement.add_published(SOMEONE.key(FINEST))
    assert placement.place("C-2", "C-2", SOMEONE, max_level=ORDINARY) == (FINEST, [])  # k with it


def test_the_generalization_that_reaches_k_with_least_loss_is_chosen():
    placement = Placement(k=3)
    # Two published needs share everything but the categories; two more share everything but
    # the county. Showing 低收入家庭 and moving to the city lose as much: the place is kept.
    placement.add_published(person(categories=("extreme_poverty",)).key(LOW_INCOME_ONLY), 2)
    placement.add_published(person(county="420102").key(CITY), 2)
    assert placement.place("A", "A", SOMEONE, max_level=ORDINARY) == (LOW_INCOME_ONLY, [])
    # A wider age band loses less than either, and is preferred when it reaches k.
    placement.add_published(person(age="18-29岁").key((0, 1, 0, 0, 0, 0)), 2)
    assert placement.place("B", "B", SOMEONE, max_level=ORDINARY) == ((0, 1, 0, 0, 0, 0), [])


def test_waiting_needs_count_towards_the_class_and_the_cohort_is_published_with_it():
    placement = Placement(k=3)
    assert placement.place("A", "need A", SOMEONE, max_level=ORDINARY) is None
    assert placement.place("B", "need B", SOMEONE, max_level=ORDINARY) is None
    assert placement.place("C", "need C", SOMEONE, max_level=ORDINARY) == (FINEST, ["need A", "need B"])
    # Right after the cohort is published its class holds exactly k: itself and the two.
    assert placement.published[SOMEONE.key(FINEST)] == 3
    # The next one joins a published class of k at once, with no cohort.
    assert placement.place("D", "need D", SOMEONE, max_level=ORDINARY) == (FINEST, [])
    assert placement.published[SOMEONE.key(FINEST)] == 4


def test_a_thin_class_of_exact_categories_is_generalized_not_held():
    placement = Placement(k=3)
    # Three households alike but for their categories: no exact class reaches k, the one shown
    # as 低收入家庭 does, at county level.
    assert placement.place("A", "A", person(categories=("extreme_poverty",)), max_level=ORDINARY) is None
    assert placement.place("B", "B", person(categories=("near_dibao",)), max_level=ORDINARY) is None
    assert placement.place("C", "C", SOMEONE, max_level=ORDINARY) == ((0, 0, 0, 0, 1, 0), ["A", "B"])


def test_the_class_count_after_a_cohort_is_exact_so_members_leaving_are_noticed():
    placement = Placement(k=3)
    placement.place("A", "need A", SOMEONE, max_level=ORDINARY)
    placement.place("B", "need B", SOMEONE, max_level=ORDINARY)
    placement.place("C", "need C", SOMEONE, max_level=ORDINARY)
    placement.remove_published(SOMEONE.key(FINEST))  # two members re-imported into another class
    placement.remove_published(SOMEONE.key(FINEST))
    # One member left: a newcomer would make a class of two, below k.
    assert placement.place("D", "need D", SOMEONE, max_level=ORDINARY) is None


def test_removing_from_a_class_never_counts_below_zero():
    placement = Placement(k=2)
    placement.add_published(SOMEONE.key(FINEST))
    placement.remove_published(SOMEONE.key(FINEST))
    placement.remove_published(SOMEONE.key(FINEST))
    assert placement.published[SOMEONE.key(FINEST)] == 0
    assert placement.place("A", "need A", SOMEONE, max_level=ORDINARY) is None


def test_a_need_found_again_is_not_counted_twice():
    placement = Placement(k=2)
    assert placement.place("A", "need A", SOMEONE, max_level=ORDINARY) is None
    # The same need placed again (a new version) does not complete its own class.
    assert placement.place("A", "need A v2", SOMEONE, max_level=ORDINARY) is None
    placement.discard_waiting("A")
    placement.discard_waiting("A")  # twice, or for a need that never waited: nothing happens
    assert placement.place("B", "need B", SOMEONE, max_level=ORDINARY) is None


def test_an_ordinary_need_never_has_its_age_sex_or_size_withheld():
    placement = Placement(k=2)
    placement.add_published(SOMEONE.key(TOP[WIDE]), 5)  # the city × type class is full
    assert placement.place("A", "need A", person(age="80岁以上"), max_level=ORDINARY) is None
    assert placement.place("U", "need U", person(age="50-59岁", sex="male"), max_level=WIDE) == (
        TOP[WIDE],
        [],
    )


def test_an_urgent_need_does_not_carry_an_ordinary_waiting_need_to_a_withheld_node():
    placement = Placement(k=2)
    ordinary, urgent, other_urgent = person(age="70-79岁"), person(age="30-39岁"), person(age="50-59岁")
    assert placement.place("O", "ordinary", ordinary, max_level=ORDINARY) is None
    # Only the age withheld is shared, and the ordinary need may not be published there, so it
    # does not count towards it.
    assert placement.place("U", "urgent", urgent, max_level=WIDE) is None
    assert placement.place("V", "other urgent", other_urgent, max_level=WIDE) == (
        (0, 2, 0, 0, 0, 0),
        ["urgent"],
    )
    # The ordinary need still waits for a class it may join.
    assert placement.place(
        "O2", "ordinary 2", person(county="420102", age="70-79岁"), max_level=ORDINARY
    ) == (
        CITY,
        ["ordinary"],
    )


def test_an_urgent_waiting_need_is_found_at_ordinary_nodes_too():
    placement = Placement(k=2)
    assert placement.place("U", "urgent", SOMEONE, max_level=WIDE) is None
    assert placement.place("O", "ordinary", person(county="420102"), max_level=ORDINARY) == (CITY, ["urgent"])


def test_needs_of_another_city_never_complete_a_class():
    placement = Placement(k=3)
    assert placement.place("A", "A", SOMEONE, max_level=WIDE) is None
    assert placement.place("B", "B", person(county="420202"), max_level=WIDE) is None  # another city
    assert placement.place("C", "C", person(county="420222", age="80岁以上"), max_level=WIDE) is None
    placement.add_published(person(county="420202").key(TOP[WIDE]))
    assert placement.place("D", "D", person(county="420222", sex="male"), max_level=WIDE) == (
        (1, 2, 1, 0, 0, 0),
        ["B", "C"],
    )


def test_a_waiting_need_published_on_its_own_is_no_longer_waiting():
    placement = Placement(k=2)
    assert placement.place("A", "need A", SOMEONE, max_level=ORDINARY) is None
    placement.add_published(SOMEONE.key(FINEST))  # another need of its class was published meanwhile
    assert placement.place("A", "need A v2", SOMEONE, max_level=ORDINARY) == (FINEST, [])
    # A is published: the next need of the class does not publish it a second time.
    assert placement.place("B", "need B", SOMEONE, max_level=ORDINARY) == (FINEST, [])
