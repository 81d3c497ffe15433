"""Medical intake records with costs chosen by the test, shared by the tests of issue 11 items
11-14 (the seed's medical rules): pushing them through the intake API and reading back the need."""

from __future__ import annotations

import pytest

from marketplace.needs.models import Need

HONGSHAN = "420111"


@pytest.fixture
def publish_at_once(settings):
    """k = 1: every need publishes at its county, so the page shows every figure."""
    settings.K_ANONYMITY_K = 1


def medical_record(
    make_record, ref: str, *, categories: list[str], medical: dict, requested: str, **overrides
) -> dict:
    record = make_record(
        ref,
        county_code=HONGSHAN,
        need_type="medical",
        department="medical_security",
        requested_amount=requested,
        medical=medical,
        **overrides,
    )
    record["household"]["categories"] = categories
    return record


def push(api, *records: dict) -> dict[str, dict]:
    response = api.push(list(records))
    assert response.status_code == 200, response.content
    return {row["source_ref"]: row for row in response.json()["results"]}


def pushed_need(api, record: dict) -> Need:
    row = push(api, record)[record["source_ref"]]
    assert row["status"] in ("created", "held"), row
    return Need.objects.get(code=row["need_code"])
