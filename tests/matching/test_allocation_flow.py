"""Allocation proposals in the back office, invitations, acceptance through the claims service
(and its rules under concurrency on PostgreSQL), and declining that frees the line."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from marketplace.claims.errors import ClaimRefused
from marketplace.claims.models import Claim
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import AllocationLine, LineStatus, Offer
from marketplace.matching.services.allocation import (
    allocation_invite,
    allocation_propose,
    build_problem,
    invitation_accept,
)
from marketplace.needs.models import Need
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.matching import OfferFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory


def caseworker():
    return UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111"), is_staff=True)


def charity_admin():
    return UserFactory(roles=[Role.CHARITY_ADMIN])


@pytest.mark.django_db
def test_proposal_respects_capacity_household_limit_and_eligibility():
    admin = charity_admin()
    offer = OfferFactory(
        organization=OrganizationFactory(verified=True, admin=admin),
        quantity=Decimal("900"),
        max_per_need=Decimal("400"),
        max_per_household=Decimal("500"),
    )
    same_household = NeedFactory(region="420111", urgency="critical", target_amount="400")
    sibling = NeedFactory(
        region="420111",
        urgency="critical",
        target_amount="400",
        household_token=same_household.household_token,
    )
    other = NeedFactory(region="420111", urgency="normal", target_amount="300")
    NeedFactory(region="420111", need_type="education")  # not served
    NeedFactory(region="420502")  # Yichang: outside the region and the offer
    proposal = allocation_propose(region=Region.objects.get(code="420111"), actor=caseworker())
    lines = {line.need_id: line.amount for line in proposal.lines.all()}
    assert set(lines) <= {same_household.pk, sibling.pk, other.pk}
    assert sum(lines.values()) <= offer.quantity
    assert lines.get(same_household.pk, 0) + lines.get(sibling.pk, 0) <= Decimal("500")
    assert all(amount <= Decimal("400") for amount in lines.values())
    assert lines[other.pk] == Decimal("300")  # the household limit leaves room for the other family
    assert proposal.objective >= proposal.greedy_objective - 1e-9


@pytest.mark.django_db
def test_caseworker_invites_organization_accepts_through_claims_declines_free_the_line():
    admin = charity_admin()
    org = OrganizationFactory(verified=True, admin=admin)
    offer = OfferFactory(organization=org, quantity=Decimal("1000"))
    first = NeedFactory(region="420111", urgency="urgent", target_amount="600")
    second = NeedFactory(region="420111", target_amount="400")
    worker = caseworker()
    client = Client()
    client.force_login(worker)
    index = reverse("matching_allocation:index")
    page = client.get(index + "?region=420111").content.decode()
    assert "急难救助" in page  # says what it cannot do
    client.post(index, {"region": "420111", "action": "propose"})
    lines = list(AllocationLine.objects.order_by("pk"))
    assert {line.need_id for line in lines} == {first.pk, second.pk}
    response = client.post(
        index,
        {
            "region": "420111",
            "action": "invite",
            "proposal": lines[0].proposal_id,
            "line": [li.pk for li in lines],
        },
    )
    assert response.status_code == 302
    assert Notification.objects.filter(user=admin).exists()
    # The organization finds the invitations from its pages: My organizations → My offers.
    member = Client()
    member.force_login(admin)
    assert reverse("matching:mine") in member.get(reverse("organizations:mine")).content.decode()
    mine = member.get(reverse("matching:mine")).content.decode()
    accept_one = reverse("matching:invitation-accept", args=[lines[0].pk])
    assert accept_one in mine
    member.post(accept_one)
    claim = Claim.objects.get(need=lines[0].need)
    assert claim.organization == org and claim.amount == lines[0].amount and claim.lease_expires_at
    offer.refresh_from_db()
    assert offer.allocated == lines[0].amount
    member.post(reverse("matching:invitation-decline", args=[lines[1].pk]), {"reason": "人手不足"})
    lines[1].refresh_from_db()
    assert lines[1].status == LineStatus.DECLINED
    # The declined line's need and capacity count again in the next proposal.
    problem = build_problem(region_code="420111")
    assert lines[1].need_id in {need.id for need in problem.needs}
    with pytest.raises(MatchingRefused):
        invitation_accept(line=lines[1], actor=admin)


@pytest.mark.django_db
def test_only_the_organizations_admin_accepts_and_claim_rules_still_apply():
    admin = charity_admin()
    offer = OfferFactory(organization=OrganizationFactory(verified=True, admin=admin))
    need = NeedFactory(region="420111", target_amount="500")
    proposal = allocation_propose(region=Region.objects.get(code="420111"), actor=caseworker())
    line = proposal.lines.get()
    allocation_invite(proposal=proposal, line_ids=[line.pk], actor=caseworker())
    with pytest.raises(MatchingRefused):
        invitation_accept(line=line, actor=charity_admin())
    Need.objects.filter(pk=need.pk).update(status="withdrawn")
    with pytest.raises(ClaimRefused):
        invitation_accept(line=line, actor=admin)
    line.refresh_from_db()
    assert line.status == LineStatus.INVITED and not Claim.objects.exists()
    assert Offer.objects.get(pk=offer.pk).allocated == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_acceptances_never_claim_more_than_the_gap_nor_give_more_than_the_offer():
    """Eight organizations were invited to one need of 1000 with 400 each, and one of them also
    for a second need with its only remaining capacity: all accept at once, in threads."""
    worker = caseworker()
    need = NeedFactory(region="420111", target_amount="1000")
    admins, lines = [], []
    proposal = None
    for _ in range(8):
        admin = charity_admin()
        offer = OfferFactory(
            organization=OrganizationFactory(verified=True, admin=admin), quantity=Decimal("400")
        )
        if proposal is None:
            proposal = allocation_propose(region=Region.objects.get(code="420111"), actor=worker)
        line = AllocationLine.objects.create(
            proposal=proposal, offer=offer, need=need, amount=Decimal("400"), offer_units=Decimal("400")
        )
        admins.append(admin)
        lines.append(line)
    AllocationLine.objects.filter(pk__in=[line.pk for line in lines]).update(status=LineStatus.INVITED)
    barrier = threading.Barrier(len(lines))
    outcomes: list[str] = [""] * len(lines)

    def accept(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            invitation_accept(line=lines[index], actor=admins[index])
            outcomes[index] = "accepted"
        except (ClaimRefused, MatchingRefused) as exc:
            outcomes[index] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(index,)) for index in range(len(lines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    need.refresh_from_db()
    claimed = sum(claim.amount for claim in Claim.objects.filter(need=need))
    assert claimed == need.claimed_amount <= need.target_amount
    assert claimed == Decimal("1000")  # 400 + 400 + the 200 still open
    assert outcomes.count("accepted") == 3
    assert set(outcomes) <= {"accepted", "not_open", "over_remaining"}
    for line in AllocationLine.objects.filter(pk__in=[line.pk for line in lines]):
        offer = line.offer
        assert offer.allocated <= offer.quantity
        if line.status == LineStatus.ACCEPTED:
            assert offer.allocated == line.claim.amount
        else:
            assert line.status == LineStatus.INVITED and offer.allocated == 0
