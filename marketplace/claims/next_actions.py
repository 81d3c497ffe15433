"""What the holder of an active claim can do next, wherever they look at it (我的认领, the need's
page): report its delivery, renew, withdraw, answer a transfer request.

Only what the user may actually do is offered: the rules are the services' own (the holder per
``accounts.permissions.claims_held_by``, the moves of ``CLAIM_TRANSITIONS``, a verified
organization to renew or report, no release of a claim that gave aid, answers from whom
``services.claims.holder_admins`` names). Delivery sits above this app, so it adds its own step
(report the delivery, or the state of the report waiting for verification) through
``hooks.claim_next_steps``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from accounts.permissions import claims_held_by
from marketplace.claims.hooks import claim_next_steps
from marketplace.claims.models import CLAIM_TRANSITIONS, Claim, ClaimStatus, TransferRequest
from marketplace.claims.selectors import transfers_to_answer
from marketplace.claims.services.claims import DELIVERED
from marketplace.organizations.models import OrganizationStatus


@dataclass(frozen=True)
class NextStep:
    """One step an upper app offers on a claim: a state to read (``state``) and/or a link to
    follow (``url`` with ``label``; a GET page: what changes state there is a form of its own)."""

    state: str = ""
    url: str = ""
    label: str = ""


@dataclass
class ClaimActions:
    """What ``user`` may do next on one active claim they hold."""

    claim: Claim
    renew: bool = False
    withdraw: bool = False
    # Aid was given (a delivery reported or verified): the claim no longer expires nor is withdrawn.
    aid_given: bool = False
    # The organization lost its verification: it can neither renew nor report.
    unverified: bool = False
    steps: list[NextStep] = field(default_factory=list)
    transfers: list[TransferRequest] = field(default_factory=list)


def claims_next_actions(
    *, user, claims: Iterable[Claim], held: set[int] | None = None
) -> dict[int, ClaimActions]:
    """The next actions of each active claim of ``claims`` that ``user`` holds, by claim pk.

    Claims the user does not hold, and ended claims, are left out: nothing to do there. A few
    queries however many claims: who holds them (unless the caller knows, ``held``: the pks of
    ``claims_held_by``), which gave aid, the transfers to answer, and each upper app's steps.
    """
    active = [claim for claim in claims if claim.status == ClaimStatus.ACTIVE]
    if held is None:
        held = claims_held_by(user, active)
    mine = [claim for claim in active if claim.pk in held]
    if not mine:
        return {}
    pks = [claim.pk for claim in mine]
    gave_aid = set(
        Claim.objects.filter(pk__in=pks, deliveries__status__in=DELIVERED).values_list("pk", flat=True)
    )
    to_answer: dict[int, list[TransferRequest]] = defaultdict(list)
    for transfer in transfers_to_answer(user=user).filter(claim_id__in=pks):
        to_answer[transfer.claim_id].append(transfer)
    steps: dict[int, list[NextStep]] = defaultdict(list)
    for offered in claim_next_steps.call(user=user, claims=mine):
        for pk, step in offered.items():
            steps[pk].append(step)
    actions = {}
    for claim in mine:
        verified = not claim.organization_id or claim.organization.status == OrganizationStatus.VERIFIED
        aid_given = claim.pk in gave_aid
        moves = CLAIM_TRANSITIONS[claim.status]
        actions[claim.pk] = ClaimActions(
            claim=claim,
            # A renewal is the move active → active; a claim that gave aid no longer expires.
            renew=ClaimStatus.ACTIVE in moves and verified and not aid_given,
            withdraw=ClaimStatus.WITHDRAWN in moves and not aid_given,
            aid_given=aid_given,
            unverified=not verified,
            steps=steps[claim.pk],
            transfers=to_answer[claim.pk],
        )
    return actions
