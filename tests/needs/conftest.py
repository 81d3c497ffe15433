from __future__ import annotations

import random

import pytest
from django.utils import timezone

from marketplace.needs.demo import synthetic_record
from tests.factories.needs import NeedFactory, SourceSystemFactory


@pytest.fixture
def source(db):
    """A civil-affairs source system scoped to Wuhan, with its key."""
    return SourceSystemFactory(name="武汉市民政救助系统", department="civil_affairs", region_code="420100")


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
        record = synthetic_record(
            rng, source_ref=source_ref, county_code=county_code, today=timezone.localdate()
        )
        record.update(overrides)
        return record

    return make


@pytest.fixture
def mixed(db):
    """A spread of needs over regions, types, urgencies, states, categories and amounts."""
    source = SourceSystemFactory(region_code="420000")
    layout = [
        # region, public region, type, urgency, status, categories, target, claimed
        ("420111", None, "medical", "critical", "published", ["dibao"], 1000, 0),
        ("420111", None, "medical", "normal", "partially_claimed", ["near_dibao"], 2000, 500),
        ("420111", "420100", "education", "urgent", "published", ["dibao"], 3000, 0),
        ("420102", None, "medical", "normal", "claimed", ["dibao"], 400, 400),
        ("420102", None, "housing", "urgent", "fulfilled", ["extreme_poverty"], 9000, 9000),
        ("420602", None, "medical", "critical", "published", ["dibao", "illness_poverty"], 6000, 0),
        ("420602", "420600", "basic_living", "normal", "closed", [], 700, 700),
        ("429004", None, "education", "normal", "published", ["dibao"], 1200, 200),
        ("422801", "422800", "medical", "urgent", "partially_claimed", ["relapse_monitoring"], 2500, 100),
        ("420111", None, "medical", "normal", "pending_review", ["dibao"], 1000, 0),  # not public
        ("420111", None, "medical", "normal", "withdrawn", ["dibao"], 1000, 0),  # not public
    ]
    for region, public, need_type, urgency, status, categories, target, claimed in layout:
        NeedFactory(
            source_system=source, region=region, public_region=public, need_type=need_type, urgency=urgency,
            status=status, categories=categories, target_amount=target, claimed_amount=claimed,
        )  # fmt: skip
