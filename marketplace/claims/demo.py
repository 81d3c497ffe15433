"""Demo claims for `make run`: claims and transfer requests in every state, made through the services.

Run after ``seed_demo_needs``, ``seed_demo_users`` and ``seed_demo_organizations``: the verified
Wuhan charity (its members ``charity_admin`` and ``charity_member``), the verified volunteer team
(its member ``volunteer``) claim published demo needs in Hongshan district, where the demo
``caseworker`` works; ``volunteer``'s own volunteer profile claims hours of a service need.
When those organizations are missing (the organizations' demo was not loaded) nothing is made.

Each scenario is marked by the note of its first claim, so running the seed again changes
nothing; a claim ``completed`` by verified deliveries belongs to the delivery demo.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from marketplace.claims.models import Claim, TransferRequest
from marketplace.claims.services.claims import claim_withdraw, need_claim
from marketplace.claims.services.leases import claims_expire_leases
from marketplace.claims.services.transfers import (
    transfer_accept,
    transfer_decide,
    transfer_decline,
    transfer_request,
    transfers_escalate,
)
from marketplace.needs.choices import NeedType
from marketplace.needs.demo import DEMO_SOURCE_NAME
from marketplace.needs.models import AmountKind, Need, NeedStatus
from marketplace.organizations.demo import DEMO_ORGANIZATIONS
from marketplace.organizations.models import Organization, OrganizationStatus, Volunteer

DEMO_COUNTY = "420111"
NOTE_PREFIX = "演示："
ORGANIZATION_NAMES = {spec.key: spec.name for spec in DEMO_ORGANIZATIONS}


class _Cast:
    """The demo's organizations and people, found by name."""

    def __init__(self):
        names = [ORGANIZATION_NAMES.get("charity"), ORGANIZATION_NAMES.get("team")]
        found = {
            org.name: org
            for org in Organization.objects.filter(name__in=names, status=OrganizationStatus.VERIFIED)
        }
        self.charity = found.get(names[0])
        self.team = found.get(names[1])
        users = {user.username: user for user in User.objects.filter(is_active=True)}
        self.charity_admin = users.get("charity_admin")
        self.charity_member = users.get("charity_member") or self.charity_admin
        self.team_member = users.get("volunteer")
        self.caseworker = users.get("caseworker")
        self.volunteer = Volunteer.objects.filter(user=self.team_member).first() if self.team_member else None

    @property
    def complete(self) -> bool:
        return None not in (
            self.charity,
            self.team,
            self.charity_admin,
            self.charity_member,
            self.team_member,
        )


def _open_needs(*, service: bool):
    has_claims = Exists(Claim.objects.filter(need=OuterRef("pk")))
    needs = Need.objects.filter(source_system__name=DEMO_SOURCE_NAME, status=NeedStatus.PUBLISHED).exclude(
        has_claims
    )
    if service:
        # Few service needs are published (most wait for k similar ones): any county will do.
        return needs.filter(need_type__in=Volunteer.SERVICE_NEED_TYPES, amount_kind=AmountKind.HOURS)
    return needs.filter(region_id=DEMO_COUNTY, amount_kind=AmountKind.MONEY).exclude(
        need_type=NeedType.MEDICAL
    )


def _part(need: Need, share: str) -> Decimal:
    return (need.target_amount * Decimal(share)).quantize(Decimal("1"))


def seed_demo_claims() -> Counter[str]:
    """Create the demo claims and transfer requests once; return what each scenario did."""
    cast = _Cast()
    done: Counter[str] = Counter()
    if not cast.complete:
        done["skipped: demo organizations missing"] += 1
        return done
    for name, scenario in SCENARIOS:
        note = f"{NOTE_PREFIX}{name}"
        if Claim.objects.filter(note=note).exists():
            done[f"{name}: already there"] += 1
            continue
        need = _open_needs(service=name == "volunteer").order_by("source_ref").first()
        if need is None:
            done[f"{name}: no open demo need"] += 1
            continue
        with transaction.atomic():
            scenario(cast, need, note)
        done[name] += 1
    return done


def _claim(cast_user, organization, need, share: str, note: str) -> Claim:
    return need_claim(
        need=need, amount=_part(need, share), actor=cast_user, organization=organization, note=note
    )


def _partly_claimed(cast: _Cast, need: Need, note: str) -> None:
    _claim(cast.charity_member, cast.charity, need, "0.4", note)


def _shared_and_full(cast: _Cast, need: Need, note: str) -> None:
    first = _claim(cast.charity_member, cast.charity, need, "0.6", note)
    need_claim(
        need=need,
        amount=need.target_amount - first.amount,
        actor=cast.team_member,
        organization=cast.team,
        note="一起完成这户的帮扶",
    )


def _withdrawn(cast: _Cast, need: Need, note: str) -> None:
    claim = _claim(cast.charity_member, cast.charity, need, "0.5", note)
    # A request open when the claim is withdrawn is cancelled with it.
    transfer_request(claim=claim, organization=cast.team, actor=cast.team_member, reason="我们可以接手")
    claim_withdraw(claim=claim, actor=cast.charity_member, reason="本月物资已全部分配，无法按期送达")


def _expired(cast: _Cast, need: Need, note: str) -> None:
    claim = _claim(cast.team_member, cast.team, need, "0.3", note)
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(hours=1))
    claims_expire_leases()


def _volunteer(cast: _Cast, need: Need, note: str) -> None:
    if cast.volunteer is None:
        return
    need_claim(
        need=need, amount=_part(need, "0.5"), actor=cast.team_member, volunteer=cast.volunteer, note=note
    )


def _transferred(cast: _Cast, need: Need, note: str) -> None:
    claim = _claim(cast.team_member, cast.team, need, "0.5", note)
    transfer = transfer_request(
        claim=claim, organization=cast.charity, actor=cast.charity_admin, reason="慈善会在本社区有固定帮扶点"
    )
    transfer_accept(transfer=transfer, actor=cast.team_member)


def _transfer_pending(cast: _Cast, need: Need, note: str) -> None:
    claim = _claim(cast.charity_member, cast.charity, need, "0.5", note)
    transfer_request(
        claim=claim, organization=cast.team, actor=cast.team_member, reason="志愿服务队可以每周上门"
    )


def _transfer_declined(cast: _Cast, need: Need, note: str) -> None:
    claim = _claim(cast.team_member, cast.team, need, "0.4", note)
    transfer = transfer_request(
        claim=claim, organization=cast.charity, actor=cast.charity_admin, reason="慈善会可一次性完成"
    )
    transfer_decline(transfer=transfer, actor=cast.team_member, note="物资已经在采购中")


def _escalated(decide: bool | None) -> Callable[[_Cast, Need, str], None]:
    def scenario(cast: _Cast, need: Need, note: str) -> None:
        claim = _claim(cast.team_member, cast.team, need, "0.5", note)
        transfer = transfer_request(
            claim=claim, organization=cast.charity, actor=cast.charity_admin, reason="原认领方长期未联系社区"
        )
        TransferRequest.objects.filter(pk=transfer.pk).update(
            answer_due_at=timezone.now() - timedelta(hours=1)
        )
        transfers_escalate()
        if decide is None or cast.caseworker is None:
            return
        transfer.refresh_from_db()
        transfer_decide(
            transfer=transfer,
            actor=cast.caseworker,
            grant=decide,
            note="" if decide else "原认领方已说明情况，继续由其帮扶",
        )

    return scenario


SCENARIOS: list[tuple[str, Callable[[_Cast, Need, str], None]]] = [
    ("partly claimed", _partly_claimed),
    ("shared and fully claimed", _shared_and_full),
    ("withdrawn", _withdrawn),
    ("lease expired", _expired),
    ("volunteer", _volunteer),
    ("transferred", _transferred),
    ("transfer pending", _transfer_pending),
    ("transfer declined", _transfer_declined),
    ("transfer escalated", _escalated(None)),
    ("transfer granted", _escalated(True)),
    ("transfer refused", _escalated(False)),
]
