"""Allocation proposals and claim invitations (分配建议与认领邀请).

A caseworker asks for a proposal for a region: the open needs there (their gap less what open
invitations already promise), the open offers that reach it (their capacity less the same),
the eligible pairs (``scoring.offer_fits`` rules, on the need's county), solved by
``allocation.solve``. The caseworker chooses lines; each becomes an invitation to the offer's
organization. Accepting makes the claim through the claims service (``need_claim``: the need's
row lock, the check constraint, the lease), under the line's and the offer's row locks, so two
acceptances never give more than the offer holds nor claim more than the need's gap. Declining
frees the line: its capacity and gap count again in the next proposal.

What it cannot do: it covers what the offers can supply; urgent help stays the government's
duty (急难救助, decision 0003) and is never waited for on a proposal.

Lock order: line, then offer, then the need (inside ``need_claim``); the claims services lock
need then claim, and nothing locks a line or an offer after a need, so no cycle.
Errors: ``MatchingRefused`` (``not_staff``/``not_admin`` 403, ``not_invited``, ``offer_spent``,
``no_lines`` 409) and the claims service's ``ClaimRefused``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum, TextField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from accounts.permissions import is_need_caseworker, is_organization_admin, may_allocate_in
from accounts.selectors import caseworkers_for
from core.phrases import Phrase
from marketplace.claims.services.claims import lock_need, need_claim, organization_contacts
from marketplace.matching import allocation
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import (
    AMOUNT_KIND_OF,
    LINE_TRANSITIONS,
    PLACE_KINDS,
    AllocationLine,
    AllocationProposal,
    LineStatus,
    Offer,
    OfferStatus,
    VolunteerAvailability,
)
from marketplace.matching.scoring import LOW_INCOME, city_of
from marketplace.needs.choices import NeedType
from marketplace.needs.selectors import needs_open_for_matching
from marketplace.organizations.models import Volunteer
from regions.models import code_prefix

URGENCY_WEIGHT = {"critical": 3.0, "urgent": 2.0, "normal": 1.0}
WAITING_HORIZON_DAYS = 90


def need_weight(urgency: str, published_at, today: date) -> float:
    """The urgency weight: critical 3, urgent 2, normal 1, raised up to double by the days waited."""
    days = (today - timezone.localtime(published_at).date()).days if published_at else 0
    return URGENCY_WEIGHT.get(urgency, 1.0) * (
        1 + min(max(days, 0), WAITING_HORIZON_DAYS) / WAITING_HORIZON_DAYS
    )


def whole(amount: Decimal) -> int:
    return int(Decimal(amount).to_integral_value(rounding=ROUND_FLOOR))


# --- the data the solver sees -----------------------------------------------------------------


@dataclass
class Problem:
    offers: list[allocation.OfferCap]
    needs: list[allocation.NeedGap]
    pairs: list[tuple[int, int]]
    offer_rows: dict[int, Offer]
    remaining: dict[int, Decimal]  # what is open on each need, in its units
    volunteer_rows: dict[int, VolunteerAvailability] = field(default_factory=dict)  # by solver id


def volunteer_supply_id(volunteer_id: int) -> int:
    """The solver's id of a volunteer's hours: negative, so it never meets an offer's id."""
    return -volunteer_id


def _overlaps(prefixes, scope: str) -> bool:
    return any(prefix.startswith(scope) or scope.startswith(prefix) for prefix in prefixes)


def pending_units() -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """What open invitations promise: per need (in its units) and per offer (in the offer's)."""
    invited = AllocationLine.objects.filter(status=LineStatus.INVITED)
    per_need = dict(invited.values("need_id").annotate(total=Sum("amount")).values_list("need_id", "total"))
    per_offer = dict(
        invited.filter(offer__isnull=False)
        .values("offer_id")
        .annotate(total=Sum("offer_units"))
        .values_list("offer_id", "total")
    )
    return per_need, per_offer


def volunteer_hours_taken(*, since) -> dict[int, Decimal]:
    """Hours each volunteer already has from proposals: open invitations, and invitations
    accepted since ``since`` (the start of the period being planned)."""
    lines = AllocationLine.objects.filter(volunteer__isnull=False).filter(
        Q(status=LineStatus.INVITED) | Q(status=LineStatus.ACCEPTED, updated_at__gte=since)
    )
    return dict(
        lines.values("volunteer_id").annotate(total=Sum("offer_units")).values_list("volunteer_id", "total")
    )


class _Needs:
    """The region's open needs as arrays, most urgent first (then by id), grouped by need type,
    kind of help and city: an offer's eligible needs are a few groups and vectorized masks."""

    def __init__(self, rows, per_need: dict[int, Decimal], today: date) -> None:
        ids, gaps, weights, households, counties, cities, units, categories = [], [], [], [], [], [], [], []
        self.remaining: dict[int, Decimal] = {}
        keys = []
        for (
            pk,
            need_type,
            kind,
            unit,
            region,
            cats,
            urgency,
            published_on,
            target,
            claimed,
            household,
        ) in rows:
            remaining = target - claimed - per_need.get(pk, 0)
            gap = int(remaining)
            if gap <= 0:
                continue
            days = min(max((today - published_on).days, 0), WAITING_HORIZON_DAYS) if published_on else 0
            self.remaining[pk] = remaining
            ids.append(pk)
            gaps.append(gap)
            weights.append(URGENCY_WEIGHT.get(urgency, 1.0) * (1 + days / WAITING_HORIZON_DAYS))
            households.append(household)
            counties.append(int(region))
            city = city_of(region)
            cities.append(city)
            units.append(unit)
            categories.append(cats or "")
            keys.append((need_type, kind, city))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float64)
        order = np.lexsort((self.ids, -self.weights))  # most urgent first, then the oldest id
        self.order = order
        self.gaps, self.households, self.cities = gaps, households, cities
        self.counties = np.asarray(counties, dtype=np.int64)
        self.units = np.asarray(units, dtype=object)
        self.categories = categories
        self.category_masks: dict[str, np.ndarray] = {}
        rank = np.empty(len(ids), dtype=np.int64)
        rank[order] = np.arange(len(ids))
        self.rank = rank
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for index in order.tolist():
            groups[keys[index]].append(index)
        self.groups = {key: np.asarray(members, dtype=np.int64) for key, members in groups.items()}
        self.cities_by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        for need_type, kind, city in self.groups:
            self.cities_by_key[(need_type, kind)].append(city)

    def gap_list(self) -> list[allocation.NeedGap]:
        return [
            allocation.NeedGap(pk, gap, weight, household, city)
            for pk, gap, weight, household, city in zip(
                self.ids.tolist(), self.gaps, self.weights.tolist(), self.households, self.cities, strict=True
            )
        ]

    def named(self, code: str) -> np.ndarray:
        """Which needs publish category ``code`` (their categories as JSON text)."""
        if code not in self.category_masks:
            quoted = f'"{code}"'
            self.category_masks[code] = np.fromiter(
                (quoted in text for text in self.categories), dtype=bool, count=len(self.categories)
            )
        return self.category_masks[code]

    def eligible(
        self, *, need_types, kinds, prefixes, unit: str, categories, limit: int | None
    ) -> np.ndarray:
        """Indexes of the needs an offer may serve, most urgent first, at most ``limit``."""
        chosen = []
        for need_type in need_types:
            for kind in kinds:
                for city in self.cities_by_key.get((need_type, kind), ()):
                    if any(
                        city.startswith(p) or p.startswith(code_prefix(city)) or len(p) <= 2 for p in prefixes
                    ):
                        chosen.append(self.groups[(need_type, kind, city)])
        if not chosen:
            return np.empty(0, dtype=np.int64)
        members = np.concatenate(chosen)
        if len(chosen) > 1:
            members = members[np.argsort(self.rank[members], kind="stable")]
        counties = self.counties[members]
        mask = np.zeros(len(members), dtype=bool)
        for prefix in prefixes:
            digits = len(prefix)
            mask |= counties // 10 ** (6 - digits) == int(prefix) if digits < 6 else counties == int(prefix)
        if unit:
            mask &= self.units[members] == unit
        if categories:
            named = np.zeros(len(members), dtype=bool)
            for code in [*categories, LOW_INCOME]:
                named |= self.named(code)[members]
            mask &= named
        members = members[mask]
        return members if limit is None else members[:limit]


def build_problem(
    *, region_code: str, today: date | None = None, max_pairs_per_offer: int | None = None
) -> Problem:
    """The solver's input for the region ``region_code``: open needs, offers reaching them,
    eligible pairs. ``max_pairs_per_offer`` keeps only each offer's most urgent candidates
    (for a whole province: the benchmark says what it costs). The needs are read with one
    cursor of plain values; eligibility is a few numpy masks per offer."""
    today = today or timezone.localdate()
    scope = code_prefix(region_code)
    per_need, per_offer = pending_units()
    rows = (
        needs_open_for_matching()
        .filter(region__code__startswith=scope)
        .order_by()
        .values_list(
            "pk", "need_type", "amount_kind", "unit", "region_id", Cast("public_categories", TextField()),
            "urgency", TruncDate("published_at"), "target_amount", "claimed_amount", "household_token",
        )
    )  # fmt: skip
    needs = _Needs(rows.iterator(chunk_size=10000), per_need, today)
    ids = needs.ids.tolist()
    offers: list[allocation.OfferCap] = []
    offer_rows: dict[int, Offer] = {}
    pairs: list[tuple[int, int]] = []
    candidates = (
        Offer.objects.filter(status=OfferStatus.OPEN, available_from__lte=today, available_until__gte=today)
        .select_related("organization")
        .order_by("pk")
    )
    for offer in candidates:
        if not _overlaps(offer.region_prefixes, scope):
            continue
        places = offer.kind in PLACE_KINDS
        capacity = whole(offer.quantity - offer.allocated - per_offer.get(offer.pk, Decimal(0)))
        if capacity <= 0:
            continue
        offer_rows[offer.pk] = offer
        offers.append(
            allocation.OfferCap(
                offer.pk,
                capacity,
                None if offer.max_per_need is None else whole(offer.max_per_need),
                None if offer.max_per_household is None else whole(offer.max_per_household),
                places,
            )
        )
        members = needs.eligible(
            need_types=[NeedType.EMPLOYMENT.value] if places else offer.need_types,
            kinds=("money", "goods", "hours") if places else (AMOUNT_KIND_OF[offer.kind],),
            prefixes=[p for p in offer.region_prefixes if p.startswith(scope) or scope.startswith(p)],
            unit=offer.unit if offer.kind == "goods" else "",
            categories=offer.categories,
            limit=max_pairs_per_offer,
        )
        pairs.extend((offer.pk, ids[index]) for index in members.tolist())
    volunteer_rows = _volunteer_supply(needs, scope, offers, pairs, limit=max_pairs_per_offer)
    return Problem(offers, needs.gap_list(), pairs, offer_rows, needs.remaining, volunteer_rows)


def _volunteer_supply(needs: _Needs, scope: str, offers: list, pairs: list, *, limit) -> dict:
    """Volunteers' stated hours as supply for the service needs counted in hours: each
    volunteer's hours per week over ``MATCHING_VOLUNTEER_WEEKS`` weeks, less what proposals
    already gave them; their needs are those of the types and regions they stated."""
    weeks = settings.MATCHING_VOLUNTEER_WEEKS
    taken = volunteer_hours_taken(since=timezone.now() - timedelta(weeks=weeks))
    ids = needs.ids.tolist()
    rows = {}
    for row in VolunteerAvailability.objects.select_related("volunteer__user").order_by("volunteer_id"):
        if not row.volunteer.user.is_active or not _overlaps(row.region_prefixes, scope):
            continue
        capacity = whole(row.hours_per_week * weeks - taken.get(row.volunteer_id, Decimal(0)))
        types = [t for t in row.need_types if t in Volunteer.SERVICE_NEED_TYPES]
        if capacity <= 0 or not types:
            continue
        supply_id = volunteer_supply_id(row.volunteer_id)
        rows[supply_id] = row
        offers.append(allocation.OfferCap(supply_id, capacity))
        members = needs.eligible(
            need_types=types,
            kinds=("hours",),
            prefixes=[p for p in row.region_prefixes if p.startswith(scope) or scope.startswith(p)],
            unit="",
            categories=[],
            limit=limit,
        )
        pairs.extend((supply_id, ids[index]) for index in members.tolist())
    return rows


# --- proposals ---------------------------------------------------------------------------------


def allocation_propose(*, region, actor, max_pairs_per_offer: int | None = None) -> AllocationProposal:
    """Solve for ``region`` and keep the lines; the region's earlier unchosen lines lapse.

    Raises ``MatchingRefused("not_staff")`` unless ``actor`` is a caseworker of the region.
    """
    if not may_allocate_in(actor, region.code):
        raise MatchingRefused("not_staff")
    problem = build_problem(region_code=region.code, max_pairs_per_offer=max_pairs_per_offer)
    baseline = allocation.greedy(problem.offers, problem.needs, problem.pairs)
    solved = allocation.solve_by_city(
        problem.offers,
        problem.needs,
        problem.pairs,
        time_limit=settings.MATCHING_ALLOCATION_SECONDS,
        baseline=baseline,
    )
    weights = {need.id: need.weight for need in problem.needs}
    with transaction.atomic():
        AllocationLine.objects.filter(
            status=LineStatus.PROPOSED, need__region__code__startswith=code_prefix(region.code)
        ).update(status=LineStatus.LAPSED)
        proposal = AllocationProposal.objects.create(
            region=region,
            created_by=actor,
            objective=solved.objective,
            greedy_objective=baseline.objective,
            solver=f"{solved.solver} · {solved.status}"[:60],
            seconds=solved.seconds,
        )
        lines = []
        for (offer_id, need_id), units in sorted(solved.amounts.items()):
            offer, remaining = problem.offer_rows.get(offer_id), problem.remaining[need_id]
            volunteer = problem.volunteer_rows.get(offer_id)
            amount = remaining if offer is not None and offer.kind in PLACE_KINDS else Decimal(units)
            lines.append(
                AllocationLine(
                    proposal=proposal,
                    offer=offer,
                    volunteer_id=volunteer.volunteer_id if volunteer is not None else None,
                    need_id=need_id,
                    amount=min(amount, remaining),
                    offer_units=Decimal(units),
                    weight=weights[need_id],
                )
            )
        AllocationLine.objects.bulk_create(lines)
    return proposal


def line_set_status(*, line: AllocationLine, to_status: str, actor, note: str = "") -> AllocationLine:
    """Move a locked line along ``LINE_TRANSITIONS``; raises ``MatchingRefused("not_invited")``."""
    if to_status not in LINE_TRANSITIONS[line.status]:
        raise MatchingRefused("not_invited")
    line.status = to_status
    if note:
        line.note = note[:300]
    if to_status in (LineStatus.ACCEPTED, LineStatus.DECLINED):
        line.answered_by = actor
    if to_status == LineStatus.INVITED:
        line.invited_by = actor
    line.save(update_fields=["status", "note", "answered_by", "invited_by", "claim", "updated_at"])
    return line


ORGANIZATION_INVITATION = gettext_noop(
    "Caseworkers invite your organization to claim needs that fit its offers. Accept or "
    "decline each in My offers."
)
VOLUNTEER_INVITATION = gettext_noop(
    "Caseworkers invite you to give your hours as a volunteer to needs that fit your availability. "
    "Accept or decline each in My offers."
)


def allocation_invite(*, proposal: AllocationProposal, line_ids, actor) -> int:
    """Turn the chosen proposed lines into invitations and tell each organization; return how many."""
    if not may_allocate_in(actor, proposal.region_id):
        raise MatchingRefused("not_staff")
    ids = [int(pk) for pk in line_ids]
    if not ids:
        raise MatchingRefused("no_lines")
    invited = 0
    with transaction.atomic():
        lines = (
            AllocationLine.objects.select_for_update(of=("self",))
            .select_related("offer__organization", "volunteer__user", "need")
            .filter(proposal=proposal, pk__in=ids, status=LineStatus.PROPOSED)
            .order_by("pk")
        )
        by_giver = defaultdict(list)
        for line in lines:
            if not is_need_caseworker(actor, line.need):
                continue
            giver = {"volunteer": line.volunteer} if line.volunteer_id else {"offer": line.offer}
            if AllocationLine.objects.filter(**giver, need=line.need, status=LineStatus.INVITED).exists():
                line_set_status(line=line, to_status=LineStatus.LAPSED, actor=actor)
                continue
            line_set_status(line=line, to_status=LineStatus.INVITED, actor=actor)
            by_giver[line.volunteer or line.offer.organization].append(line)
            invited += 1
        for giver, chosen in by_giver.items():
            if isinstance(giver, Volunteer):
                users, body = [giver.user], VOLUNTEER_INVITATION
            else:
                users, body = organization_contacts(giver), ORGANIZATION_INVITATION
            notify(
                users=users,
                subject=Phrase(gettext_noop("%(n)s claim invitations from the caseworkers"), n=len(chosen)),
                body=Phrase(body),
                url=invitations_url(),
            )
    return invited


def invitations_url() -> str:
    from django.urls import reverse

    return reverse("matching:mine") + "#invitations"


def invitation_accept(*, line: AllocationLine, actor) -> AllocationLine:
    """The organization accepts an invitation: its claim is made through ``need_claim``.

    The claim is the line's amount, or what is still open on the need if less. Raises
    ``MatchingRefused`` (``not_admin`` 403, ``not_invited``, ``offer_spent``) and the claims
    service's ``ClaimRefused`` (``not_open``, ``already_claimed``, ``over_remaining``…); nothing
    is written then.
    """
    with transaction.atomic():
        locked = AllocationLine.objects.select_for_update().get(pk=line.pk)
        if locked.volunteer_id is not None:
            return _volunteer_accept(locked, actor)
        offer = Offer.objects.select_for_update().select_related("organization").get(pk=locked.offer_id)
        if not is_organization_admin(actor, offer.organization):
            raise MatchingRefused("not_admin")
        if locked.status != LineStatus.INVITED:
            raise MatchingRefused("not_invited")
        if offer.quantity - offer.allocated < locked.offer_units:
            raise MatchingRefused("offer_spent")
        need = lock_need(locked.need_id)
        amount = min(locked.amount, need.target_amount - need.claimed_amount)
        places = offer.kind in PLACE_KINDS
        claim = need_claim(
            need=need,
            amount=amount if amount > 0 else locked.amount,
            actor=actor,
            organization=offer.organization,
            note=_("Invited from an allocation proposal (offer: %(offer)s).") % {"offer": offer.title},
        )
        offer.allocated += locked.offer_units if places else claim.amount
        offer.save(update_fields=["allocated"])
        locked.claim = claim
        line_set_status(line=locked, to_status=LineStatus.ACCEPTED, actor=actor)
    return locked


def _volunteer_accept(locked: AllocationLine, actor) -> AllocationLine:
    """A volunteer accepts their invitation (the line is locked): their own claim of the hours."""
    volunteer = Volunteer.objects.get(pk=locked.volunteer_id)
    if volunteer.user_id != actor.pk:
        raise MatchingRefused("not_admin")
    if locked.status != LineStatus.INVITED:
        raise MatchingRefused("not_invited")
    need = lock_need(locked.need_id)
    amount = min(locked.amount, need.target_amount - need.claimed_amount)
    claim = need_claim(
        need=need,
        amount=amount if amount > 0 else locked.amount,
        actor=actor,
        volunteer=volunteer,
        note=_("Invited from an allocation proposal (volunteer hours)."),
    )
    locked.claim = claim
    return line_set_status(line=locked, to_status=LineStatus.ACCEPTED, actor=actor)


def _may_answer(actor, line: AllocationLine) -> bool:
    if line.volunteer_id is not None:
        return line.volunteer.user_id == actor.pk
    return is_organization_admin(actor, line.offer.organization)


def invitation_decline(*, line: AllocationLine, actor, reason: str = "") -> AllocationLine:
    """The organization declines: the line is freed for the next proposal; caseworkers are told."""
    with transaction.atomic():
        locked = (
            AllocationLine.objects.select_for_update(of=("self",))
            .select_related("need", "offer__organization", "volunteer")
            .get(pk=line.pk)
        )
        if not _may_answer(actor, locked):
            raise MatchingRefused("not_admin")
        line_set_status(line=locked, to_status=LineStatus.DECLINED, actor=actor, note=reason)
        notify(
            users=caseworkers_for(locked.need.region_id),
            subject=Phrase(
                gettext_noop("%(organization)s declined the invitation for need %(code)s"),
                organization=locked.volunteer.masked_name
                if locked.volunteer_id
                else locked.offer.organization.name,
                code=locked.need.code,
            ),
            body=reason or Phrase(gettext_noop("The need counts again in the next allocation proposal.")),
        )
    return locked


def proposal_lines(*, proposal: AllocationProposal):
    return proposal.lines.select_related(
        "offer__organization", "volunteer", "need", "need__public_region"
    ).order_by("-weight", "pk")
