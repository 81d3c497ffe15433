"""The duplicate-aid check reads the household's claims only, even when the planner's figures are old.

Every claim runs the check (``chain.AID_TOTALS_SQL``). Written as a join of claims and needs,
PostgreSQL started from the claims and read every one of them when its statistics still said
the claims table was empty (autovacuum off, or not yet come round after a burst of claims): 4
ms a claim at 2,000 claims, growing with the table. The household's needs now drive the read,
and each need's claims are found by the need's key.
"""

from __future__ import annotations

import pytest
from django.db import connection

from core.db import fixed_query
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.delivery.services import chain
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory, household_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's planner"),
]


def claims_rows_read(plan: dict) -> int:
    """Rows the plan's nodes on claims_claim returned or filtered out, over every loop."""
    total = 0
    if plan.get("Relation Name") == "claims_claim":
        loops = plan.get("Actual Loops", 1)
        total += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
    for child in plan.get("Plans", []):
        total += claims_rows_read(child)
    return total


def many_claims_of_others(count: int) -> None:
    """``count`` withdrawn claims on another household's need, written at once (a burst)."""
    template = ClaimFactory(amount="10.00", status=ClaimStatus.WITHDRAWN)
    columns = ", ".join(field.column for field in Claim._meta.concrete_fields if not field.primary_key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO claims_claim ({columns}) SELECT {columns} FROM claims_claim, "  # noqa: S608 - names from the model
            "generate_series(2, %s) WHERE id = %s",
            [count, template.pk],
        )


def test_the_check_reads_the_households_claims_not_the_whole_table(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")  # what the planner believes: no claims yet
    many_claims_of_others(3000)
    token = household_token()
    mine = [NeedFactory(household_token=token, target_amount="80.00") for _ in range(3)]
    for need in mine[1:]:
        ClaimFactory(need=need, amount="50.00")
    plans = []

    def explained(sql, params=(), **kwargs):
        """The check's own statement and values, planned and run by PostgreSQL first."""
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", list(params))
            plans.append(cursor.fetchone()[0][0]["Plan"])  # psycopg reads the JSON
        return fixed_query(sql, params, **kwargs)

    monkeypatch.setattr(chain, "fixed_query", explained)
    alert = chain.check_duplicate_aid(need=mine[0])
    assert alert is not None  # 100 elsewhere for a need of 80: the household's other claims counted
    assert claims_rows_read(plans[0]) < 20
