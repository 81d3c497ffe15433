"""Issue 11 item 14 (the policy explanation): what the seed says, figures that add up, the
document's name, and English in English mode.

Seed 鄂民政发〔2024〕21号: 一事一议 is how 其他困难人员 are certified (二(二)) and how complex cases are
handled (三(四)); 四(二)1 simply sets no medical-assistance ratio for 刚性支出困难家庭成员 and
其他困难人员. Inpatient self-pay of 低保对象 is covered at no less than 70 %; costs outside the
policy scope are not covered by medical assistance at all.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.needs.models import PolicyOverride
from marketplace.needs.policy import CATEGORY_ORDER, MedicalCosts, RegionalOverride, assess_medical, breakdown
from tests.needs.medical_records import medical_record, publish_at_once, pushed_need  # noqa: F401

D = Decimal
ON = date(2025, 6, 1)
DOCUMENT_ZH = (
    "《关于加强低收入人口动态监测做好分层分类社会救助工作的实施意见》（鄂民政发〔2024〕21号）四(二)1"
)
# 10,000 in scope + 2,000 outside: 7,000 estimated statutory is 58 % of the total, next to "不低于70%".
DIBAO_COSTS = {"in_scope_self_pay": "10000", "out_of_scope": "2000"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("category", "name"), [("rigid_expenditure", "刚性支出困难家庭成员"), ("other", "其他困难人员")]
)
def test_for_rigid_expenditure_and_other_the_document_simply_sets_no_ratio(category, name):
    result = assess_medical(
        categories=[category],
        costs=MedicalCosts(in_scope_self_pay=D("1000"), out_of_scope=D("0")),
        region_code="420111",
        on=ON,
    )

    assert f"文件未规定{name}的医疗救助比例" in result.explanation()
    assert "一事一议" not in result.explanation()
    with translation.override("en"):
        assert breakdown(result.as_dict())[0].rule == "no ratio set"


amounts = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)


@settings(database=None, deadline=None, max_examples=200)
@given(
    categories=st.sets(st.sampled_from(CATEGORY_ORDER)),
    in_scope=amounts,
    out_of_scope=amounts,
    outpatient=amounts,
    already=amounts,
    premium=amounts,
    cap=st.sampled_from([None, D("30000"), D("500")]),
)
def test_the_lines_a_reader_sees_add_up_to_the_total_and_the_estimate(
    categories, in_scope, out_of_scope, outpatient, already, premium, cap
):
    overrides = (
        [
            RegionalOverride(
                id="420100-cap", label="武汉市", region_code="420100", effective_from=ON, annual_cap=cap
            )
        ]
        if cap is not None
        else []
    )
    costs = MedicalCosts(
        in_scope_self_pay=in_scope,
        out_of_scope=out_of_scope,
        outpatient_chronic_self_pay=outpatient,
        already_assisted_this_year=already,
        insurance_premium=premium,
    )
    result = assess_medical(
        categories=categories, costs=costs, region_code="420111", on=ON, overrides=overrides
    )
    lines = breakdown(result.as_dict())

    assert sum((line.amount for line in lines), D(0)) == result.total_costs
    assert sum((line.covered for line in lines), D(0)) == result.statutory_coverage
    assert result.total_costs - result.statutory_coverage == result.charity_gap


@pytest.mark.django_db
@pytest.mark.usefixtures("publish_at_once")
def test_the_need_page_shows_the_split_the_estimate_label_and_the_documents_name(client, api, make_record):
    record = medical_record(
        make_record, "EXP-1", categories=["dibao"], requested="12000.00", medical=DIBAO_COSTS
    )
    need = pushed_need(api, record)

    shown = text_of(client.get(f"/needs/{need.code}/").content.decode())

    assert "住院政策范围内个人自付费用 10,000.00 元 不低于70% 7,000.00 元" in shown
    assert "政策范围外费用 2,000.00 元 医疗救助不覆盖 0.00 元" in shown
    assert "合计 12,000.00 元 7,000.00 元" in shown
    assert "法定医疗救助（按政策测算，并非已支付的金额） 7,000.00 元" in shown
    assert f"依据: {DOCUMENT_ZH}" in shown
    assert "规则版本" not in shown and "hubei-2024-21" not in shown


@pytest.mark.django_db
@pytest.mark.usefixtures("publish_at_once")
def test_in_english_the_explanation_and_the_lines_are_english(client, api, make_record):
    record = medical_record(
        make_record, "EXP-2", categories=["dibao"], requested="12000.00", medical=DIBAO_COSTS
    )
    need = pushed_need(api, record)

    shown = text_of(client.get(f"/needs/{need.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    api_row = client.get(f"/api/v1/needs/{need.code}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert (
        "Inpatient costs within the policy scope, self-paid 10,000.00 yuan at no less than 70% 7,000.00 yuan"
        in shown
    )
    assert (
        "statutory assistance is estimated at 7,000.00 yuan, and 5,000.00 yuan is left for charity." in shown
    )
    assert "Implementation opinions on strengthening the dynamic monitoring of low-income people" in shown
    assert "法定救助约覆盖" not in shown and "住院政策范围内" not in shown
    assert api_row["policy"]["explanation"].startswith("Under 鄂民政发〔2024〕21号 四(二)1, ")
    # The stored computation keeps its Chinese sentence: the record of what was decided.
    assert need.policy["explanation"].startswith("按鄂民政发〔2024〕21号 四(二)1，低保对象")


@pytest.mark.django_db
def test_where_the_countys_rules_are_hidden_the_page_shows_no_lines_and_names_local_rules(
    client, api, make_record, settings
):
    """A need published at city level whose figures a county's own rule shaped: the lines would
    give the county away, so only the gap and the province's document "and local rules" show."""
    settings.K_ANONYMITY_K = 1
    override = PolicyOverride.objects.create(
        region_id="420111",
        label="洪山区医疗救助提标办法",
        inpatient_ratios={"dibao": "0.80"},
        effective_from=date(2024, 10, 1),
    )
    record = medical_record(
        make_record, "EXP-3", categories=["dibao"], requested="12000.00", medical=DIBAO_COSTS
    )
    need = pushed_need(api, record)
    type(need).objects.filter(pk=need.pk).update(generalization="100000", public_region_id="420100")

    shown = text_of(client.get(f"/needs/{need.code}/").content.decode())

    assert "洪山区" not in shown and override.label not in shown
    assert "住院政策范围内个人自付费用" not in shown
    assert "4,000.00" in shown  # the gap: 2,000 of the in-scope + 2,000 outside
    assert "鄂民政发〔2024〕21号）四(二)1及当地提标文件" in shown
