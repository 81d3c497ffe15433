"""Reading and masking recipient lists: what a row publishes, or why it is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cms.publicity.masking import cut_address, mask_table
from cms.publicity.spreadsheet import normalize_header, read_table
from core.spreadsheets import SpreadsheetError
from privacy.generalize import mask_name_for_publicity
from tests.cms.publicity.sheets import csv_bytes, row, xlsx

ID = "420111199001011234"
PHONE = "13800138000"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("王小英", "王*英"),
        ("欧阳娜娜", "欧**娜"),
        ("欧阳娜", "欧*娜"),
        ("司马懿", "司*懿"),
        ("诸葛孔明", "诸**明"),
        ("买买提·艾力", "买**·**"),
        ("阿・木", "阿・*"),
        ("李", "*"),
        ("张 三", "张*"),
    ],
)
def test_names_are_masked_by_the_publicity_rule(name, masked):
    assert mask_name_for_publicity(name) == masked


@pytest.mark.parametrize(
    ("address", "locality"),
    [
        ("湖北省武汉市洪山区珞南街道张家湾社区3栋2单元501", "珞南街道张家湾社区"),
        ("黄陂区蔡店街道刘家山村委会五组12号", "蔡店街道刘家山村"),
        ("洪山区青菱街道红霞村五组12号", "青菱街道红霞村"),
        ("武汉市江岸区后湖街道百步亭花园路8号", "后湖街道"),
        ("洪山区光谷1路社区8号", ""),  # a digit before the cut: dropped, never a house number
        ("洪山区村前路12号", ""),
        ("", ""),
    ],
)
def test_addresses_are_cut_to_the_village_or_community(address, locality):
    assert cut_address(address) == locality


@pytest.mark.parametrize("header", ["姓 名：", "姓名:", "＊姓名", "姓名（户主）", " 姓名 "])
def test_headers_tolerate_spaces_full_width_and_colons(header):
    assert normalize_header(header) == "姓名"


def test_a_gbk_csv_with_a_title_row_is_read_and_masked():
    data = csv_bytes(
        [
            row(
                1,
                "张三",
                ID,
                PHONE,
                "洪山区珞南街道张家湾社区3栋501",
                3,
                "全额",
                "1,200.00元",
                "2026年11月",
                "无",
            ),
            row(
                2,
                "欧阳娜娜",
                "",
                "１３８００１３８０００",
                "洪山区青菱街道红霞村",
                "2人",
                "差额",
                "800.5",
                "202611",
            ),
        ],
        headers=(
            "序号",
            "姓 名：",
            "身份证号",
            "手机号",
            "住址",
            "家庭人口",
            "救助类型",
            "金额（元）",
            "起始月份",
            "备注",
        ),
        encoding="gbk",
    )
    masked = mask_table(read_table(data))

    assert masked.ok
    first, second = masked.rows
    assert (first.name, first.locality, first.household_size) == ("张*", "珞南街道张家湾社区", 3)
    assert (first.assistance_type, first.amount, first.start_month) == (
        "全额",
        Decimal("1200.00"),
        date(2026, 11, 1),
    )
    assert (second.name, second.household_size, second.amount) == ("欧**娜", 2, Decimal("800.50"))
    summary = masked.summary()
    assert summary["rows"] == 2
    assert summary["ignored_columns"] == ["序号", "备注"]
    assert summary["dropped_columns"] == ["身份证号", "手机号"]


def test_an_xlsx_with_a_title_row_above_the_headers_is_read():
    data = xlsx([row(1, "王小英", ID, PHONE, "洪山区张家湾村")], title="洪山区2026年12月低保公示名单")
    table = read_table(data)

    assert table.header_row == 2
    assert mask_table(table).rows[0].name == "王*英"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("kind", "13800138000"),
        ("kind", "一三八〇〇一三八〇〇〇"),
        ("kind", "１３８ ００１３ ８０００"),
        ("kind", ID),
        ("note_in_address", "张家湾村13800138000"),
        ("kind", "张三丰"),
        ("amount", "13800138000"),
        ("month", ID),
    ],
)
def test_a_row_still_holding_an_identifier_is_refused_by_its_number(column, value):
    values = {"kind": "全额", "amount": "100", "month": "2026-11", "address": "洪山区张家湾村"}
    if column == "note_in_address":
        values["address"] = "洪山区" + value
    else:
        values[column] = value
    data = csv_bytes(
        [
            row(1, "李四", ID, PHONE),
            row(
                2,
                "张三丰",
                ID,
                PHONE,
                values["address"],
                2,
                values["kind"],
                values["amount"],
                values["month"],
            ),
        ]
    )
    masked = mask_table(read_table(data))

    if column == "note_in_address":
        # The address is cut before the number: nothing refused, nothing leaked.
        assert masked.ok and masked.rows[1].locality == "张家湾村"
        return
    assert not masked.ok
    assert {refusal.number for refusal in masked.refusals} == {3}
    text = " ".join(str(refusal) for refusal in masked.refusals)
    assert "第3行" in text
    assert value not in text and "张三丰" not in text


def test_a_row_naming_another_recipient_is_refused():
    data = csv_bytes(
        [
            row(1, "王小明"),
            row(2, "李四", address="洪山区王小明家旁张家湾村"),
            row(3, "李红霞"),
            row(4, "张五", address="和平街道红霞村"),
        ]
    )

    masked = mask_table(read_table(data))

    # Another recipient's given name alone (红霞) names a village as well: not refused.
    assert [refusal.number for refusal in masked.refusals] == [3]


def test_footer_rows_without_a_name_are_skipped_not_published():
    data = csv_bytes([row(1, "李四"), ("", "", "", "", "", "", "", "", "", "监督电话：027-87654321")])

    masked = mask_table(read_table(data))

    assert masked.ok and len(masked.rows) == 1
    assert masked.summary()["skipped_rows"] == [3]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xd0\xcf\x11\xe0old excel",
        b"PK\x03\x04broken zip",
        b"\x00\x01\x02\xff\xfe\xfd" * 10,
        "编号,金额\n1,2\n".encode(),
    ],
)
def test_an_unreadable_file_is_refused_without_a_value(data):
    with pytest.raises(SpreadsheetError) as refused:
        read_table(data)
    assert refused.value.message
