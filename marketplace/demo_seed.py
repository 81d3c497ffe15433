"""Demo needs for `make run`: synthetic records pushed through the real intake service."""

from __future__ import annotations

import random
from collections import Counter

from django.utils import timezone

from marketplace.demo import NEED_TEXTS, synthetic_record
from marketplace.models import SourceSystem
from marketplace.services.intake import needs_intake
from marketplace.services.sources import source_system_create
from regions.models import Region

DEMO_SOURCE_NAME = "演示数据·省低收入人口动态监测平台"
DEMO_NEEDS = 600
BATCH = 500
# Demo needs gather in a few counties so that k-anonymous classes fill up, as they would with
# real volumes; the rest are spread thinly over the province and wait or publish at city level.
BUSY_COUNTIES = ["420111", "420106", "420115", "420502", "420602", "421002", "422801", "429004"]
# Service needs (hours of care) are few among the rest and their classes stay thin; a handful of
# urgent ones in one city may publish at city level, so volunteers have something to claim.
SERVICE_COHORT = [("420111", "care_service"), ("420106", "care_service"), ("420115", "care_service")] * 2


def seed_demo_needs() -> Counter[str]:
    """Push the demo records (idempotent within a day; later days refresh their deadlines)."""
    system = SourceSystem.objects.filter(name=DEMO_SOURCE_NAME).first()
    if system is None:
        system, _key = source_system_create(
            name=DEMO_SOURCE_NAME, department="civil_affairs", region_code="420000"
        )
    today = timezone.localdate()
    rng = random.Random(2024_21)  # noqa: S311 - reproducible demo data, nothing secret
    counties = list(Region.objects.county_level().values_list("code", flat=True))
    need_types = list(NEED_TEXTS)
    records = []
    for number in range(DEMO_NEEDS):
        county = rng.choice(BUSY_COUNTIES) if rng.random() < 0.9 else rng.choice(counties)
        need_type = rng.choice(need_types[:4]) if rng.random() < 0.85 else rng.choice(need_types)
        record = synthetic_record(
            rng, source_ref=f"DEMO-{number:04d}", county_code=county, today=today, need_type=need_type
        )
        record["version"] = today.toordinal()
        records.append(record)
    for number, (county, need_type) in enumerate(SERVICE_COHORT):
        record = synthetic_record(
            rng, source_ref=f"DEMO-S{number:02d}", county_code=county, today=today, need_type=need_type
        )
        record.update(version=today.toordinal(), urgency="urgent")
        records.append(record)
    outcomes: Counter[str] = Counter()
    for start in range(0, len(records), BATCH):
        results = needs_intake(source_system=system, records=records[start : start + BATCH], today=today)
        outcomes.update(result.status for result in results)
    return outcomes
