"""Issue 11 item 12: premium subsidies (参保资助).

Seed 鄂民政发〔2024〕21号 四(二)1: "对特困人员参加城乡居民基本医疗保险给予全额资助；对最低生活保障对象参加
城乡居民基本医疗保险按不低于个人缴费标准 90%给予定额资助". The seed names no premium subsidy for the
other categories. 400 元 is the individual premium of 城乡居民医保 for 2024.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketplace.needs.policy import MedicalCosts, RegionalOverride, assess_medical
from marketplace.needs.spreadsheet import column_for
from tests.needs.medical_records import medical_record, pushed_need

D = Decimal
ON = date(2025, 6, 1)
PREMIUM = MedicalCosts(in_scope_self_pay=D("0"), out_of_scope=D("0"), insurance_premium=D("400"))


def assess(categories, costs=PREMIUM, **kwargs):
    return assess_medical(categories=categories, costs=costs, region_code="420111", on=ON, **kwargs)


def test_extreme_poverty_gets_the_whole_premium_paid():
    """四(二)1: 特困人员 全额资助 — nothing of a 400 premium is left for charity."""
    result = assess(["extreme_poverty"])

    assert result.premium_ratio == D("1.00")
    assert result.premium_subsidy == result.statutory_coverage == D("400.00")
    assert result.charity_gap == D("0.00")
    assert "城乡居民基本医疗保险个人缴费资助比例为100%" in result.explanation()


def test_dibao_gets_at_least_ninety_percent_of_the_premium():
    """四(二)1: 低保对象 不低于个人缴费标准 90% — 360 of 400, 40 left for charity."""
    result = assess(["dibao", "near_dibao"])

    assert result.premium_ratio == D("0.90")
    assert result.premium_subsidy == D("360.00")
    assert result.charity_gap == D("40.00")
    assert "城乡居民基本医疗保险个人缴费资助比例不低于90%" in result.explanation()


@pytest.mark.parametrize(
    "category", ["relapse_monitoring", "near_dibao", "rigid_expenditure", "illness_poverty", "other"]
)
def test_the_seed_names_no_premium_subsidy_for_the_other_categories(category):
    result = assess([category])

    assert result.premium_subsidy == D("0.00")
    assert result.charity_gap == D("400.00")
    assert "文件未对其类别规定参保资助" in result.explanation()


def test_the_annual_cap_limits_medical_costs_not_the_premium():
    """A used-up cap leaves no assistance with the costs, but 特困's premium is still paid."""
    capped = RegionalOverride(
        id="420100-cap", label="武汉市", region_code="420100", effective_from=ON, annual_cap=D("1000")
    )
    costs = MedicalCosts(
        in_scope_self_pay=D("5000"),
        out_of_scope=D("0"),
        already_assisted_this_year=D("1000"),
        insurance_premium=D("400"),
    )
    result = assess(["extreme_poverty"], costs, overrides=[capped])

    assert result.cap_applied and result.cap_reduction == D("5000.00")
    assert result.statutory_coverage == D("400.00")
    assert result.charity_gap == D("5000.00")


def test_a_premium_need_from_intake_asks_charity_only_for_what_the_subsidy_leaves(api, make_record, settings):
    """Before: a 低保 household's 400 premium was a 400 charity gap; now 40 (四(二)1, 90 %)."""
    settings.K_ANONYMITY_K = 1
    record = medical_record(
        make_record, "PREM-1", categories=["dibao"], requested="400.00", medical={"insurance_premium": "400"}
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("360.00")
    assert need.target_amount == D("40.00")
    assert need.policy["costs"]["insurance_premium"] == "400.00"


@pytest.mark.parametrize(
    ("premium", "message"), [("-1", "不能为负数"), ("400.001", "两位小数"), ("四百", "0-9")]
)
def test_the_premium_is_validated_and_its_spreadsheet_column_named(api, make_record, premium, message):
    record = medical_record(
        make_record, "BAD-P", categories=["dibao"], requested="400.00", medical={"insurance_premium": premium}
    )
    response = api.push([record])
    row = response.json()["results"][0]

    assert row["status"] == "rejected"
    assert list(row["errors"]) == ["medical.insurance_premium"]
    assert message in row["errors"]["medical.insurance_premium"][0]
    assert column_for("medical.insurance_premium", record) == "医保个人缴费"
