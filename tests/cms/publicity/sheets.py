"""Recipient lists as the programmes' systems export them, built in memory for the tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADERS = (
    "序号",
    "姓名",
    "身份证号码",
    "联系电话",
    "家庭住址",
    "保障人数",
    "救助类别",
    "保障金额",
    "享受时间",
    "备注",
)


def xlsx(
    rows: Sequence[Sequence[object]], *, headers: Sequence[str] = HEADERS, title: str | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[object]], *, headers: Sequence[str] = HEADERS, encoding: str = "utf-8-sig"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(
    number,
    name,
    id_number="",
    phone="",
    address="",
    size=3,
    kind="全额",
    amount="1200",
    month="2026-11",
    note="",
):
    return (number, name, id_number, phone, address, size, kind, amount, month, note)
