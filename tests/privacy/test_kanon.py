"""k-anonymity counting over published quasi-identifiers."""

from __future__ import annotations

import pytest

from privacy.kanon import (
    QuasiKey,
    class_sizes,
    generalize_key,
    smallest_class_size,
    violating_classes,
    would_satisfy,
)


def key(region: str = "420111", age: str = "30-39岁", sex: str = "female", need: str = "medical") -> QuasiKey:
    return QuasiKey(region_code=region, age_band=age, sex=sex, household_size_band="3-4人", need_type=need)


HONGSHAN = key()
WUCHANG = key(region="420106")
ELDER = key(age="70-79岁")


def test_class_sizes_and_smallest() -> None:
    records = [HONGSHAN] * 5 + [WUCHANG] * 2 + [ELDER]
    assert class_sizes(records) == {HONGSHAN: 5, WUCHANG: 2, ELDER: 1}
    assert smallest_class_size(records) == 1
    assert smallest_class_size([HONGSHAN] * 6) == 6
    assert smallest_class_size([]) == 0
    assert smallest_class_size(iter([HONGSHAN, HONGSHAN])) == 2


def test_violating_classes() -> None:
    records = [HONGSHAN] * 5 + [WUCHANG] * 4 + [ELDER]
    assert violating_classes(records, 5) == {WUCHANG, ELDER}
    assert violating_classes(records, 4) == {ELDER}
    assert violating_classes(records, 1) == set()
    assert violating_classes(records) == {WUCHANG, ELDER}  # k = 5 by default


def test_one_differing_field_is_another_class() -> None:
    assert violating_classes([key(), key(sex="male")], 2) == {key(), key(sex="male")}
    assert violating_classes([key(), key(need="education")], 2) == {key(), key(need="education")}


def test_would_satisfy_counts_the_candidate() -> None:
    counts = {HONGSHAN: 4, WUCHANG: 2}
    assert would_satisfy(counts, HONGSHAN, 5)
    assert not would_satisfy(counts, WUCHANG, 5)
    assert not would_satisfy(counts, ELDER, 5)
    assert would_satisfy({}, ELDER, 1)


@pytest.mark.parametrize("k", [0, -3])
def test_k_must_be_positive(k: int) -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        violating_classes([HONGSHAN], k)
    with pytest.raises(ValueError, match="k must be at least 1"):
        would_satisfy({}, HONGSHAN, k)


def test_generalize_key_swaps_county_for_city() -> None:
    assert generalize_key(HONGSHAN, city_code="420100") == key(region="420100")
    # Counties of one city fall into one class once generalized.
    records = [generalize_key(k, city_code="420100") for k in [HONGSHAN] * 3 + [WUCHANG] * 2]
    assert violating_classes(records, 5) == set()


def test_directly_administered_unit_is_its_own_city() -> None:
    xiantao = key(region="429004")
    assert generalize_key(xiantao, city_code="429004") == xiantao
    with pytest.raises(ValueError, match="not the city"):
        generalize_key(xiantao, city_code="429005")


@pytest.mark.parametrize("city_code", ["420200", "4201", "42010a"])
def test_generalize_key_refuses_a_foreign_or_malformed_city(city_code: str) -> None:
    with pytest.raises(ValueError, match=r"6 digits|not the city"):
        generalize_key(HONGSHAN, city_code=city_code)
