"""The spreadsheet says what each row needs (issue 11 item 5): the template's notes name the
columns each need type must fill, and a value that is no code shows the Chinese names to use."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.factories.accounts import UserFactory
from tests.needs.test_spreadsheet import cells, record, upload, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(client):
    user = UserFactory(caseworker=True)
    client.force_login(user)
    return user


def _notes(client) -> dict[str, tuple[str, str]]:
    book = load_workbook(BytesIO(client.get("/admin/import-needs/template.xlsx").content))
    rows = [tuple(cell.value or "" for cell in row) for row in book["代码表"].iter_rows()]
    return {row[0]: (row[1], row[2]) for row in rows if row[0]}


def test_the_template_says_medical_rows_need_the_requested_amount(client, caseworker):
    notes = _notes(client)
    assert "医疗需求一律必填" in notes["申请金额"][1]
    assert "可留空" not in notes["申请金额"][1]
    required, why = notes["医疗"]
    assert required == "申请金额"
    assert "必填" in why


def test_the_template_names_the_amount_columns_of_every_need_type(client, caseworker):
    notes = _notes(client)
    assert notes["访视照料"][0].startswith("服务小时")
    assert notes["基本生活"][0] == "申请金额，或 数量＋单位"
    assert "服务小时" not in notes["教育"][0]  # hours are for service needs only


def test_a_medical_row_with_costs_but_no_amount_is_refused_under_the_amount_column(
    client, caseworker, settings
):
    settings.K_ANONYMITY_K = 1
    row = cells(record(1))
    row["救助类型"] = "医疗"
    row["申请金额"] = ""
    row["数量"] = row["单位"] = row["服务小时"] = ""
    row["政策范围内自付"] = "3000"
    report = upload(client, workbook([row])).context["report"]
    assert not report[0]["ok"]
    assert "申请金额" in [column for column, _messages in report[0]["errors"]]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("救助类型", "太空旅行", "医疗"),
        ("紧急程度", "十万火急", "紧急"),
        ("部门", "宇航局", "民政"),
        ("低收入类别", "富裕户", "特困"),
    ],
)
def test_an_unknown_value_lists_the_chinese_names_not_the_codes(client, caseworker, column, value, expected):
    row = cells(record(1))
    row[column] = value
    report = upload(client, workbook([row])).context["report"]
    errors = dict(report[0]["errors"])
    message = " ".join(errors[column])
    assert expected in message
    assert "代码表" in message
    for code in ("basic_living", "urgent", "civil_affairs", "extreme_poverty", "dibao"):
        assert code not in message
    assert value not in message  # errors never echo what was typed
