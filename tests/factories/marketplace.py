"""Source systems and needs for tests, made through the services as production makes them."""

from __future__ import annotations

import itertools
import random
from datetime import date

from marketplace.needs.demo import synthetic_record
from marketplace.needs.models import SourceSystem
from marketplace.needs.services.intake import RecordResult, needs_intake
from marketplace.needs.services.sources import source_system_create

_numbers = itertools.count(1)


class SourceSystemFactory:
    """``SourceSystemFactory.create(...)`` → ``(system, key)`` through ``source_system_create``."""

    @staticmethod
    def create(
        *,
        name: str | None = None,
        department: str = "civil_affairs",
        region_code: str = "420100",
        webhook_url: str = "",
    ) -> tuple[SourceSystem, str]:
        return source_system_create(
            name=name or f"测试来源系统{next(_numbers)}",
            department=department,
            region_code=region_code,
            webhook_url=webhook_url,
        )


def push_synthetic(
    system: SourceSystem,
    refs: list[str] | str,
    *,
    county_code: str = "420111",
    need_type: str | None = None,
    seed: int = 0,
    today: date | None = None,
    **overrides,
) -> list[RecordResult]:
    """Push synthetic records (``marketplace.needs.demo.synthetic_record``) through intake.

    Each record is made from ``random.Random(seed + i)``; ``overrides`` replace top-level
    fields of every record (e.g. ``title=...``).
    """
    refs = [refs] if isinstance(refs, str) else refs
    today = today or date.today()
    records = []
    for index, ref in enumerate(refs):
        record = synthetic_record(
            random.Random(seed + index),
            source_ref=ref,
            county_code=county_code,
            today=today,
            need_type=need_type,
        )
        record.update(overrides)
        records.append(record)
    return needs_intake(source_system=system, records=records, today=today)
