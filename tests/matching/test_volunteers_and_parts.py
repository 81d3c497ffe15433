"""The province's allocation solved in parts (province-wide offers first, then each city) is
feasible and never below greedy; volunteers' hours are supply for service needs counted in hours."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from marketplace.claims.models import Claim
from marketplace.matching.allocation import NeedGap, OfferCap, check, greedy, solve, solve_by_city
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import AllocationLine, LineStatus
from marketplace.matching.services.allocation import (
    allocation_invite,
    allocation_propose,
    build_problem,
    invitation_accept,
    volunteer_supply_id,
)
from marketplace.matching.services.offers import availability_save
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import VolunteerFactory


@st.composite
def province(draw):
    """Offers of one city or of several, needs in three cities, some pairs eligible."""
    cities = ["420100", "420500", "420600"]
    needs = [
        NeedGap(
            id=100 + j,
            gap=draw(st.integers(1, 6)),
            weight=draw(st.sampled_from([1.0, 1.5, 2.0, 3.0])),
            household=draw(st.sampled_from(["h1", "h2", "h3"])),
            city=draw(st.sampled_from(cities)),
        )
        for j in range(draw(st.integers(1, 8)))
    ]
    offers, pairs = [], []
    for i in range(draw(st.integers(1, 5))):
        offer = OfferCap(
            id=i + 1,
            capacity=draw(st.integers(0, 8)),
            per_need=draw(st.one_of(st.none(), st.integers(1, 4))),
            per_household=draw(st.one_of(st.none(), st.integers(1, 5))),
            places=draw(st.booleans()) if i == 0 else False,
        )
        offers.append(offer)
        reach = draw(st.sampled_from([*cities, "all"]))
        pairs += [
            (offer.id, need.id)
            for need in needs
            if (reach == "all" or need.city == reach) and draw(st.booleans())
        ]
    return offers, needs, pairs


@settings(max_examples=120, deadline=None)
@given(province())
def test_solving_by_city_breaks_no_limit_and_never_falls_below_greedy(instance):
    offers, needs, pairs = instance
    parts = solve_by_city(offers, needs, pairs, time_limit=20)
    offer_map = {o.id: o for o in offers}
    need_map = {n.id: n for n in needs}
    assert check(offer_map, need_map, pairs, parts.amounts) == []
    assert parts.objective >= greedy(offers, needs, pairs).objective - 1e-9
    assert parts.objective <= solve(offers, needs, pairs).objective + 1e-9
    assert parts.status in {"optimal", "greedy", "time_limit"} and parts.solver


def test_a_province_offer_and_a_city_offer_share_a_need_without_over_covering_it():
    """The province-wide offer goes first, to the most valuable need; the city's own offer
    covers what it left of that need, never more. (Parts may fall short of the whole optimum:
    here the whole problem would send the province-wide offer to the other city.)"""
    offers = [OfferCap(1, 5), OfferCap(2, 5)]
    needs = [NeedGap(10, 6, 3.0, "a", "420100"), NeedGap(11, 4, 1.0, "b", "420500")]
    pairs = [(1, 10), (1, 11), (2, 10)]
    parts = solve_by_city(offers, needs, pairs)
    assert parts.amounts == {(1, 10): 5, (2, 10): 1}
    assert check({o.id: o for o in offers}, {n.id: n for n in needs}, pairs, parts.amounts) == []
    assert greedy(offers, needs, pairs).objective <= parts.objective <= solve(offers, needs, pairs).objective


def available(volunteer, *, hours_per_week, need_types=("care_service",), regions=("420111",)):
    return availability_save(
        volunteer=volunteer,
        data={
            "hours_per_week": hours_per_week,
            "skills": "陪护",
            "need_types": list(need_types),
            "region_prefixes": list(regions),
        },
    )


@pytest.mark.django_db
def test_volunteers_hours_per_period_are_the_capacity_for_service_needs_in_hours(settings):
    settings.MATCHING_VOLUNTEER_WEEKS = 4
    volunteer = VolunteerFactory()
    available(volunteer, hours_per_week=5)  # 20 hours in the period
    first = NeedFactory(region="420111", need_type="care_service", amount_kind="hours", target_amount="15")
    second = NeedFactory(region="420111", need_type="care_service", amount_kind="hours", target_amount="12")
    money = NeedFactory(region="420111", need_type="care_service", amount_kind="money", target_amount="300")
    elsewhere = NeedFactory(region="420102", need_type="care_service", amount_kind="hours", target_amount="5")
    medical = NeedFactory(region="420111", need_type="medical", amount_kind="hours", target_amount="5")
    not_open_to = VolunteerFactory()
    available(not_open_to, hours_per_week=3, need_types=["medical"])  # not a service the solver plans

    problem = build_problem(region_code="420111")
    supply = {offer.id: offer for offer in problem.offers}
    assert supply[volunteer_supply_id(volunteer.pk)].capacity == 20
    assert volunteer_supply_id(not_open_to.pk) not in supply
    reached = {j for i, j in problem.pairs if i == volunteer_supply_id(volunteer.pk)}
    assert reached == {first.pk, second.pk}
    assert not {money.pk, elsewhere.pk, medical.pk} & reached

    worker = UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111"), is_staff=True)
    proposal = allocation_propose(region=Region.objects.get(code="420111"), actor=worker)
    lines = list(proposal.lines.filter(volunteer=volunteer))
    assert lines and all(line.offer_id is None for line in lines)
    assert sum(line.offer_units for line in lines) == Decimal("20")
    assert {line.need_id for line in lines} <= {first.pk, second.pk}

    # Invited hours count against the period: the next proposal has none left for this volunteer.
    invited = allocation_invite(proposal=proposal, line_ids=[line.pk for line in lines], actor=worker)
    assert invited == len(lines)
    again = build_problem(region_code="420111")
    assert volunteer_supply_id(volunteer.pk) not in {offer.id for offer in again.offers}

    # Only the volunteer answers; accepting is their own claim through the claim rules.
    line = AllocationLine.objects.filter(volunteer=volunteer).order_by("pk").first()
    with pytest.raises(MatchingRefused):
        invitation_accept(line=line, actor=UserFactory())
    accepted = invitation_accept(line=line, actor=volunteer.user)
    assert accepted.status == LineStatus.ACCEPTED
    claim = Claim.objects.get(pk=accepted.claim_id)
    assert claim.volunteer_id == volunteer.pk and claim.amount == line.amount
