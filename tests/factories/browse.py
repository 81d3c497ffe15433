"""Public needs written straight through the ORM, for the needs browser's tests.

Intake would generalize and hold them (k-anonymity); the browser's tests need exact regions,
statuses, amounts and dates, and many rows fast, so these skip intake. Nothing here identifies
anyone: tokens and digests are made-up hex.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.needs.models import Need, NeedStatus, SourceSystem
from tests.factories.marketplace import SourceSystemFactory

_numbers = itertools.count(1)


def browse_source() -> SourceSystem:
    system, _key = SourceSystemFactory.create(region_code="420000")
    return system


def make_need(
    source: SourceSystem,
    *,
    region: str = "420111",
    public_region: str | None = None,
    need_type: str = "medical",
    categories: list[str] | tuple[str, ...] = ("dibao",),
    urgency: str = "normal",
    status: str = NeedStatus.PUBLISHED,
    target: Decimal | str | int = "1000",
    claimed: Decimal | str | int = "0",
    needed_by: date | None = None,
    published_at: datetime | None = None,
    title: str | None = None,
    **extra,
) -> Need:
    """One need; ``public_region`` defaults to ``region`` (published at county level)."""
    number = next(_numbers)
    published_at = published_at or timezone.now() - timedelta(minutes=number)
    target, claimed = Decimal(str(target)), Decimal(str(claimed))
    return Need.objects.create(
        code=f"TB{number:010d}",
        source_system=source,
        source_ref=f"browse-{number}",
        record_digest=f"{number:064x}",
        household_token=f"{number:064x}",
        region_id=region,
        public_region_id=public_region or region,
        generalization_level=0 if (public_region or region) == region else 1,
        need_type=need_type,
        categories=list(categories),
        department="civil_affairs",
        urgency=urgency,
        needed_by=needed_by or date.today() + timedelta(days=30),
        title=title or f"测试需求 {number}",
        amount_kind="money",
        requested_amount=target,
        target_amount=target,
        claimed_amount=claimed,
        status=status,
        published_at=None if status == NeedStatus.PENDING_REVIEW else published_at,
        **extra,
    )
