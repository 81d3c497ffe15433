"""The demo's medical needs show the policy engine's outpatient and premium rules (issue 11 items
11 and 12): some carry 门诊慢特病 self-pay, the year's 城乡居民医保 premium and aid already paid
this year, and go through intake like any record."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from marketplace.needs.demo import DEMO_PREMIUM, synthetic_record, with_outpatient_and_premium
from marketplace.needs.models import Need
from marketplace.needs.services.intake import needs_intake
from tests.factories.needs import SourceSystemFactory

pytestmark = pytest.mark.django_db


def demo_medical_records(count: int) -> list[dict]:
    rng = random.Random(2024_21)
    today = timezone.localdate()
    return [
        with_outpatient_and_premium(
            synthetic_record(
                rng, source_ref=f"DEMO-{number:04d}", county_code="420111", today=today, need_type="medical"
            ),
            number,
        )
        for number in range(count)
    ]


def test_some_demo_medical_needs_have_outpatient_premium_and_earlier_aid():
    records = demo_medical_records(30)
    medical = [record["medical"] for record in records]

    assert sum("outpatient_chronic_self_pay" in costs for costs in medical) == 9  # 3, 6, … 27
    assert sum("insurance_premium" in costs for costs in medical) == 9  # 0 and 25 (alone), 4, 8, … 28
    assert sum("already_assisted_this_year" in costs for costs in medical) == 2  # 10, 20
    # Every 25th asks only for the premium: no inpatient costs at all.
    assert records[0]["medical"] == {"insurance_premium": "400"}
    assert records[0]["requested_amount"] == str(DEMO_PREMIUM)
    # The amount asked for is every cost the need brings.
    twelve = records[12]["medical"]
    costs = sum(Decimal(twelve[key]) for key in twelve if key != "already_assisted_this_year")
    assert Decimal(records[12]["requested_amount"]) == costs


def test_other_demo_records_are_left_as_they_were():
    rng = random.Random(1)
    today = timezone.localdate()
    record = synthetic_record(rng, source_ref="X", county_code="420111", today=today, need_type="education")
    assert with_outpatient_and_premium(dict(record), 3) == record


def test_the_demo_medical_needs_reach_the_policy_engine():
    records = demo_medical_records(13)
    with override_settings(K_ANONYMITY_K=1):
        results = needs_intake(source_system=SourceSystemFactory(region_code="420000"), records=records)
    assert {result.status for result in results} <= {"created", "held"}, [r.errors for r in results]

    policies = {need.source_ref: need.policy for need in Need.objects.all()}
    outpatient = policies["DEMO-0003"]
    assert Decimal(outpatient["costs"]["outpatient_chronic_self_pay"]) > 0
    assert "门诊慢特病" in outpatient["explanation"] or "慢性病" in outpatient["explanation"]
    premium_only = policies["DEMO-0000"]
    assert Decimal(premium_only["costs"]["insurance_premium"]) == DEMO_PREMIUM
    assert "参保" in premium_only["explanation"] or "个人缴费" in premium_only["explanation"]
    assert Decimal(policies["DEMO-0010"]["costs"]["already_assisted_this_year"]) > 0
