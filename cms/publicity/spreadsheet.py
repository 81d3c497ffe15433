"""Reading a recipient list exported by a programme's own system (.xlsx or .csv).

Pure: the file is read from bytes in memory, nothing touches the disk or the database. The
columns are recognized by their header as staff name them (``COLUMN_HEADERS``), tolerating
spaces, full-width characters, a trailing colon, a ``*`` and a unit in brackets (金额（元）).
The header row may sit below a title row (``XX区2026年12月低保公示名单``): the first of the
first ``HEADER_SEARCH_ROWS`` rows that names the 姓名 column is the header.

CSV files are read as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
mark, or GB18030 (a superset of GBK and GB2312, as Chinese government systems export). An old
binary .xls file is refused with what to do. Nothing here puts a cell's value into an error
message, and the file is never kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core.spreadsheets import SpreadsheetError, cell_text, check_xlsx, is_xlsx

MAX_ROWS = 5000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 10

NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"
ADDRESS = "address"
HOUSEHOLD_SIZE = "household_size"
ASSISTANCE_TYPE = "assistance_type"
AMOUNT = "amount"
START_MONTH = "start_month"

# Every header staff write for a column (after ``normalize_header``). The ID number and the
# phone are recognized only to be dropped: the summary says they were not published.
COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    NAME: ("姓名", "户主姓名", "申请人姓名", "救助对象姓名", "保障对象姓名"),
    ID_NUMBER: ("身份证号", "身份证号码", "公民身份号码", "户主身份证号", "证件号码"),
    PHONE: ("联系电话", "手机号", "手机号码", "电话", "联系方式"),
    ADDRESS: ("家庭住址", "住址", "家庭地址", "地址", "居住地址"),
    HOUSEHOLD_SIZE: ("家庭人口", "保障人数", "家庭人口数", "人口数", "家庭人数"),
    ASSISTANCE_TYPE: ("救助类别", "救助类型", "保障类别", "供养方式"),
    AMOUNT: ("金额", "保障金额", "救助金额", "月保障金额", "发放金额", "补助金额"),
    START_MONTH: ("起始月份", "享受时间", "起始时间", "享受起始时间", "保障起始月份"),
}
DROPPED_COLUMNS = frozenset({ID_NUMBER, PHONE})
_BY_HEADER = {header: key for key, headers in COLUMN_HEADERS.items() for header in headers}
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


def normalize_header(text: str) -> str:
    """A header as compared: NFKC, without spaces, ``*``, trailing colons or a bracketed unit."""
    text = "".join(unicodedata.normalize("NFKC", text).split()).replace("*", "")
    return _BRACKETED.sub("", text).rstrip(":")


@dataclass(frozen=True)
class Table:
    """A file's rows below its header: ``columns`` maps a recognized key to its cell index.

    ``headers`` are the header cells as written (for the summary and refusals); ``rows`` yields
    (row number as the spreadsheet shows it, cells as text). Holds the values: never log it.
    """

    header_row: int
    headers: tuple[str, ...]
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]] = field(repr=False)

    def __repr__(self) -> str:
        return f"Table(header_row={self.header_row}, columns={sorted(self.columns)}, rows={len(self.rows)})"

    def header_of(self, key: str) -> str:
        return self.headers[self.columns[key]]


def read_table(data: bytes) -> Table:
    """The recipients' rows of an .xlsx or .csv file, by recognized column.

    Raises ``SpreadsheetError`` (a message for the uploader, never a cell's value) when the
    file is neither, cannot be decoded, has no 姓名 column in its first rows, no row below it,
    or more than ``MAX_ROWS`` rows.
    """
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    lines = _xlsx_lines(data) if is_xlsx(data) else _csv_lines(data)
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in lines:
            if header is None:
                if NAME in {_BY_HEADER.get(normalize_header(cell)) for cell in cells}:
                    header = (number, cells)
                elif number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(cells):
                continue
            if len(rows) == MAX_ROWS:
                raise SpreadsheetError(
                    _("A list may hold at most %(n)s rows; split it into several lists.")
                    % {"n": f"{MAX_ROWS:,}"}
                )
            rows.append((number, cells))
    finally:
        lines.close()
    if header is None:
        raise SpreadsheetError(
            _(
                "No column named 姓名 in the first %(n)d rows: the row of column names (姓名, 家庭住址, "
                "救助类别 …) must be at the top of the sheet."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    header_row, header_cells = header
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        key = _BY_HEADER.get(normalize_header(cell))
        if key is not None and key not in columns:
            columns[key] = index
    if not rows:
        raise SpreadsheetError(_("The file holds no rows below the column names."))
    return Table(header_row=header_row, headers=tuple(header_cells), columns=columns, rows=rows)


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SpreadsheetError(_unreadable()) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    except SpreadsheetError:
        raise
    except Exception as exc:  # a sheet that breaks half-way through reading
        raise SpreadsheetError(_unreadable()) from exc
    finally:
        workbook.close()


def _unreadable() -> str:
    return _("This file cannot be read. Save it again as .xlsx (or .csv) and retry.")


# Text encodings tried in order; GB18030 decodes GBK and GB2312 too.
_ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("This is an old Excel (.xls) file: open it in Excel or WPS and save it as .xlsx or .csv.")
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = _ENCODINGS
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise SpreadsheetError(_("This is neither an Excel (.xlsx) file nor a CSV text file (UTF-8 or GBK)."))


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise SpreadsheetError(_unreadable()) from exc
