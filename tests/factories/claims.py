"""Claims for tests, written with the ORM the way the claims service leaves them.

A claim of a verified organization (its claimant an active administrator of it) or of a
volunteer, active with a lease, a transition row, and the need's ``claimed_amount`` and status
updated, so the delivery and chain tests do not depend on the claims service (tested in
``tests/claims``, where claims are made through it).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from marketplace.claims.models import HOLDING_CLAIM_STATUSES, Claim, ClaimStatus, ClaimTransition
from marketplace.needs.models import NeedStatus, NeedTransition
from marketplace.organizations.models import MembershipRole
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim of the need's whole remaining gap unless ``amount`` is given; ``active`` by default.

    Without ``volunteer`` or ``organization`` the claim is a new verified organization's (serving
    every need type), claimed by a new administrator of it;
    traits for the other states: ``withdrawn``, ``expired``, ``transferred``, ``completed``.
    """

    class Meta:
        model = Claim

    class Params:
        withdrawn = factory.Trait(status=ClaimStatus.WITHDRAWN)
        expired = factory.Trait(status=ClaimStatus.EXPIRED)
        transferred = factory.Trait(status=ClaimStatus.TRANSFERRED)
        completed = factory.Trait(status=ClaimStatus.COMPLETED)

    need = factory.SubFactory(NeedFactory)
    volunteer = None
    organization = None  # unless ``volunteer`` is given, a new verified organization serving every type
    claimant = None  # the volunteer's user, or a new administrator of the organization
    amount = factory.LazyAttribute(lambda claim: claim.need.remaining_amount)
    status = ClaimStatus.ACTIVE
    lease_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Claim:
        kwargs["amount"] = Decimal(str(kwargs["amount"]))
        if kwargs["organization"] is None and kwargs["volunteer"] is None:
            kwargs["organization"] = OrganizationFactory(verified=True, need_types=[])
        if kwargs["claimant"] is None:
            kwargs["claimant"] = (
                kwargs["volunteer"].user
                if kwargs["volunteer"] is not None
                else MembershipFactory(organization=kwargs["organization"], role=MembershipRole.ADMIN).user
            )
        claim = super()._create(model_class, *args, **kwargs)
        ClaimTransition.objects.create(
            claim=claim, from_status="", to_status=claim.status, actor=claim.claimant
        )
        if claim.status in HOLDING_CLAIM_STATUSES:
            _hold(claim)
        return claim


def _hold(claim: Claim) -> None:
    """Count the claim against its need, moving the need to (partially) claimed."""
    need = claim.need
    need.refresh_from_db()
    need.claimed_amount += claim.amount
    new_status = (
        NeedStatus.CLAIMED if need.claimed_amount >= need.target_amount else NeedStatus.PARTIALLY_CLAIMED
    )
    if need.status != new_status and need.status in (NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED):
        NeedTransition.objects.create(need=need, from_status=need.status, to_status=new_status)
        need.status = new_status
    need.save()
