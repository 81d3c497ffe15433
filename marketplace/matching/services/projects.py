"""Charity projects and pledges (慈善项目与认捐; seed 四(六): 引导社会力量…开展慈善项目).

An organization opens a project (need type, region, target, period). A signed-in member of the
public pledges an amount, anonymously to the public or not; the portal processes no payment.
The organization reports each pledge as received or not. ``CharityProject.pledged`` and
``raised`` are kept under the project's row lock and the database checks raised ≤ pledged;
pledges never take ``pledged`` over the target. What was received becomes the project's offer
(funds for its need type and region), which recommendations and allocation use; the offer's
``allocated`` is what accepted invitations took from it.

Lock order: project, then pledge, then the project's offer (the allocation service locks an
offer after its line, never a project), so no cycle.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import holds_office, is_organization_admin
from accounts.roles import OFFICE_HOLDERS
from marketplace.delivery.selectors import delivered_on_claims
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import (
    AllocationLine,
    CharityProject,
    LineStatus,
    Offer,
    OfferKind,
    Pledge,
    PledgeStatus,
    ProjectStatus,
)
from marketplace.needs.cleaning import clean_amount
from marketplace.organizations.models import OrganizationStatus
from regions.models import code_prefix

# How long a project's balance stays on offer after the project's period ends.
OFFER_AFTER_END = timedelta(days=365)


def project_open(*, organization, actor, data: dict) -> CharityProject:
    """Open a project. Raises ``MatchingRefused("not_admin")`` (403) and ``ValidationError``."""
    if organization.status != OrganizationStatus.VERIFIED or not is_organization_admin(actor, organization):
        raise MatchingRefused("not_admin")
    if data["ends_on"] < data["starts_on"]:
        raise ValidationError({"ends_on": [_("Must not be before the start.")]})
    return CharityProject.objects.create(organization=organization, created_by=actor, **data)


def pledge_make(*, project: CharityProject, user, amount, anonymous: bool) -> Pledge:
    """Record a pledge of ``amount`` CNY. Raises ``ValidationError`` (``amount``) and
    ``MatchingRefused``: ``project_closed`` outside the period, ``over_target``; office holders
    (staff) do not take part (decision 0004)."""
    amount = clean_amount(amount)
    if holds_office(user):
        raise MatchingRefused("not_staff", str(OFFICE_HOLDERS))
    with transaction.atomic():
        locked = CharityProject.objects.select_for_update().get(pk=project.pk)
        today = timezone.localdate()
        if locked.status != ProjectStatus.OPEN or not (locked.starts_on <= today <= locked.ends_on):
            raise MatchingRefused("project_closed")
        if locked.pledged + amount > locked.target:
            raise MatchingRefused(
                "over_target",
                _("Only %(left)s CNY remain to the target; pledge no more than that.")
                % {"left": locked.target - locked.pledged},
            )
        pledge = Pledge.objects.create(project=locked, user=user, amount=amount, anonymous=anonymous)
        locked.pledged += amount
        locked.save(update_fields=["pledged"])
    return pledge


def pledge_answer(*, pledge: Pledge, actor, received: bool) -> Pledge:
    """The organization reports a pledge received (it joins the project's offer) or not."""
    with transaction.atomic():
        project = (
            CharityProject.objects.select_for_update()
            .select_related("organization")
            .get(pk=pledge.project_id)
        )
        if not is_organization_admin(actor, project.organization):
            raise MatchingRefused("not_admin")
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if locked.status != PledgeStatus.PLEDGED:
            raise MatchingRefused("not_pledged")
        locked.status = PledgeStatus.FULFILLED if received else PledgeStatus.LAPSED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        if received:
            project.raised += locked.amount
        else:
            project.pledged -= locked.amount
        project.save(update_fields=["raised", "pledged"])
        if received:
            _sync_offer(project, actor)
    return locked


def _sync_offer(project: CharityProject, actor) -> Offer:
    """The project's balance as an offer: its quantity is what was received."""
    offer = Offer.objects.select_for_update().filter(project=project).first()
    if offer is None:
        return Offer.objects.create(
            organization=project.organization,
            kind=OfferKind.FUNDS,
            title=project.title,
            description=project.description,
            quantity=project.raised,
            need_types=[project.need_type],
            region_prefixes=[code_prefix(project.region_id)],
            available_from=min(project.starts_on, timezone.localdate()),
            available_until=project.ends_on + OFFER_AFTER_END,
            project=project,
            created_by=actor,
        )
    offer.quantity = project.raised
    offer.save(update_fields=["quantity"])
    return offer


def project_figures(project: CharityProject) -> dict:
    """What the project page shows: pledged, raised (received), allocated, delivered (CNY)."""
    offer = Offer.objects.filter(project=project).first()
    allocated = offer.allocated if offer else Decimal(0)
    claims = (
        AllocationLine.objects.filter(offer=offer, status=LineStatus.ACCEPTED).values_list(
            "claim_id", flat=True
        )
        if offer
        else []
    )
    received = Pledge.objects.filter(project=project, status=PledgeStatus.FULFILLED).aggregate(
        t=Sum("amount")
    )["t"]
    return {
        "pledged": project.pledged,
        "raised": project.raised,
        "received_check": Decimal(received or 0),
        "allocated": allocated,
        "delivered": delivered_on_claims(claim_ids=claims),
        "offer": offer,
    }
