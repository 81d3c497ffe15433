"""The medical-assistance policy engine (鄂民政发〔2024〕21号 四(二)1): pure, no database."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.needs.choices import LowIncomeCategory
from marketplace.needs.policy import (
    CATEGORY_NAMES_ZH,
    CATEGORY_ORDER,
    HUBEI_2024,
    BelowProvincialFloor,
    ConflictingOverrides,
    MedicalCosts,
    NoRuleSet,
    RegionalOverride,
    RuleSet,
    assess_medical,
    rule_set_for,
    validate_override,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """The assertions read the English msgids; the portal's default language is Chinese."""
    with translation.override("en"):
        yield


D = Decimal
ON = date(2025, 6, 1)
HONGSHAN = "420111"  # a district of Wuhan (420100)
JIANGAN = "420102"  # another district of Wuhan
HUANGSHI = "420200"  # another city

# The seed's inpatient ratios, written out here rather than read from HUBEI_2024 so the test
# checks the data against the policy text, not against itself.
SEED_INPATIENT = {
    "extreme_poverty": D("1.00"),
    "dibao": D("0.70"),
    "relapse_monitoring": D("0.60"),
    "near_dibao": D("0.60"),
    "rigid_expenditure": D("0.00"),
    "illness_poverty": D("0.50"),
    "other": D("0.00"),
}
SEED_OUTPATIENT = {
    "extreme_poverty": D("0.50"),
    "dibao": D("0.50"),
    "relapse_monitoring": D("0.50"),
    "near_dibao": D("0.50"),
    "rigid_expenditure": D("0.00"),
    "illness_poverty": D("0.50"),
    "other": D("0.00"),
}

WUHAN_2025 = RegionalOverride(
    id="420100-2025",
    label="武汉市医疗救助实施办法（2025）",
    region_code="420100",
    effective_from=date(2025, 1, 1),
    inpatient_ratios={"dibao": D("0.80")},
    annual_cap=D("30000"),
)


def costs(in_scope="0", out_of_scope="0", outpatient="0", already="0") -> MedicalCosts:
    return MedicalCosts(
        in_scope_self_pay=D(in_scope),
        out_of_scope=D(out_of_scope),
        outpatient_chronic_self_pay=D(outpatient),
        already_assisted_this_year=D(already),
    )


def assess(categories, c: MedicalCosts, *, region=HONGSHAN, on=ON, overrides=()):
    return assess_medical(categories=categories, costs=c, region_code=region, on=on, overrides=overrides)


# --- 就高: every category and every combination -----------------------------------------------


def test_the_vocabulary_and_the_rule_set_agree():
    assert set(SEED_INPATIENT) == set(LowIncomeCategory.values) == set(CATEGORY_NAMES_ZH)
    assert dict(HUBEI_2024.inpatient_ratios) == SEED_INPATIENT


@pytest.mark.parametrize("category", CATEGORY_ORDER)
def test_each_category_alone_gets_its_seed_ratio(category):
    result = assess([category], costs("1000", outpatient="1000"))

    assert result.inpatient_ratio == SEED_INPATIENT[category]
    assert result.outpatient_ratio == SEED_OUTPATIENT[category]
    assert result.deciding_category == category


def _subsets():
    for size in range(1, len(CATEGORY_ORDER) + 1):
        yield from itertools.combinations(CATEGORY_ORDER, size)


def test_there_are_127_combinations():
    assert sum(1 for _ in _subsets()) == 127


@pytest.mark.parametrize("combination", list(_subsets()), ids="+".join)
def test_every_combination_gets_the_highest_ratio_of_its_members(combination):
    best = max(SEED_INPATIENT[c] for c in combination)
    # Ties (relapse_monitoring and near_dibao at 60 %) go to the category listed first.
    deciding = next(c for c in CATEGORY_ORDER if c in combination and SEED_INPATIENT[c] == best)

    # Order of the input must not matter.
    result = assess(reversed(combination), costs("10000", outpatient="1000"))

    assert result.inpatient_ratio == best
    assert result.deciding_category == deciding
    assert result.outpatient_ratio == max(SEED_OUTPATIENT[c] for c in combination)
    assert result.statutory_coverage == (D("10000") * best + D("1000") * result.outpatient_ratio).quantize(
        D("0.01")
    )


def test_no_category_gets_no_coverage():
    result = assess([], costs("10000", "2000"))

    assert result.inpatient_ratio == 0
    assert result.deciding_category is None
    assert result.statutory_coverage == D("0.00")
    assert result.charity_gap == D("12000.00")
    assert "未认定低收入人口类别" in result.explanation()


# --- worked examples ---------------------------------------------------------------------------


def test_dibao_worked_example():
    result = assess(["dibao"], costs("10000", "2000"))

    assert result.statutory_coverage == D("7000.00")
    assert result.total_costs == D("12000.00")
    assert result.residual == D("5000.00")
    assert result.charity_gap == D("5000.00")
    assert result.cap_applied is False
    assert result.rule_version == "hubei-2024-21"
    assert result.explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1，低保对象住院政策范围内自付费用救助比例不低于70%，"
        "法定救助约覆盖 7,000.00 元，尚余 5,000.00 元可由慈善帮扶。"
    )


def test_extreme_poverty_is_covered_in_full_within_the_policy_scope():
    result = assess(["extreme_poverty", "dibao"], costs("10000", "2000"))

    assert result.inpatient_ratio == D("1.00")
    assert result.deciding_category == "extreme_poverty"
    assert result.statutory_coverage == D("10000.00")
    # Out-of-scope costs are never statutory: they stay in the charity gap.
    assert result.charity_gap == D("2000.00")
    assert "特困人员住院政策范围内自付费用救助比例为100%" in result.explanation()


def test_illness_poverty_worked_example():
    result = assess(["illness_poverty", "rigid_expenditure"], costs("8000", "500"))

    assert result.deciding_category == "illness_poverty"
    assert result.statutory_coverage == D("4000.00")
    assert result.charity_gap == D("4500.00")


def test_the_seed_sets_no_medical_ratio_for_other():
    result = assess(["other"], costs("8000", "500", outpatient="1000"))

    assert result.statutory_coverage == D("0.00")
    assert result.charity_gap == D("9500.00")
    assert "文件未规定其他困难人员的医疗救助比例" in result.explanation()


# --- chronic/special-disease outpatient (门诊慢特病) --------------------------------------------


@pytest.mark.parametrize(
    "category", ["extreme_poverty", "dibao", "relapse_monitoring", "near_dibao", "illness_poverty"]
)
def test_outpatient_chronic_is_covered_at_half_for_medical_assistance_recipients(category):
    result = assess([category], costs(outpatient="4000"))

    assert result.outpatient_ratio == D("0.50")
    assert result.statutory_coverage == D("2000.00")
    assert result.charity_gap == D("2000.00")
    assert "门诊慢特病政策范围内自付费用救助比例不低于50%" in result.explanation()


@pytest.mark.parametrize("category", ["other", "rigid_expenditure"])
def test_outpatient_chronic_is_not_covered_for_other_categories(category):
    result = assess([category], costs(outpatient="4000"))

    assert result.outpatient_ratio == 0
    assert result.outpatient_ratio_from is None
    assert result.statutory_coverage == D("0.00")
    assert result.charity_gap == D("4000.00")


def test_inpatient_and_outpatient_add_up():
    result = assess(["dibao"], costs("10000", "2000", outpatient="3000"))

    assert result.statutory_coverage == D("8500.00")  # 7,000 + 1,500
    assert result.total_costs == D("15000.00")
    assert result.charity_gap == D("6500.00")


# --- regional overrides ------------------------------------------------------------------------


def test_a_city_override_applies_to_its_counties():
    result = assess(["dibao"], costs("10000", "2000"), region=HONGSHAN, overrides=[WUHAN_2025])

    assert result.inpatient_ratio == D("0.80")
    assert result.inpatient_ratio_from == "420100-2025"
    assert result.statutory_coverage == D("8000.00")
    assert result.annual_cap == D("30000.00")
    assert result.rule_version == "hubei-2024-21+420100-2025"
    assert result.source == "鄂民政发〔2024〕21号 四(二)1、武汉市医疗救助实施办法（2025）"
    assert "低保对象住院政策范围内自付费用救助比例为80%" in result.explanation()


def test_a_city_override_applies_to_the_city_code_itself():
    assert assess(["dibao"], costs("100"), region="420100", overrides=[WUHAN_2025]).inpatient_ratio == D(
        "0.80"
    )


def test_a_city_override_does_not_apply_to_another_city():
    result = assess(["dibao"], costs("10000", "2000"), region=HUANGSHI, overrides=[WUHAN_2025])

    assert result.inpatient_ratio == D("0.70")
    assert result.annual_cap is None
    assert result.rule_version == "hubei-2024-21"


def test_fields_the_override_leaves_empty_fall_back_to_the_province():
    result = assess(["near_dibao"], costs("10000", outpatient="1000"), overrides=[WUHAN_2025])

    assert result.inpatient_ratio == D("0.60")
    assert result.inpatient_ratio_from == "hubei-2024-21"
    assert result.outpatient_ratio == D("0.50")
    # The city's cap still applies: it is a field of the override in force here.
    assert result.annual_cap == D("30000.00")


def test_an_override_can_change_which_category_decides():
    near_dibao_first = RegionalOverride(
        id="420100-2025b",
        label="武汉市低保边缘家庭医疗救助办法",
        region_code="420100",
        effective_from=date(2025, 3, 1),
        inpatient_ratios={"near_dibao": D("0.90")},
    )
    result = assess(["dibao", "near_dibao"], costs("1000"), overrides=[near_dibao_first])

    assert result.deciding_category == "near_dibao"
    assert result.inpatient_ratio == D("0.90")


HONGSHAN_2025 = RegionalOverride(
    id="420111-2025",
    label="洪山区医疗救助补充办法（2025）",
    region_code="420111",
    effective_from=date(2025, 2, 1),
    inpatient_ratios={"dibao": D("0.75"), "illness_poverty": D("0.65")},
    outpatient_chronic_ratio=D("0.60"),
)


def test_a_county_override_beats_its_citys_field_by_field():
    overrides = [HONGSHAN_2025, WUHAN_2025]

    dibao = assess(["dibao"], costs("10000", outpatient="1000"), region=HONGSHAN, overrides=overrides)
    # The county's 75 % wins over the city's 80 %: the most specific rule applies, and 75 %
    # is still above the provincial floor.
    assert dibao.inpatient_ratio == D("0.75")
    assert dibao.inpatient_ratio_from == "420111-2025"
    assert dibao.outpatient_ratio == D("0.60")
    # The county sets no cap, so the city's applies.
    assert dibao.annual_cap == D("30000.00")
    assert dibao.statutory_coverage == D("8100.00")
    assert dibao.rule_version == "hubei-2024-21+420100-2025+420111-2025"

    # Another district of the city only sees the city's rules.
    jiangan = assess(["dibao"], costs("10000"), region=JIANGAN, overrides=overrides)
    assert jiangan.inpatient_ratio == D("0.80")
    assert jiangan.rule_version == "hubei-2024-21+420100-2025"


def test_the_newer_of_two_overrides_for_the_same_region_wins():
    wuhan_2026 = RegionalOverride(
        id="420100-2026",
        label="武汉市医疗救助实施办法（2026）",
        region_code="420100",
        effective_from=date(2026, 1, 1),
        inpatient_ratios={"dibao": D("0.85")},
    )
    overrides = [WUHAN_2025, wuhan_2026]

    assert assess(["dibao"], costs("100"), overrides=overrides).inpatient_ratio == D("0.80")
    later = assess(["dibao"], costs("100"), overrides=overrides, on=date(2026, 6, 1))
    assert later.inpatient_ratio == D("0.85")
    assert later.annual_cap == D("30000.00")  # 2026 sets no cap; 2025's is still in force


def test_two_overrides_for_the_same_region_and_day_are_refused():
    twin = RegionalOverride(
        id="420100-2025-dup",
        label="重复",
        region_code="420100",
        effective_from=WUHAN_2025.effective_from,
        inpatient_ratios={"dibao": D("0.90")},
    )
    with pytest.raises(ConflictingOverrides):
        assess(["dibao"], costs("100"), overrides=[WUHAN_2025, twin])


def test_an_override_below_the_floor_is_refused_with_the_floor_named():
    too_low = RegionalOverride(
        id="420200-2025",
        label="黄石市",
        region_code="420200",
        effective_from=date(2025, 1, 1),
        inpatient_ratios={"dibao": D("0.65")},
    )

    with pytest.raises(BelowProvincialFloor) as excinfo:
        validate_override(too_low, HUBEI_2024)

    message = str(excinfo.value)
    assert "dibao" in message
    assert "Minimum living allowance recipient" in message
    assert "70%" in message
    assert "65%" in message
    assert "鄂民政发〔2024〕21号" in message
    assert isinstance(excinfo.value, ValueError)
    # assess_medical never computes with it either.
    with pytest.raises(BelowProvincialFloor):
        assess(["dibao"], costs("100"), region="420202", overrides=[too_low])


def test_an_outpatient_ratio_below_the_floor_is_refused():
    too_low = RegionalOverride(
        id="420200-2025",
        label="黄石市",
        region_code="420200",
        effective_from=date(2025, 1, 1),
        outpatient_chronic_ratio=D("0.40"),
    )
    with pytest.raises(BelowProvincialFloor, match="50%"):
        validate_override(too_low, HUBEI_2024)


def test_an_override_may_equal_the_floor_or_set_a_ratio_where_the_province_has_none():
    validate_override(
        RegionalOverride(
            id="420200-2025",
            label="黄石市",
            region_code="420200",
            effective_from=date(2025, 1, 1),
            inpatient_ratios={"dibao": D("0.70"), "rigid_expenditure": D("0.30")},
            annual_cap=D("0"),
        ),
        HUBEI_2024,
    )


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"inpatient_ratios": {"dibao": D("1.10")}}, "between 0 and 1"),
        ({"outpatient_chronic_ratio": D("1.5")}, "between 0 and 1"),
        ({"annual_cap": D("-1")}, "negative"),
        ({"region_code": "420000"}, "city or county"),
        ({"region_code": "430100"}, "city or county"),
    ],
)
def test_malformed_override_values_are_refused(changes, match):
    fields = {"id": "x-2025", "label": "x", "region_code": "420200", "effective_from": date(2025, 1, 1)}
    override = RegionalOverride(**(fields | changes))

    with pytest.raises(ValueError, match=match):
        validate_override(override, HUBEI_2024)


def test_override_shape_is_checked_on_construction():
    base = {"id": "x-2025", "label": "x", "region_code": "420200", "effective_from": date(2025, 1, 1)}
    with pytest.raises(ValueError, match="Unknown low-income category"):
        RegionalOverride(**base, inpatient_ratios={"poor": D("0.9")})
    with pytest.raises(ValueError, match="six digits"):
        RegionalOverride(**(base | {"region_code": "4201"}))
    with pytest.raises(ValueError):
        RegionalOverride(**(base | {"id": "a+b"}))
    with pytest.raises(TypeError):
        RegionalOverride(**base, inpatient_ratios={"dibao": 0.8})


# --- the annual cap (年度救助限额) -------------------------------------------------------------


def test_the_annual_cap_limits_coverage():
    result = assess(["dibao"], costs("50000", "5000"), overrides=[WUHAN_2025])

    # 80 % of 50,000 is 40,000, above the 30,000 cap.
    assert result.statutory_coverage == D("30000.00")
    assert result.cap_applied is True
    assert result.charity_gap == D("25000.00")
    assert "受年度救助限额 30,000.00 元限制" in result.explanation()


def test_assistance_already_paid_this_year_uses_up_the_cap():
    result = assess(["dibao"], costs("10000", already="25000"), overrides=[WUHAN_2025])

    assert result.statutory_coverage == D("5000.00")
    assert result.cap_applied is True
    assert result.charity_gap == D("5000.00")


def test_a_used_up_cap_leaves_nothing_and_never_goes_negative():
    result = assess(["dibao"], costs("10000", already="40000"), overrides=[WUHAN_2025])

    assert result.statutory_coverage == D("0.00")
    assert result.cap_applied is True
    assert result.charity_gap == D("10000.00")


def test_under_the_cap_nothing_changes():
    result = assess(["dibao"], costs("10000", already="1000"), overrides=[WUHAN_2025])

    assert result.statutory_coverage == D("8000.00")
    assert result.cap_applied is False


def test_already_assisted_does_not_matter_without_a_cap():
    result = assess(["dibao"], costs("10000", already="1000000"), region=HUANGSHI, overrides=[WUHAN_2025])

    assert result.statutory_coverage == D("7000.00")
    assert result.cap_applied is False


# --- effective dates and rule versions ---------------------------------------------------------


def test_the_seed_rules_start_on_the_documents_date():
    assert rule_set_for(date(2024, 9, 6)) is HUBEI_2024
    assert rule_set_for(date(2030, 1, 1)) is HUBEI_2024
    with pytest.raises(NoRuleSet):
        rule_set_for(date(2024, 9, 5))
    with pytest.raises(LookupError):
        assess(["dibao"], costs("100"), on=date(2024, 1, 1))


def test_an_override_not_yet_in_force_is_ignored():
    result = assess(["dibao"], costs("10000"), overrides=[WUHAN_2025], on=date(2024, 12, 31))

    assert result.inpatient_ratio == D("0.70")
    assert result.rule_version == "hubei-2024-21"


def test_an_expired_override_is_ignored_after_its_last_day():
    expiring = RegionalOverride(
        id="420100-2025",
        label="武汉市",
        region_code="420100",
        effective_from=date(2025, 1, 1),
        effective_to=date(2025, 12, 31),
        inpatient_ratios={"dibao": D("0.80")},
    )

    assert assess(["dibao"], costs("100"), overrides=[expiring], on=date(2025, 12, 31)).inpatient_ratio == D(
        "0.80"
    )
    assert assess(["dibao"], costs("100"), overrides=[expiring], on=date(2026, 1, 1)).inpatient_ratio == D(
        "0.70"
    )


def test_a_successor_rule_set_takes_over_and_is_cited():
    hubei_2024_until = RuleSet(
        **{
            "id": HUBEI_2024.id,
            "title": HUBEI_2024.title,
            "source": HUBEI_2024.source,
            "effective_from": HUBEI_2024.effective_from,
            "effective_to": date(2026, 12, 31),
            "inpatient_ratios": HUBEI_2024.inpatient_ratios,
            "outpatient_chronic_ratio": HUBEI_2024.outpatient_chronic_ratio,
            "outpatient_categories": HUBEI_2024.outpatient_categories,
        }
    )
    successor = RuleSet(
        id="hubei-2027-1",
        title="successor",
        source="鄂民政发〔2027〕1号",
        effective_from=date(2027, 1, 1),
        inpatient_ratios=dict(HUBEI_2024.inpatient_ratios) | {"dibao": D("0.75")},
        outpatient_chronic_ratio=D("0.55"),
        outpatient_categories=HUBEI_2024.outpatient_categories,
    )
    rule_sets = (hubei_2024_until, successor)

    before = assess_medical(
        categories=["dibao"],
        costs=costs("1000"),
        region_code=HONGSHAN,
        on=date(2026, 12, 31),
        rule_sets=rule_sets,
    )
    after = assess_medical(
        categories=["dibao"],
        costs=costs("1000"),
        region_code=HONGSHAN,
        on=date(2027, 1, 1),
        rule_sets=rule_sets,
    )

    assert (before.rule_version, before.statutory_coverage) == ("hubei-2024-21", D("700.00"))
    assert (after.rule_version, after.statutory_coverage) == ("hubei-2027-1", D("750.00"))
    assert after.source == "鄂民政发〔2027〕1号"


def test_an_override_is_checked_against_the_rule_set_in_force():
    # 72 % is fine under the 2024 floor of 70 % but not under a successor's 75 %.
    successor = RuleSet(
        id="hubei-2027-1",
        title="successor",
        source="鄂民政发〔2027〕1号",
        effective_from=date(2027, 1, 1),
        inpatient_ratios=dict(HUBEI_2024.inpatient_ratios) | {"dibao": D("0.75")},
        outpatient_chronic_ratio=D("0.50"),
        outpatient_categories=HUBEI_2024.outpatient_categories,
    )
    override = RegionalOverride(
        id="420100-2025",
        label="武汉市",
        region_code="420100",
        effective_from=date(2025, 1, 1),
        inpatient_ratios={"dibao": D("0.72")},
    )
    with pytest.raises(BelowProvincialFloor, match="75%"):
        assess_medical(
            categories=["dibao"],
            costs=costs("1000"),
            region_code=HONGSHAN,
            on=date(2027, 6, 1),
            overrides=[override],
            rule_sets=(HUBEI_2024, successor),
        )


def test_a_rule_set_must_name_every_category():
    with pytest.raises(ValueError, match="no inpatient ratio"):
        RuleSet(
            id="partial",
            title="partial",
            source="-",
            effective_from=date(2025, 1, 1),
            inpatient_ratios={"dibao": D("0.7")},
            outpatient_chronic_ratio=D("0.5"),
            outpatient_categories=frozenset(),
        )


def test_the_rule_sets_ratios_cannot_be_mutated():
    with pytest.raises(TypeError):
        HUBEI_2024.inpatient_ratios["dibao"] = D("0")  # type: ignore[index]


# --- money ------------------------------------------------------------------------------------


def test_results_are_decimals_quantized_to_cents_half_up():
    # 0.15 × 0.70 = 0.105 → 0.11 half up (banker's rounding would give 0.10).
    result = assess(["dibao"], costs("0.15", "0.001"))

    assert result.statutory_coverage == D("0.11")
    for amount in (result.statutory_coverage, result.residual, result.charity_gap, result.total_costs):
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2
    assert result.costs.out_of_scope == D("0.00")


def test_costs_are_quantized_on_the_way_in():
    c = MedicalCosts(in_scope_self_pay=D("333.335"), out_of_scope=100)

    assert c.in_scope_self_pay == D("333.34")
    assert c.out_of_scope == D("100.00")
    assert c.outpatient_chronic_self_pay == D("0.00")


@pytest.mark.parametrize(
    "field",
    ["in_scope_self_pay", "out_of_scope", "outpatient_chronic_self_pay", "already_assisted_this_year"],
)
def test_negative_amounts_are_refused(field):
    amounts = {"in_scope_self_pay": D("1"), "out_of_scope": D("1")} | {field: D("-0.01")}

    with pytest.raises(ValueError, match="cannot be negative"):
        MedicalCosts(**amounts)


@pytest.mark.parametrize("bad", [0.7, "100", D("NaN"), D("Infinity"), True])
def test_floats_strings_and_non_finite_amounts_are_refused(bad):
    with pytest.raises(TypeError):
        MedicalCosts(in_scope_self_pay=bad, out_of_scope=D("0"))


def test_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="Unknown low-income category: poor"):
        assess(["dibao", "poor"], costs("100"))


@pytest.mark.parametrize("region", ["4201", "43011a", "430111"])
def test_a_region_outside_hubei_or_malformed_is_refused(region):
    with pytest.raises(ValueError):
        assess(["dibao"], costs("100"), region=region)


def test_the_enum_members_work_as_codes():
    result = assess([LowIncomeCategory.DIBAO], costs("100"))

    assert result.deciding_category == "dibao"
    assert type(result.deciding_category) is str


def test_as_dict_is_json_ready():
    result = assess(["dibao", "near_dibao"], costs("10000", "2000", outpatient="100"), overrides=[WUHAN_2025])
    data = json.loads(json.dumps(result.as_dict()))

    assert data["rule_version"] == "hubei-2024-21+420100-2025"
    assert data["statutory_coverage"] == "8050.00"
    assert data["charity_gap"] == "4050.00"
    assert data["inpatient_ratio"] == "0.80"
    assert data["annual_cap"] == "30000.00"
    assert data["on"] == "2025-06-01"
    assert data["categories"] == ["dibao", "near_dibao"]
    assert data["costs"]["in_scope_self_pay"] == "10000.00"
    assert data["deciding_category"] == "dibao"
    assert data["cap_applied"] is False


def test_a_fully_covered_episode_needs_no_charity():
    assert assess(["extreme_poverty"], costs("500")).explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1，特困人员住院政策范围内自付费用救助比例为100%，"
        "法定救助约覆盖 500.00 元，无需慈善帮扶。"
    )


# --- the property -----------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)


@settings(database=None, deadline=None)
@given(
    categories=st.sets(st.sampled_from(CATEGORY_ORDER)),
    in_scope=amounts,
    out_of_scope=amounts,
    outpatient=amounts,
    already=amounts,
    region=st.sampled_from([HONGSHAN, JIANGAN, HUANGSHI]),
    overrides=st.sampled_from([(), (WUHAN_2025,), (WUHAN_2025, HONGSHAN_2025)]),
)
def test_coverage_stays_within_self_pay_and_everything_adds_up(
    categories, in_scope, out_of_scope, outpatient, already, region, overrides
):
    c = MedicalCosts(
        in_scope_self_pay=in_scope,
        out_of_scope=out_of_scope,
        outpatient_chronic_self_pay=outpatient,
        already_assisted_this_year=already,
    )
    result = assess(categories, c, region=region, overrides=overrides)

    assert D("0") <= result.statutory_coverage <= in_scope + outpatient
    assert result.statutory_coverage + result.residual == in_scope + out_of_scope + outpatient
    assert result.charity_gap == result.residual >= out_of_scope
    if result.annual_cap is not None:
        assert result.statutory_coverage <= max(D("0"), result.annual_cap - already)


# --- the edges a caseworker or an auditor would notice (issue 9, item 17) -------------------


def test_the_cap_is_named_only_when_it_limited_the_amount():
    # 80 % of 10,000 is 8,000, within the 30,000 cap: the cap exists but changed nothing.
    under = assess(["dibao"], costs("10000"), overrides=[WUHAN_2025])
    assert under.annual_cap == D("30000.00")
    assert under.cap_applied is False
    assert "年度救助限额" not in under.explanation()

    # Exactly the room left under the cap: still not limited by it.
    exactly = assess(["dibao"], costs("10000", already="22000"), overrides=[WUHAN_2025])
    assert exactly.statutory_coverage == D("8000.00")
    assert exactly.cap_applied is False
    assert "年度救助限额" not in exactly.explanation()

    limited = assess(["dibao"], costs("10000", already="22000.01"), overrides=[WUHAN_2025])
    assert limited.statutory_coverage == D("7999.99")
    assert limited.cap_applied is True
    assert limited.explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1、武汉市医疗救助实施办法（2025），"
        "低保对象住院政策范围内自付费用救助比例为80%，"
        "受年度救助限额 30,000.00 元限制，法定救助约覆盖 7,999.99 元，尚余 2,000.01 元可由慈善帮扶。"
    )


def test_an_override_equal_to_the_outpatient_floor_validates():
    equal = RegionalOverride(
        id="420200-2025",
        label="黄石市",
        region_code="420200",
        effective_from=date(2025, 1, 1),
        outpatient_chronic_ratio=D("0.50"),
    )
    validate_override(equal, HUBEI_2024)
    result = assess(["dibao"], costs(outpatient="1000"), region="420202", overrides=[equal])
    assert result.outpatient_ratio == D("0.50")
    assert result.outpatient_ratio_from == "420200-2025"


def _rule_set(**changes) -> RuleSet:
    fields = {
        "id": "one-day",
        "title": "one day",
        "source": "测试文件",
        "effective_from": date(2025, 3, 1),
        "effective_to": date(2025, 3, 1),
        "inpatient_ratios": dict(SEED_INPATIENT),
        "outpatient_chronic_ratio": D("0.50"),
        "outpatient_categories": HUBEI_2024.outpatient_categories,
    }
    return RuleSet(**(fields | changes))


def test_a_one_day_period_is_in_force_that_day_only():
    one_day = _rule_set()
    assert one_day.in_force(date(2025, 3, 1))
    assert not one_day.in_force(date(2025, 2, 28))
    assert not one_day.in_force(date(2025, 3, 2))
    assert rule_set_for(date(2025, 3, 1), rule_sets=(one_day,)) is one_day

    override = RegionalOverride(
        id="420100-day",
        label="武汉市",
        region_code="420100",
        effective_from=date(2025, 3, 1),
        effective_to=date(2025, 3, 1),
        inpatient_ratios={"dibao": D("0.90")},
    )
    assert override.in_force(date(2025, 3, 1))
    assert not override.in_force(date(2025, 3, 2))
    assert assess(["dibao"], costs("100"), overrides=[override], on=date(2025, 3, 1)).inpatient_ratio == D(
        "0.90"
    )


def test_a_reversed_period_raises():
    with pytest.raises(ValueError, match=r"^rule set reversed ends before it starts$"):
        _rule_set(id="reversed", effective_to=date(2025, 2, 28))
    with pytest.raises(ValueError, match=r"^override 420100-x ends before it starts$"):
        RegionalOverride(
            id="420100-x",
            label="武汉市",
            region_code="420100",
            effective_from=date(2025, 3, 1),
            effective_to=date(2025, 2, 28),
        )


def test_a_new_rule_sets_figures_are_frozen_and_keyed_by_plain_codes():
    rule_set = _rule_set(
        inpatient_ratios={LowIncomeCategory(c): r for c, r in SEED_INPATIENT.items()},
        outpatient_categories={LowIncomeCategory.DIBAO, LowIncomeCategory.NEAR_DIBAO},
    )
    assert rule_set.outpatient_categories == frozenset({"dibao", "near_dibao"})
    assert type(rule_set.outpatient_categories) is frozenset
    assert dict(rule_set.inpatient_ratios) == SEED_INPATIENT
    assert all(type(code) is str for code in rule_set.inpatient_ratios)
    assert all(type(code) is str for code in rule_set.outpatient_categories)
    with pytest.raises(TypeError):
        rule_set.inpatient_ratios["dibao"] = D("0")  # type: ignore[index]
    override = RegionalOverride(
        id="x",
        label="x",
        region_code="420200",
        effective_from=ON,
        inpatient_ratios={LowIncomeCategory.DIBAO: D("0.8")},
    )
    assert type(next(iter(override.inpatient_ratios))) is str
    with pytest.raises(TypeError):
        override.inpatient_ratios["dibao"] = D("0")  # type: ignore[index]


def test_the_explanation_reads_out_each_case():
    assert assess(["other"], costs("1000")).explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1，文件未规定其他困难人员的医疗救助比例，"
        "法定救助约覆盖 0.00 元，尚余 1,000.00 元可由慈善帮扶。"
    )
    assert assess([], costs(outpatient="0.50")).explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1，未认定低收入人口类别，无适用的医疗救助比例，"
        "门诊慢特病费用不在其医疗救助范围，"
        "法定救助约覆盖 0.00 元，尚余 0.50 元可由慈善帮扶。"
    )
    assert assess(["dibao"], costs("100", outpatient="0.50")).explanation() == (
        "按鄂民政发〔2024〕21号 四(二)1，低保对象住院政策范围内自付费用救助比例不低于70%，"
        "门诊慢特病政策范围内自付费用救助比例不低于50%，法定救助约覆盖 70.25 元，尚余 30.25 元可由慈善帮扶。"
    )


def test_the_assessment_names_its_region_and_day():
    result = assess(["dibao"], costs("100"), region=JIANGAN)
    assert (result.region_code, result.on) == (JIANGAN, ON)


def test_ratios_are_shown_half_up_to_two_places():
    override = RegionalOverride(
        id="420100-odd",
        label="武汉市",
        region_code="420100",
        effective_from=ON,
        inpatient_ratios={"dibao": D("0.712345")},
    )
    assert "71.23%" in assess(["dibao"], costs("100"), overrides=[override]).explanation()
    odd = RegionalOverride(
        id="420100-odd",
        label="武汉市",
        region_code="420100",
        effective_from=ON,
        inpatient_ratios={"dibao": D("0.72345")},
    )
    # 72.345 → 72.35 half up (banker's rounding would show 72.34).
    assert "72.35%" in assess(["dibao"], costs("100"), overrides=[odd]).explanation()


# Every refusal says exactly what is wrong: the caseworker who set up an override reads it.
@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: assess(["poor"], costs("1")), ValueError, "Unknown low-income category: poor."),
        (
            lambda: assess(["dibao"], costs("1"), region="4201"),
            ValueError,
            "A region code has six digits (GB/T 2260), got 4201.",
        ),
        (
            lambda: assess(["dibao"], costs("1"), region="430111"),
            ValueError,
            "Region 430111 is outside province 420000.",
        ),
        (
            lambda: assess(["dibao"], costs("1"), on=date(2024, 9, 5)),
            NoRuleSet,
            "No medical assistance rules are in force on 2024-09-05.",
        ),
        (
            lambda: validate_override(
                RegionalOverride(id="x", label="x", region_code="420000", effective_from=ON), HUBEI_2024
            ),
            ValueError,
            "An override applies to a city or county of province 420000, not to 420000.",
        ),
        (
            lambda: validate_override(
                RegionalOverride(
                    id="x",
                    label="x",
                    region_code="420200",
                    effective_from=ON,
                    inpatient_ratios={"dibao": D("0.6")},
                ),
                HUBEI_2024,
            ),
            BelowProvincialFloor,
            "The inpatient ratio for Minimum living allowance recipient (dibao) is 60%, "
            "below the provincial floor of 70% "
            "(鄂民政发〔2024〕21号 四(二)1).",
        ),
        (
            lambda: validate_override(
                RegionalOverride(
                    id="x",
                    label="x",
                    region_code="420200",
                    effective_from=ON,
                    outpatient_chronic_ratio=D("0.4"),
                ),
                HUBEI_2024,
            ),
            BelowProvincialFloor,
            "The chronic-disease outpatient ratio is 40%, below the provincial floor of 50% "
            "(鄂民政发〔2024〕21号 四(二)1).",
        ),
        (
            lambda: validate_override(
                RegionalOverride(
                    id="x",
                    label="x",
                    region_code="420200",
                    effective_from=ON,
                    inpatient_ratios={"dibao": D("1.5")},
                ),
                HUBEI_2024,
            ),
            ValueError,
            "A ratio must be between 0 and 1, got 1.5.",
        ),
        (
            lambda: validate_override(
                RegionalOverride(
                    id="x", label="x", region_code="420200", effective_from=ON, annual_cap=D("-1")
                ),
                HUBEI_2024,
            ),
            ValueError,
            "An annual assistance cap cannot be negative, got -1.",
        ),
        (
            lambda: MedicalCosts(in_scope_self_pay=D("-1"), out_of_scope=D("0")),
            ValueError,
            "in_scope_self_pay cannot be negative, got -1.",
        ),
        (
            lambda: MedicalCosts(in_scope_self_pay=0.5, out_of_scope=D("0")),
            TypeError,
            "in_scope_self_pay must be a finite Decimal, got 0.5",
        ),
        (
            lambda: RegionalOverride(
                id="x", label="x", region_code="420200", effective_from=ON, inpatient_ratios={"dibao": 0.8}
            ),
            TypeError,
            "inpatient_ratios[dibao] must be a finite Decimal, got 0.8",
        ),
        (
            lambda: RegionalOverride(
                id="x", label="x", region_code="420200", effective_from=ON, outpatient_chronic_ratio=0.5
            ),
            TypeError,
            "outpatient_chronic_ratio must be a finite Decimal, got 0.5",
        ),
        (
            lambda: RegionalOverride(
                id="x", label="x", region_code="420200", effective_from=ON, annual_cap=100
            ),
            TypeError,
            "annual_cap must be a finite Decimal, got 100",
        ),
        (
            lambda: RegionalOverride(id="a+b", label="x", region_code="420200", effective_from=ON),
            ValueError,
            "override id must be non-empty and free of '+', got 'a+b'",
        ),
        (
            lambda: _rule_set(inpatient_ratios=dict(SEED_INPATIENT) | {"dibao": 0.7}),
            TypeError,
            "inpatient_ratios[dibao] must be a finite Decimal, got 0.7",
        ),
        (
            lambda: _rule_set(outpatient_chronic_ratio=0.5),
            TypeError,
            "outpatient_chronic_ratio must be a finite Decimal, got 0.5",
        ),
        (
            lambda: _rule_set(id="partial", inpatient_ratios={"dibao": D("0.7")}),
            ValueError,
            "rule set partial has no inpatient ratio for "
            "['extreme_poverty', 'illness_poverty', 'near_dibao', 'other', "
            "'relapse_monitoring', 'rigid_expenditure']",
        ),
    ],
)
def test_every_refusal_says_what_is_wrong(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert str(raised.value) == message


def test_two_overrides_of_one_region_and_day_are_named():
    first = RegionalOverride(id="420100-a", label="a", region_code="420100", effective_from=date(2025, 1, 1))
    second = RegionalOverride(id="420100-b", label="b", region_code="420100", effective_from=date(2025, 1, 1))
    with pytest.raises(ConflictingOverrides) as raised:
        assess(["dibao"], costs("1"), overrides=[first, second])
    assert str(raised.value) == "overrides 420100-b and 420100-a both cover 420100 from 2025-01-01"
