"""The allocation proposal's optimization: pure functions over plain values (no database).

Offers have a capacity (in their own units: CNY, goods, hours, places); needs have a remaining
gap and an urgency weight; ``pairs`` says which offer may serve which need (eligibility: type,
kind of help, categories, region, period, computed by ``services.allocation``). The problem:

    maximize   Σ w_j · covered_j / gap_j          (the urgency-weighted share of gaps covered)
    subject to Σ_i x_ij ≤ gap_j                   (no need over-covered; a place covers it all)
               Σ_j x_ij ≤ capacity_i              (no offer over-given)
               x_ij ≤ most per need of offer i
               Σ_{j in household h} x_ij ≤ most per household of offer i
               x_ij integer ≥ 0 on eligible pairs only

Amounts are whole units (1 CNY, one item, one hour, one place): the solver is SciPy's
``milp`` (HiGHS), a well-kept mixed-integer solver; nothing here searches by hand. ``greedy``
is the baseline the benchmark compares with: most urgent need first, filled from the offers
with most left.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array


@dataclass(frozen=True)
class OfferCap:
    id: int
    capacity: int
    per_need: int | None = None
    per_household: int | None = None
    places: bool = False  # job or training places: one place covers a need's whole gap


@dataclass(frozen=True)
class NeedGap:
    id: int
    gap: int
    weight: float
    household: str
    city: str = ""  # the part of the province it lies in (``solve_by_city``)


@dataclass
class Allocation:
    amounts: dict[tuple[int, int], int] = field(default_factory=dict)  # (offer, need) → units of the offer
    objective: float = 0.0
    solver: str = ""
    seconds: float = 0.0
    status: str = "optimal"


def upper_bound(offer: OfferCap, need: NeedGap) -> int:
    """The most offer units one pair may carry."""
    bound = 1 if offer.places else need.gap
    bound = min(bound, offer.capacity)
    for limit in (offer.per_need, offer.per_household):
        if limit is not None:
            bound = min(bound, limit)
    return max(int(bound), 0)


def coverage(offer: OfferCap, need: NeedGap, units: int) -> int:
    """How much of the need's gap ``units`` of the offer cover, in the need's units."""
    return need.gap * units if offer.places else units


def objective_of(offers: dict[int, OfferCap], needs: dict[int, NeedGap], amounts) -> float:
    covered: dict[int, int] = defaultdict(int)
    for (offer_id, need_id), units in amounts.items():
        covered[need_id] += coverage(offers[offer_id], needs[need_id], units)
    return sum(
        needs[j].weight * min(c, needs[j].gap) / needs[j].gap for j, c in covered.items() if needs[j].gap
    )


def check(offers: dict[int, OfferCap], needs: dict[int, NeedGap], pairs, amounts) -> list[str]:
    """What ``amounts`` violates (empty when feasible): the invariants the tests assert."""
    problems = []
    allowed = set(pairs)
    per_offer: dict[int, int] = defaultdict(int)
    per_need: dict[int, int] = defaultdict(int)
    per_household: dict[tuple[int, str], int] = defaultdict(int)
    for (i, j), units in amounts.items():
        if units <= 0:
            continue
        if (i, j) not in allowed:
            problems.append(f"ineligible pair {(i, j)}")
        offer, need = offers[i], needs[j]
        if offer.per_need is not None and units > offer.per_need:
            problems.append(f"per-need limit of offer {i} on need {j}")
        per_offer[i] += units
        per_need[j] += coverage(offer, need, units)
        per_household[(i, need.household)] += units
    problems += [f"capacity of offer {i}" for i, units in per_offer.items() if units > offers[i].capacity]
    problems += [f"gap of need {j}" for j, units in per_need.items() if units > needs[j].gap]
    problems += [
        f"household limit of offer {i}"
        for (i, _household), units in per_household.items()
        if offers[i].per_household is not None and units > offers[i].per_household
    ]
    return problems


def solve(
    offers: Iterable[OfferCap],
    needs: Iterable[NeedGap],
    pairs: Iterable[tuple[int, int]],
    *,
    time_limit: float = 60,
    mip_rel_gap: float = 1e-9,
) -> Allocation:
    """The optimal allocation of ``offers`` to ``needs`` over the eligible ``pairs`` (MILP)."""
    started = time.perf_counter()
    offers = {offer.id: offer for offer in offers}
    needs = {need.id: need for need in needs}
    pairs = [
        (i, j)
        for i, j in dict.fromkeys(pairs)
        if i in offers and j in needs and upper_bound(offers[i], needs[j]) > 0
    ]
    if not pairs:
        return Allocation(solver="none", seconds=time.perf_counter() - started)
    n = len(pairs)
    offer_ids = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=n)
    need_ids = np.fromiter((j for _, j in pairs), dtype=np.int64, count=n)
    places = np.fromiter((offers[i].places for i in offer_ids.tolist()), dtype=bool, count=n)
    gaps = np.fromiter((needs[j].gap for j in need_ids.tolist()), dtype=np.float64, count=n)
    weights = np.fromiter((needs[j].weight for j in need_ids.tolist()), dtype=np.float64, count=n)
    upper = np.fromiter((upper_bound(offers[i], needs[j]) for i, j in pairs), dtype=np.float64, count=n)
    # Each unit covers 1/gap of the need (a place covers all of it).
    cost = -np.where(places, weights, weights / gaps)
    columns = np.arange(n)

    rows, cols, values, limits = [], [], [], []

    def add_rows(keys: np.ndarray, coefficients: np.ndarray, bounds_of, mask=None):
        mask = np.ones(n, dtype=bool) if mask is None else mask
        unique, index = np.unique(keys[mask], return_inverse=True)
        start = len(limits)
        rows.append(index + start)
        cols.append(columns[mask])
        values.append(coefficients[mask])
        limits.extend(bounds_of(key) for key in unique.tolist())

    # Needs: Σ coverage ≤ gap.
    add_rows(need_ids, np.where(places, gaps, 1.0), lambda j: needs[j].gap)
    # Offers: Σ units ≤ capacity.
    add_rows(offer_ids, np.ones(n), lambda i: offers[i].capacity)
    # Households, per offer with a limit: Σ units ≤ limit.
    limited = [(k, i, j) for k, (i, j) in enumerate(pairs) if offers[i].per_household is not None]
    if limited:
        keys = {}
        group = np.full(n, -1, dtype=np.int64)
        for k, i, j in limited:
            group[k] = keys.setdefault((i, needs[j].household), len(keys))
        by_key = {value: key for key, value in keys.items()}
        add_rows(group, np.ones(n), lambda g: offers[by_key[g][0]].per_household, mask=group >= 0)

    matrix = coo_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(len(limits), n)
    ).tocsr()
    result = milp(
        cost,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), upper),
        constraints=LinearConstraint(matrix, -np.inf, np.asarray(limits, dtype=np.float64)),
        options={"time_limit": max(time_limit, 0.1), "mip_rel_gap": mip_rel_gap},
    )
    if result.x is None:
        return Allocation(solver="scipy.milp (HiGHS)", seconds=time.perf_counter() - started, status="failed")
    units = np.rint(result.x).astype(np.int64)
    amounts = {pairs[k]: int(units[k]) for k in np.flatnonzero(units > 0).tolist()}
    return Allocation(
        amounts=amounts,
        objective=objective_of(offers, needs, amounts),
        solver="scipy.milp (HiGHS)",
        seconds=time.perf_counter() - started,
        status="optimal" if result.status == 0 else "time_limit",
    )


def solve_by_city(
    offers: Iterable[OfferCap],
    needs: Iterable[NeedGap],
    pairs: Iterable[tuple[int, int]],
    *,
    time_limit: float = 60,
    mip_rel_gap: float = 1e-6,
    baseline: Allocation | None = None,
) -> Allocation:
    """``solve`` in parts, for a whole province within ``time_limit`` seconds.

    The offers whose eligible needs lie in several cities (province-wide ones) are solved
    first, over every need they reach; then each city's own offers over what they left of its
    needs' gaps (the cities share no offer then, so each part is a problem of its own). Each
    part gets its share of the time left; a part the solver cannot answer in it is filled
    greedily. Needs keep their value per unit across parts (weight / gap), and a job or
    training place only goes to a need nothing covered yet, as in ``greedy``. The parts'
    allocation is feasible; when the greedy baseline over the whole problem is better, that
    is the answer (``baseline``: that greedy allocation, when the caller has it). ``solver``
    says which was used, ``status`` whether every part was solved (``optimal``), stopped by the
    time limit (``time_limit``) or filled greedily (``greedy``).
    """
    started = time.perf_counter()
    offers = {offer.id: offer for offer in offers}
    needs = {need.id: need for need in needs}
    pairs = [(i, j) for i, j in dict.fromkeys(pairs) if i in offers and j in needs]
    cities: dict[int, set[str]] = defaultdict(set)
    for i, j in pairs:
        cities[i].add(needs[j].city)
    parts: dict[str | None, list[tuple[int, int]]] = defaultdict(list)
    for i, j in pairs:
        parts[None if len(cities[i]) > 1 else needs[j].city].append((i, j))
    order = sorted(parts, key=lambda city: (city is not None, city or ""))
    left = {j: need.gap for j, need in needs.items()}
    amounts: dict[tuple[int, int], int] = {}
    statuses = set()
    for number, city in enumerate(order):
        part = [
            (i, j)
            for i, j in parts[city]
            if left[j] > 0 and (not offers[i].places or left[j] == needs[j].gap)
        ]
        if not part:
            continue
        part_needs = [
            NeedGap(j, left[j], needs[j].weight * left[j] / needs[j].gap, needs[j].household, needs[j].city)
            for j in dict.fromkeys(j for _i, j in part)
        ]
        part_offers = [offers[i] for i in dict.fromkeys(i for i, _j in part)]
        share = len(part) / sum(len(parts[c]) for c in order[number:])
        budget = (time_limit - (time.perf_counter() - started)) * share
        solved = solve(part_offers, part_needs, part, time_limit=budget, mip_rel_gap=mip_rel_gap)
        if solved.status == "failed":
            solved = greedy(part_offers, part_needs, part)
            solved.status = "greedy"
        statuses.add(solved.status)
        by_id = {need.id: need for need in part_needs}
        for (i, j), units in solved.amounts.items():
            amounts[(i, j)] = units
            left[j] -= coverage(offers[i], by_id[j], units)
    status = next((s for s in ("greedy", "time_limit") if s in statuses), "optimal")
    result = Allocation(
        amounts=amounts,
        objective=objective_of(offers, needs, amounts),
        solver=f"scipy.milp (HiGHS), {len(order)} parts",
        status=status,
    )
    baseline = baseline or greedy(offers.values(), needs.values(), pairs)
    if baseline.objective > result.objective:
        result = Allocation(
            baseline.amounts, baseline.objective, "greedy (above the parts' solution)", status="greedy"
        )
    result.seconds = time.perf_counter() - started
    return result


def greedy(
    offers: Iterable[OfferCap], needs: Iterable[NeedGap], pairs: Iterable[tuple[int, int]]
) -> Allocation:
    """The baseline: the most urgent need first (then the smallest gap), filled from its
    eligible offers with the most capacity left, within every limit."""
    started = time.perf_counter()
    offers = {offer.id: offer for offer in offers}
    needs = {need.id: need for need in needs}
    by_need: dict[int, list[int]] = defaultdict(list)
    for i, j in dict.fromkeys(pairs):
        if i in offers and j in needs:
            by_need[j].append(i)
    left = {i: offer.capacity for i, offer in offers.items()}
    household_used: dict[tuple[int, str], int] = defaultdict(int)
    amounts: dict[tuple[int, int], int] = {}
    for j in sorted(by_need, key=lambda j: (-needs[j].weight, needs[j].gap, j)):
        need = needs[j]
        gap = need.gap
        for i in sorted(by_need[j], key=lambda i: (-left[i], i)):
            if gap <= 0:
                break
            offer = offers[i]
            room = min(upper_bound(offer, need), left[i])
            if offer.per_household is not None:
                room = min(room, offer.per_household - household_used[(i, need.household)])
            # A place covers a whole need, so only a need nothing else covered yet takes one.
            units = (1 if room >= 1 and gap == need.gap else 0) if offer.places else min(room, gap)
            if units <= 0:
                continue
            amounts[(i, j)] = units
            left[i] -= units
            household_used[(i, need.household)] += units
            gap -= coverage(offer, need, units)
    return Allocation(
        amounts=amounts,
        objective=objective_of(offers, needs, amounts),
        solver="greedy",
        seconds=time.perf_counter() - started,
    )
