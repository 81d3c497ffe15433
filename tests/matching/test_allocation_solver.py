"""The allocation solver (marketplace.matching.allocation) against a brute-force optimum, and
the limits it must never break: capacities, per-need and per-household limits, eligibility."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.matching.allocation import NeedGap, OfferCap, check, greedy, objective_of, solve, upper_bound


@st.composite
def instances(draw):
    offers = [
        OfferCap(
            id=i,
            capacity=draw(st.integers(0, 4)),
            per_need=draw(st.one_of(st.none(), st.integers(1, 3))),
            per_household=draw(st.one_of(st.none(), st.integers(1, 3))),
            places=draw(st.booleans()) if i == 1 else False,
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    needs = [
        NeedGap(
            id=10 + j,
            gap=draw(st.integers(1, 3)),
            weight=draw(st.sampled_from([1.0, 2.0, 3.0, 1.5])),
            household=draw(st.sampled_from(["h1", "h2"])),
        )
        for j in range(draw(st.integers(1, 3)))
    ]
    pairs = [(o.id, n.id) for o in offers for n in needs if draw(st.booleans())]
    return offers, needs, pairs


def brute_force(offers, needs, pairs) -> float:
    """The best objective over every integer assignment of every eligible pair."""
    offer_map = {o.id: o for o in offers}
    need_map = {n.id: n for n in needs}
    pairs = list(dict.fromkeys(pairs))
    ranges = [range(upper_bound(offer_map[i], need_map[j]) + 1) for i, j in pairs]
    best = 0.0
    for units in itertools.product(*ranges):
        amounts = {pair: u for pair, u in zip(pairs, units, strict=True) if u}
        if not check(offer_map, need_map, pairs, amounts):
            best = max(best, objective_of(offer_map, need_map, amounts))
    return best


@settings(max_examples=150, deadline=None)
@given(instances())
def test_solver_reaches_the_brute_force_optimum_and_breaks_no_limit(instance):
    offers, needs, pairs = instance
    allocation = solve(offers, needs, pairs)
    offer_map, need_map = {o.id: o for o in offers}, {n.id: n for n in needs}
    assert check(offer_map, need_map, pairs, allocation.amounts) == []
    assert abs(allocation.objective - brute_force(offers, needs, pairs)) < 1e-6


@settings(max_examples=100, deadline=None)
@given(instances())
def test_greedy_is_feasible_and_never_beats_the_solver(instance):
    offers, needs, pairs = instance
    offer_map, need_map = {o.id: o for o in offers}, {n.id: n for n in needs}
    baseline = greedy(offers, needs, pairs)
    assert check(offer_map, need_map, pairs, baseline.amounts) == []
    assert solve(offers, needs, pairs).objective >= baseline.objective - 1e-9


def test_household_limit_spreads_an_offer_over_households():
    offers = [OfferCap(id=1, capacity=10, per_household=2)]
    needs = [NeedGap(10, 3, 3.0, "same"), NeedGap(11, 3, 3.0, "same"), NeedGap(12, 2, 1.0, "other")]
    allocation = solve(offers, needs, [(1, 10), (1, 11), (1, 12)])
    assert allocation.amounts.get((1, 10), 0) + allocation.amounts.get((1, 11), 0) == 2
    assert allocation.amounts[(1, 12)] == 2


def test_ineligible_pairs_get_nothing():
    offers = [OfferCap(id=1, capacity=10)]
    needs = [NeedGap(10, 3, 3.0, "a"), NeedGap(11, 3, 1.0, "b")]
    allocation = solve(offers, needs, [(1, 11)])
    assert set(allocation.amounts) == {(1, 11)}
