"""A small constructed world for the report tests, with every figure computed by hand.

Scope Wuhan (420100), period 2026-Q3. In it, four needs published in the quarter in Hongshan
(420111), and, outside it, one in Yichang and one published in June. The figures each test
expects are written beside the facts that make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from marketplace.claims.models import Claim, ClaimStatus
from marketplace.delivery.models import Delivery, DuplicateAidAlert
from marketplace.needs.models import FeedbackEvent, Need, NeedTransition
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory


def at(text: str) -> datetime:
    """An aware Asia/Shanghai moment from ``2026-07-10 10:00``."""
    return timezone.make_aware(datetime.fromisoformat(text))


@dataclass
class KpiWorld:
    needs: dict[str, Need]
    org: object


def _claim(need: Need, org, when: str, *, status=ClaimStatus.ACTIVE, amount=None) -> Claim:
    claim = ClaimFactory(need=need, organization=org, status=status, **({"amount": amount} if amount else {}))
    Claim.objects.filter(pk=claim.pk).update(created_at=at(when))
    return claim


def _delivery(
    claim: Claim, amount: str, delivered_on: str, created: str, *, status: str, reporter
) -> Delivery:
    delivery = Delivery.objects.create(
        claim=claim,
        amount=Decimal(amount),
        delivered_on=date.fromisoformat(delivered_on),
        description="已送达",
        status=status,
        reported_by=reporter,
    )
    Delivery.objects.filter(pk=delivery.pk).update(created_at=at(created))
    return delivery


def build_kpi_world() -> KpiWorld:
    org = OrganizationFactory(verified=True, need_types=[])
    n1 = NeedFactory(
        region="420111", need_type="medical", categories=["dibao"], department="civil_affairs",
        urgency="urgent", published_at=at("2026-07-10 10:00"), needed_by=date(2026, 8, 1),
        statutory_coverage=Decimal("500.00"),
    )  # fmt: skip
    n2 = NeedFactory(
        region="420111", need_type="education", categories=["dibao", "near_dibao"], department="education",
        published_at=at("2026-08-01 09:00"), needed_by=date(2026, 8, 20),
    )  # fmt: skip
    n3 = NeedFactory(
        region="420111", need_type="care_service", categories=["extreme_poverty"], department="civil_affairs",
        urgency="critical", amount_kind="hours", target_amount="20", published_at=at("2026-09-01 00:00"),
        needed_by=date(2027, 1, 1),
    )  # fmt: skip
    n4 = NeedFactory(
        region="420111", need_type="medical", categories=["dibao"], department="health",
        published_at=at("2026-09-20 08:00"), statutory_coverage=Decimal("300.00"),
    )  # fmt: skip
    outside = NeedFactory(region="420506", published_at=at("2026-07-15 08:00"))
    NeedFactory(region="420111", published_at=at("2026-06-30 23:00"))  # June: before the quarter
    expired = NeedFactory(
        region="420102", published_at=at("2026-05-02 08:00"), target_amount="800",
        verified_amount=Decimal("200"), status="expired",
    )  # fmt: skip

    c1 = _claim(n1, org, "2026-07-11 10:00", status=ClaimStatus.COMPLETED)  # 1 day after publication
    c2 = _claim(n2, org, "2026-08-05 09:00")  # 4 days
    c3 = _claim(n3, org, "2026-09-05 00:00", amount="10")  # 4 days = 96 hours: urgent but late
    _claim(outside, org, "2026-07-16 08:00")
    Need.objects.filter(pk=n1.pk).update(status="fulfilled")

    reporter = UserFactory()
    _delivery(c1, "1000", "2026-07-20", "2026-07-20 12:00", status="verified", reporter=reporter)
    _delivery(c2, "500", "2026-08-25", "2026-08-25 12:00", status="reported", reporter=reporter)
    _delivery(c2, "200", "2026-08-11", "2026-08-11 12:00", status="disputed", reporter=reporter)
    _delivery(c3, "10", "2026-09-10", "2026-09-10 12:00", status="verified", reporter=reporter)

    transition = NeedTransition.objects.create(need=expired, from_status="published", to_status="expired")
    NeedTransition.objects.filter(pk=transition.pk).update(created_at=at("2026-08-15 00:10"))
    rejected = NeedFactory(region="420111", pending_review=True, department="health")
    decision = NeedTransition.objects.create(
        need=rejected, from_status="pending_review", to_status="rejected", actor=reporter
    )
    NeedTransition.objects.filter(pk=decision.pk).update(created_at=at("2026-08-03 10:00"))

    alert = DuplicateAidAlert.objects.create(
        household_token="dev:x", need=n1, need_type="medical", window_days=90
    )
    DuplicateAidAlert.objects.filter(pk=alert.pk).update(created_at=at("2026-07-12 08:00"))

    for created, delivered in (
        ("2026-07-11 10:00", "2026-07-11 12:00"),  # 2 hours
        ("2026-07-20 00:00", "2026-07-20 06:00"),  # 6 hours
        ("2026-07-21 00:00", None),  # never acknowledged
    ):
        event = FeedbackEvent.objects.create(
            source_system=n1.source_system, need=n1, kind="claim", payload={}
        )
        FeedbackEvent.objects.filter(pk=event.pk).update(
            created_at=at(created), delivered_at=at(delivered) if delivered else None
        )
    return KpiWorld(needs={"n1": n1, "n2": n2, "n3": n3, "n4": n4}, org=org)
