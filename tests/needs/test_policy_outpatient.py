"""Issue 11 item 11: outpatient costs and aid already paid this year reach the policy engine,
from the intake API and from the spreadsheet, with their validation.

Seed 鄂民政发〔2024〕21号 四(二)1: "对医疗救助对象因慢性病需长期服药或因患重特大疾病需长期门诊治疗…
符合当地基本医疗保险门诊慢特病病种的政策范围内个人自付医疗费用，给予不低于 50%比例的门诊慢特病医疗
救助"; inpatient self-pay of 低保对象 "不低于 70%". The annual cap (年度救助限额) is a city's or
county's own (the seed leaves it to them), net of the aid already paid this year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from marketplace.needs.models import PolicyOverride
from marketplace.needs.spreadsheet import COLUMNS, build_template, column_errors, read_rows, row_record
from tests.needs.medical_records import medical_record, publish_at_once, push, pushed_need  # noqa: F401
from tests.needs.test_spreadsheet import cells, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("publish_at_once")]
D = Decimal


def test_outpatient_chronic_self_pay_is_covered_at_half_for_a_dibao_recipient(api, make_record):
    """四(二)1: inpatient 10,000 × 70 % + outpatient 3,000 × 50 % = 8,500 statutory; the charity
    gap is 3,000 + 1,500 uncovered + 2,000 out of scope = 6,500."""
    record = medical_record(
        make_record,
        "OUT-1",
        categories=["dibao"],
        requested="15000.00",
        medical={"in_scope_self_pay": "10000", "out_of_scope": "2000", "outpatient_chronic_self_pay": "3000"},
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("8500.00")
    assert need.target_amount == D("6500.00")
    assert need.policy["costs"]["outpatient_chronic_self_pay"] == "3000.00"
    assert "门诊慢特病政策范围内自付费用救助比例不低于50%" in need.policy["explanation"]


def test_an_outpatient_only_need_needs_no_inpatient_figure(api, make_record):
    """四(二)1: a 特困 person's chronic outpatient self-pay of 1,200 is covered at no less than
    50 % (600); nothing is sent for the inpatient self-pay, which counts as 0."""
    record = medical_record(
        make_record,
        "OUT-2",
        categories=["extreme_poverty"],
        requested="1200.00",
        medical={"outpatient_chronic_self_pay": "1200"},
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("600.00")
    assert need.target_amount == D("600.00")


def test_aid_already_paid_this_year_uses_up_the_citys_annual_cap(api, make_record):
    """A Wuhan cap of 30,000 a year, 25,000 already paid: of the 7,000 that 70 % of 10,000 would
    give (四(二)1, 低保), only 5,000 remain under the cap; the gap is 5,000 + 2,000 out of scope."""
    PolicyOverride.objects.create(
        region_id="420100",
        label="武汉市医疗救助实施办法",
        annual_cap=D("30000"),
        effective_from=date(2024, 10, 1),
    )
    record = medical_record(
        make_record,
        "OUT-3",
        categories=["dibao"],
        requested="12000.00",
        medical={"in_scope_self_pay": "10000", "out_of_scope": "2000", "already_assisted_this_year": "25000"},
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("5000.00")
    assert need.target_amount == D("7000.00")
    assert need.policy["cap_applied"] is True
    assert "受年度救助限额 30,000.00 元限制" in need.policy["explanation"]


@pytest.mark.parametrize(
    ("medical", "path", "message"),
    [
        (
            {"in_scope_self_pay": "100", "outpatient_chronic_self_pay": "-1"},
            "outpatient_chronic_self_pay",
            "不能为负数",
        ),
        (
            {"in_scope_self_pay": "100", "outpatient_chronic_self_pay": "1.005"},
            "outpatient_chronic_self_pay",
            "两位小数",
        ),
        (
            {"in_scope_self_pay": "100", "already_assisted_this_year": "一千"},
            "already_assisted_this_year",
            "0-9",
        ),
        (
            {"in_scope_self_pay": "100", "already_assisted_this_year": -5},
            "already_assisted_this_year",
            "不能为负数",
        ),
        ({"out_of_scope": "100"}, "in_scope_self_pay", "必填"),
    ],
)
def test_each_new_amount_is_validated_and_named_in_chinese(api, make_record, medical, path, message):
    record = medical_record(make_record, "BAD-1", categories=["dibao"], requested="100.00", medical=medical)
    good = medical_record(
        make_record, "GOOD-1", categories=["dibao"], requested="100.00", medical={"in_scope_self_pay": "100"}
    )
    rows = push(api, record, good)

    assert rows["BAD-1"]["status"] == "rejected"
    assert list(rows["BAD-1"]["errors"]) == [f"medical.{path}"]
    assert message in rows["BAD-1"]["errors"][f"medical.{path}"][0]
    assert rows["GOOD-1"]["status"] != "rejected"


# --- the spreadsheet ---------------------------------------------------------------------------


def test_the_template_has_the_outpatient_and_already_assisted_columns_with_notes():
    book = load_workbook(BytesIO(build_template()))
    headers = [cell.value for cell in book["需求"][1]]
    assert {"门诊慢特病自付", "本年已获医疗救助"} <= set(headers)
    notes = {row[0]: row[2] for row in book["代码表"].iter_rows(values_only=True)}
    assert "门诊慢特病政策范围内个人自付" in notes["门诊慢特病自付"]
    assert "年度救助限额" in notes["本年已获医疗救助"]
    assert "门诊慢特病" in notes["政策范围内自付"]  # says when it may stay blank


def test_a_spreadsheet_row_carries_the_new_amounts_to_the_engine(api, make_record):
    """The same case as the API's: 四(二)1, 低保, 10,000 inpatient + 3,000 outpatient → 8,500."""
    record = medical_record(
        make_record,
        "XL-OUT-1",
        categories=["dibao"],
        requested="15000.00",
        medical={"in_scope_self_pay": "10000", "out_of_scope": "2000"},
    )
    row = cells(record)
    row["门诊慢特病自付"] = "3000"
    row["本年已获医疗救助"] = "1000"
    [sheet_row] = read_rows(workbook([row]))

    assert sheet_row.record["medical"] == {
        "in_scope_self_pay": "10000",
        "out_of_scope": "2000",
        "outpatient_chronic_self_pay": "3000",
        "already_assisted_this_year": "1000",
    }
    need = pushed_need(api, sheet_row.record)
    assert need.statutory_coverage == D("8500.00")
    assert need.policy["costs"]["already_assisted_this_year"] == "1000.00"


def test_an_error_in_a_new_column_is_reported_under_that_column():
    headers = {column.key: column.header for column in COLUMNS}
    record = row_record({"outpatient_chronic_self_pay": "-3"})
    errors = {
        "medical.outpatient_chronic_self_pay": ["不能为负数。"],
        "medical.already_assisted_this_year": ["x"],
    }

    assert [column for column, _ in column_errors(errors, record)] == [
        headers["outpatient_chronic_self_pay"],
        headers["already_assisted_this_year"],
    ]
