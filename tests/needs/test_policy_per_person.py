"""Issue 11 item 13: categories are a person's, not the household's.

Seed 鄂民政发〔2024〕21号 四(二)1 sets the inpatient ratios per person: "对特困人员、最低生活保障对象、
防止返贫监测对象和最低生活保障边缘家庭成员、因病致贫重病患者…分别按 100%、不低于 70%、不低于 60%、
不低于 50%的比例给予分类救助"; 四 (就高) applies the highest of *the person's* categories. A household
whose one member is 特困 must not get 100 % for another member who is 低保 only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.needs.spreadsheet import read_rows
from tests.needs.medical_records import medical_record, publish_at_once, push, pushed_need  # noqa: F401
from tests.needs.test_spreadsheet import cells, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("publish_at_once")]
D = Decimal
COSTS = {"in_scope_self_pay": "10000", "out_of_scope": "0"}
BENEFICIARY = {"name": "王小明", "birth_date": "2015-03-01", "sex": "male"}


def test_the_beneficiarys_own_category_decides_not_the_households_highest(api, make_record):
    """The household holds 特困 (a grandparent) and 低保; the child in hospital is 低保 only:
    70 % of 10,000 (not 100 %), 3,000 left for charity."""
    record = medical_record(
        make_record,
        "PER-1",
        categories=["extreme_poverty", "dibao"],
        requested="10000.00",
        medical=COSTS,
        beneficiary=BENEFICIARY,
        beneficiary_categories=["dibao"],
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("7000.00")
    assert need.target_amount == D("3000.00")
    assert need.policy["categories"] == ["dibao"]
    assert need.policy["categories_from"] == "person"
    assert need.categories == ["extreme_poverty", "dibao"]  # the household's, as published
    assert "来源系统未提供" not in need.policy["explanation"]


def test_without_per_person_data_the_households_categories_stand_in_and_the_computation_says_so(
    api, make_record
):
    record = medical_record(
        make_record,
        "PER-2",
        categories=["extreme_poverty", "dibao"],
        requested="10000.00",
        medical=COSTS,
        beneficiary=BENEFICIARY,
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("10000.00")
    assert need.policy["categories_from"] == "household"
    assert "来源系统未提供受助人本人的低收入类别，按家庭的类别测算" in need.policy["explanation"]


def test_the_head_as_the_person_in_need_has_own_categories_too(api, make_record):
    """A 刚性支出困难家庭 whose seriously ill member is 因病致贫 (50 %); the head, in hospital, is
    刚性支出 only, for which the seed sets no medical ratio: nothing statutory, not 50 %."""
    record = medical_record(
        make_record,
        "PER-3",
        categories=["rigid_expenditure", "illness_poverty"],
        requested="10000.00",
        medical=COSTS,
        beneficiary_categories=["rigid_expenditure"],
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("0.00")
    assert need.target_amount == D("10000.00")
    assert need.policy["deciding_category"] == "rigid_expenditure"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["extreme_poverty"], "须在家庭的类别"),  # the household is 低保 only
        ([], "至少填写一个"),
        (["poor"], "dibao"),
        ("dibao", "至少填写一个"),
    ],
)
def test_the_persons_categories_are_validated(api, make_record, value, message):
    record = medical_record(
        make_record,
        "BAD-1",
        categories=["dibao"],
        requested="100.00",
        medical=COSTS,
        beneficiary_categories=value,
    )
    row = push(api, record)["BAD-1"]

    assert row["status"] == "rejected"
    assert list(row["errors"]) == ["beneficiary_categories"]
    assert message in row["errors"]["beneficiary_categories"][0]


def test_the_spreadsheet_reads_the_persons_categories_by_chinese_name(api, make_record):
    record = medical_record(
        make_record, "XL-PER-1", categories=["extreme_poverty", "dibao"], requested="10000.00", medical=COSTS
    )
    row = cells(record)
    row["受助人低收入类别"] = "低保"
    [sheet_row] = read_rows(workbook([row]))

    assert sheet_row.record["beneficiary_categories"] == ["dibao"]
    assert pushed_need(api, sheet_row.record).statutory_coverage == D("7000.00")
