"""Concurrent claims on PostgreSQL with real transactions: never more than the target.

Fifty organizations claim one need at the same moment (a barrier releases them together), each
through the real API in its own thread and database connection, with amounts adding up to three
times the gap. The committed sum of active claims never exceeds the target, the need's stored
sum matches it, every winner gets 201 and every loser a 409 ``conflict`` — never a 500.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from marketplace.claims.models import Claim, ClaimStatus
from marketplace.needs.models import Need, NeedStatus
from marketplace.organizations.models import MembershipRole
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 50
GAP = Decimal("1000.00")


def claim_together(need: Need, claimants: list, amounts: list[Decimal]) -> list[tuple[int, dict]]:
    """POST one claim per (user, organization) at once; return each (status, body)."""
    barrier = threading.Barrier(len(claimants))
    results: list[tuple[int, dict] | None] = [None] * len(claimants)
    failures: list[BaseException] = []

    def claim(index: int) -> None:
        user, organization = claimants[index]
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait(timeout=60)
            response = client.post(
                f"/api/v1/needs/{need.code}/claims/",
                {"amount": str(amounts[index]), "organization": organization.pk},
                content_type="application/json",
                HTTP_ACCEPT_LANGUAGE="en",
            )
            results[index] = (response.status_code, response.json())
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            failures.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(index,)) for index in range(len(claimants))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not failures, failures
    assert all(result is not None for result in results)
    return results


def committed(need: Need) -> tuple[Decimal, Decimal]:
    need.refresh_from_db()
    active = Claim.objects.filter(need=need, status=ClaimStatus.ACTIVE).aggregate(total=Sum("amount"))[
        "total"
    ]
    return Decimal(active or 0), need.claimed_amount


def claimants(count: int) -> list:
    organizations = [
        OrganizationFactory(verified=True, need_types=[], name=f"并发测试慈善会{index:02d}")
        for index in range(count)
    ]
    return [
        (MembershipFactory(organization=organization, role=MembershipRole.MEMBER).user, organization)
        for organization in organizations
    ]


def test_fifty_organizations_claiming_three_times_the_gap_never_over_allocate():
    need = IntakeNeedFactory(source_system=SourceSystemFactory(region_code="420000"), target=str(GAP))
    amounts = [Decimal("60.00")] * THREADS
    assert sum(amounts) == 3 * GAP

    results = claim_together(need, claimants(THREADS), amounts)

    statuses = Counter(status for status, _body in results)
    assert set(statuses) <= {201, 409}, statuses  # nothing escaped as a 500
    assert statuses[201] == 16  # 16 × 60 = 960; the 40 left is less than any request
    for status, body in results:
        if status == 409:
            assert body["code"] == "conflict"
            assert body["reason"] in {"over_remaining", "not_open"}
    active, stored = committed(need)
    assert active == stored == Decimal("960.00") <= need.target_amount
    assert need.status == NeedStatus.PARTIALLY_CLAIMED


def test_mixed_amounts_fill_the_need_exactly_and_never_beyond():
    need = IntakeNeedFactory(source_system=SourceSystemFactory(region_code="420000"), target=str(GAP))
    rng = random.Random(20261129)
    cents = [rng.randint(1, 100) for _ in range(THREADS)]
    scale = Decimal(3 * GAP * 100) / sum(cents)
    amounts = [(Decimal(c) * scale / 100).quantize(Decimal("0.01")) for c in cents]
    amounts[-1] += 3 * GAP - sum(amounts)  # exactly three times the gap
    assert sum(amounts) == 3 * GAP and min(amounts) > 0

    results = claim_together(need, claimants(THREADS), amounts)

    assert {status for status, _body in results} <= {201, 409}
    won = sum(
        (amount for (status, _body), amount in zip(results, amounts, strict=True) if status == 201),
        Decimal(0),
    )
    active, stored = committed(need)
    assert active == stored == won <= need.target_amount
    assert all(body["code"] == "conflict" for status, body in results if status == 409)
    expected = NeedStatus.CLAIMED if stored == need.target_amount else NeedStatus.PARTIALLY_CLAIMED
    assert need.status == expected


def test_one_organization_claiming_twice_at_once_holds_one_active_claim():
    need = IntakeNeedFactory(source_system=SourceSystemFactory(region_code="420000"), target=str(GAP))
    organization = OrganizationFactory(verified=True, need_types=[], name="同一家慈善会")
    pairs = [
        (MembershipFactory(organization=organization, role=MembershipRole.MEMBER).user, organization)
        for _ in range(2)
    ]

    results = claim_together(need, pairs, [Decimal("100.00"), Decimal("100.00")])

    assert sorted(status for status, _body in results) == [201, 409]
    [loser] = [body for status, body in results if status == 409]
    assert (loser["code"], loser["reason"]) == ("conflict", "already_claimed")
    assert Claim.objects.filter(need=need, organization=organization, status=ClaimStatus.ACTIVE).count() == 1
    active, stored = committed(need)
    assert active == stored == Decimal("100.00")
