from __future__ import annotations

import random
from datetime import date

import pytest

from marketplace.needs.demo import synthetic_record
from marketplace.needs.services.sources import source_system_create


@pytest.fixture
def source(db):
    """A civil-affairs source system scoped to Wuhan, with its key."""
    system, key = source_system_create(
        name="武汉市民政救助系统", department="civil_affairs", region_code="420100"
    )
    system.api_key = key
    return system


@pytest.fixture
def api(client, source):
    """POST/DELETE to the intake API with the source system's key."""

    class Api:
        def push(self, records, **extra):
            return client.post(
                "/api/v1/intake/needs/",
                {"records": records},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Api-Key {source.api_key}",
                **extra,
            )

        def withdraw(self, source_ref):
            return client.delete(
                f"/api/v1/intake/needs/{source_ref}/", HTTP_AUTHORIZATION=f"Api-Key {source.api_key}"
            )

    return Api()


@pytest.fixture
def make_record():
    rng = random.Random(20261129)

    def make(source_ref: str = "R-1", county_code: str = "420111", **overrides) -> dict:
        record = synthetic_record(rng, source_ref=source_ref, county_code=county_code, today=date.today())
        record.update(overrides)
        return record

    return make
