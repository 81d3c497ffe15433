"""The duplicate-aid check reads the household's claims only, even when the planner's figures are old.

Every claim runs the check (``chain.AID_TOTALS_SQL``). Written as a join of claims and needs,
PostgreSQL started from the claims and read every one of them when its statistics still said
the claims table was empty (autovacuum off, or not yet come round after a burst of claims): 4
ms a claim at 2,000 claims, growing with the table. The household's needs now drive the read,
and each need's claims are found by the need's key.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from marketplace.claims.models import HOLDING_CLAIM_STATUSES
from marketplace.delivery.services.chain import AID_TOTALS_SQL
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


def test_the_check_reads_the_households_claims_not_the_whole_table():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")  # what the planner believes: no claims yet
    for _ in range(300):  # then many claims of other households arrive
        ClaimFactory(amount="10.00")
    token = household_token()
    mine = [NeedFactory(household_token=token, need_type="medical") for _ in range(3)]
    for need in mine[1:]:
        ClaimFactory(need=need, amount="50.00")
    need = mine[0]
    holding = [status.value for status in HOLDING_CLAIM_STATUSES]
    household = [token, need.need_type, need.amount_kind, need.pk]
    since = timezone.now() - timedelta(days=90)
    params = [
        *holding, since, *household,
        token, need.need_type, need.amount_kind, timezone.localdate() - timedelta(days=90), need.pk,
        *household, *holding, since,
        need.pk, *holding, need.pk, *holding, None,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {AID_TOTALS_SQL}", params)
        (plan,) = cursor.fetchone()[0]  # psycopg reads the JSON
    assert claims_rows_read(plan["Plan"]) < 20
    with connection.cursor() as cursor:
        cursor.execute(AID_TOTALS_SQL, params)
        elsewhere, _records, _here, _counted = cursor.fetchone()
    assert elsewhere == 100
