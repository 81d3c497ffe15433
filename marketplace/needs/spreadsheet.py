"""Needs in a spreadsheet (表格导入): the .xlsx template and reading rows into intake records.

Pure: no database and no files on disk. The upload is read from bytes in memory; each row
becomes the same record dict the intake API takes (see ``marketplace.needs.intake.parse_record``),
so a spreadsheet is validated exactly like a pushed batch. Headers and the code sheet are in
Chinese whatever the interface language, because they are the columns people fill in.

Reading refuses what is not really an .xlsx file (by content, not by name), a zip that
inflates beyond a sane size, and more than ``MAX_ROWS`` rows. Nothing here puts a cell's value
into an error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import Department
from core.spreadsheets import SpreadsheetError, cell_text, check_xlsx
from marketplace.needs.choices import LowIncomeCategory, NeedType, Urgency
from marketplace.needs.intake import MEDICAL_AMOUNTS, SERVICE_NEED_TYPES
from marketplace.needs.policy import CATEGORY_NAMES_ZH

MAX_ROWS = 2000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "需求导入模板.xlsx"
DEFAULT_DEPARTMENT = Department.CIVIL_AFFAIRS


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    text: bool = False  # formatted as text in the template, so Excel keeps long digit strings
    width: int = 14
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "source_ref",
        "来源编号",
        required=True,
        text=True,
        note="本单位内唯一的编号，只用英文字母、数字和 . _ : -；同一编号再次导入即更新该需求",
    ),
    Column("version", "版本", width=8, note="整数，可留空；修改已导入的需求时填写更大的版本号"),
    Column(
        "region_code",
        "区划代码",
        required=True,
        text=True,
        width=12,
        note="6位县级区划代码，如 420111；留空则为本人所在县区",
    ),
    Column(
        "head_name",
        "户主姓名",
        required=True,
        width=12,
        note="仅用于生成家庭代号和隐去文字中的身份信息，不会保存",
    ),
    Column(
        "head_id_number",
        "户主身份证号",
        required=True,
        text=True,
        width=22,
        note="18位身份证号，仅用于生成家庭代号，不会保存",
    ),
    Column("phone", "联系电话", text=True, note="仅用于隐去文字中的电话号码，不会保存"),
    Column("address", "家庭住址", width=28, note="仅用于隐去文字中的住址，不会保存"),
    Column("household_size", "家庭人口", required=True, width=10, note="1 至 30 的整数"),
    Column(
        "categories",
        "低收入类别",
        required=True,
        width=18,
        note="一个或多个，用逗号或顿号分隔；填代码或中文名称，见下表",
    ),
    Column("beneficiary_name", "受助人姓名", width=12, note="受助人不是户主时填写"),
    Column("beneficiary_id_number", "受助人身份证号", text=True, width=22, note="受助人不是户主时填写"),
    Column(
        "beneficiary_categories",
        "受助人低收入类别",
        width=18,
        note=(
            "受助人（未填受助人时为户主）本人的低收入类别，须在“低收入类别”之内；特困人员、因病致贫重病患者"
            "按人认定。留空则按家庭的类别测算医疗救助，并在测算说明中注明"
        ),
    ),
    Column("relationship", "与户主关系", width=12, note="仅供参考，不导入"),
    Column("need_type", "救助类型", required=True, width=14, note="填代码或中文名称，见下表"),
    Column("title", "标题", required=True, width=24, note="不超过200字；会自动隐去身份信息"),
    Column("description", "情况说明", width=40, note="不超过5000字；会自动隐去身份信息"),
    Column(
        "requested_amount",
        "申请金额",
        width=12,
        note=(
            "元，至少 0.01，最多两位小数；资金类需求必填，医疗需求一律必填"
            "（各类型见下方“各救助类型须填的数量”）"
        ),
    ),
    Column("quantity", "数量", width=8, note="物资类需求填写数量和单位，代替申请金额"),
    Column("unit", "单位", width=8, note="物资的单位，如 箱、件"),
    Column("hours", "服务小时", width=10, note="仅访视照料、心理疏导类需求：填写服务小时数，代替申请金额"),
    Column(
        "in_scope_self_pay",
        "政策范围内自付",
        width=14,
        note="医疗需求：住院政策范围内个人自付费用（元）；只有门诊慢特病费用或参保缴费时可留空",
    ),
    Column("out_of_scope", "政策范围外费用", width=14, note="医疗需求：政策范围外费用（元），可留空"),
    Column(
        "outpatient_chronic_self_pay",
        "门诊慢特病自付",
        width=14,
        note="医疗需求：门诊慢特病政策范围内个人自付费用（元），可留空；按不低于50%测算门诊慢特病救助",
    ),
    Column(
        "already_assisted_this_year",
        "本年已获医疗救助",
        width=14,
        note="医疗需求：受助人本年度已获得的医疗救助金额（元），可留空；用于扣减当地年度救助限额",
    ),
    Column(
        "insurance_premium",
        "医保个人缴费",
        width=14,
        note="医疗需求：城乡居民基本医疗保险个人缴费（元），可留空；特困人员全额资助，低保对象资助不低于90%",
    ),
    Column("urgency", "紧急程度", width=10, note="一般、紧急或危急（或代码），留空为一般"),
    Column(
        "needed_by", "需求截止日期", required=True, text=True, width=14, note="格式 YYYY-MM-DD，今天起五年内"
    ),
    Column("department", "部门", width=12, note="填代码或中文名称，留空为民政"),
)
HEADERS = {column.key: column.header for column in COLUMNS}

_MONEY_OR_GOODS = ("申请金额，或 数量＋单位", "资金填申请金额；物资填数量和单位")
_SERVICE = ("服务小时，或 申请金额，或 数量＋单位", "上门服务填服务小时；也可申请资金或物资")
# What each need type must fill to say how much it asks (intake: marketplace.needs.intake).
AMOUNT_COLUMNS_BY_TYPE: Mapping[str, tuple[str, str]] = {
    code: (
        (
            "申请金额",
            "填写了医疗费用（政策范围内自付、门诊慢特病自付、医保个人缴费）的医疗需求只能申请资金，申请金额必填；"
            "平台据这些费用测算法定医疗救助",
        )
        if code == NeedType.MEDICAL
        else _SERVICE
        if code in SERVICE_NEED_TYPES
        else _MONEY_OR_GOODS
    )
    for code in NeedType
}
_BY_HEADER = {column.header: column for column in COLUMNS}

# Chinese names accepted besides the codes (and shown on the code sheet, first name first).
NEED_TYPE_NAMES_ZH: Mapping[str, tuple[str, ...]] = {
    NeedType.BASIC_LIVING: ("基本生活",),
    NeedType.MEDICAL: ("医疗", "疾病应急"),
    NeedType.EDUCATION: ("教育",),
    NeedType.HOUSING: ("住房", "危房改造"),
    NeedType.EMPLOYMENT: ("就业",),
    NeedType.DISASTER: ("受灾人员救助", "受灾", "受灾救助"),
    NeedType.EMERGENCY: ("急难社会救助", "急难/临时救助", "急难", "临时救助", "急难救助", "急难临时救助"),
    NeedType.CARE_SERVICE: ("访视照料",),
    NeedType.COUNSELLING: ("心理疏导/社会融入", "心理疏导", "社会融入"),
    NeedType.FUNERAL: ("殡葬费用减免", "殡葬"),
    NeedType.DISABILITY: ("残疾人帮扶/无障碍改造", "残疾人帮扶", "无障碍改造"),
    NeedType.OTHER: ("其他",),
}
CATEGORY_ALIASES_ZH: Mapping[str, tuple[str, ...]] = {
    LowIncomeCategory.EXTREME_POVERTY: ("特困", "特困供养人员"),
    LowIncomeCategory.DIBAO: ("低保", "最低生活保障对象"),
    LowIncomeCategory.RELAPSE_MONITORING: ("返贫监测对象", "监测对象"),
    LowIncomeCategory.NEAR_DIBAO: ("低保边缘", "最低生活保障边缘家庭成员", "低保边缘家庭"),
    LowIncomeCategory.RIGID_EXPENDITURE: ("刚性支出困难", "刚性支出困难家庭"),
    LowIncomeCategory.ILLNESS_POVERTY: ("因病致贫",),
    LowIncomeCategory.OTHER: ("其他",),
}
URGENCY_NAMES_ZH: Mapping[str, tuple[str, ...]] = {
    Urgency.NORMAL: ("一般", "普通"),
    Urgency.URGENT: ("紧急",),
    # 特急 is accepted from spreadsheets written with it, never shown (docs/glossary.md).
    Urgency.CRITICAL: ("危急", "特急", "特别紧急"),
}
DEPARTMENT_NAMES_ZH: Mapping[str, tuple[str, ...]] = {
    Department.CIVIL_AFFAIRS: ("民政",),
    Department.EDUCATION: ("教育",),
    Department.FINANCE: ("财政",),
    Department.HRSS: ("人社", "人力资源和社会保障"),
    Department.HOUSING: ("住建", "住房和城乡建设"),
    Department.AGRICULTURE: ("农业农村",),
    Department.HEALTH: ("卫健", "卫生健康"),
    Department.EMERGENCY: ("应急", "应急管理"),
    Department.MEDICAL_SECURITY: ("医保", "医疗保障"),
    Department.DATA: ("数据局",),
    Department.DISABLED_FEDERATION: ("残联",),
    Department.TRADE_UNION: ("总工会",),
    Department.WOMENS_FEDERATION: ("妇联",),
    Department.YOUTH_LEAGUE: ("共青团",),
}


def _lookup(
    names: Mapping[str, tuple[str, ...]], *, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    table = {str(code): str(code) for code in names}
    for code, aliases in names.items():
        for alias in aliases:
            table[alias] = str(code)
    table.update(extra or {})
    return table


_NEED_TYPES = _lookup(NEED_TYPE_NAMES_ZH)
_CATEGORIES = _lookup(
    CATEGORY_ALIASES_ZH, extra={name: str(code) for code, name in CATEGORY_NAMES_ZH.items()}
)
_URGENCIES = _lookup(URGENCY_NAMES_ZH)
_DEPARTMENTS = _lookup(DEPARTMENT_NAMES_ZH)
_LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")
_DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")

# Intake's field paths → the column a person fixes. ``requested_amount`` depends on the row.
_PATH_HEADERS = {
    "source_ref": "来源编号",
    "version": "版本",
    "region_code": "区划代码",
    "household": "户主身份证号",
    "household.name": "户主姓名",
    "household.id_number": "户主身份证号",
    "household.phone": "联系电话",
    "household.address": "家庭住址",
    "household.size": "家庭人口",
    "household.categories": "低收入类别",
    "beneficiary": "受助人姓名",
    "beneficiary.name": "受助人姓名",
    "beneficiary.id_number": "受助人身份证号",
    "beneficiary.birth_date": "受助人身份证号",
    "beneficiary.sex": "受助人身份证号",
    "need_type": "救助类型",
    "title": "标题",
    "description": "情况说明",
    "requested_amount.hours": "服务小时",
    "requested_amount.quantity": "数量",
    "requested_amount.unit": "单位",
    "medical": "政策范围内自付",
    "medical.in_scope_self_pay": "政策范围内自付",
    "medical.out_of_scope": "政策范围外费用",
    "medical.outpatient_chronic_self_pay": "门诊慢特病自付",
    "medical.already_assisted_this_year": "本年已获医疗救助",
    "medical.insurance_premium": "医保个人缴费",
    "beneficiary_categories": "受助人低收入类别",
    "urgency": "紧急程度",
    "needed_by": "需求截止日期",
    "department": "部门",
}


@dataclass(frozen=True)
class SheetRow:
    """One filled-in row: its number in the sheet and the intake record it reads as."""

    number: int
    record: dict

    def __repr__(self) -> str:  # the record holds identity: keep it out of logs
        return f"SheetRow(number={self.number})"


# --- the template ------------------------------------------------------------------------------


def build_template() -> bytes:
    """The .xlsx template: the needs sheet with Chinese headers, and a sheet of valid codes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "需求"
    header_font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="E7EEF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = header_font
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            # Text cells keep ID numbers and codes as typed (Excel would round 18 digits).
            for row in range(2, MAX_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "B2"

    codes = workbook.create_sheet("代码表")
    codes.column_dimensions["A"].width = 18
    codes.column_dimensions["B"].width = 30
    codes.column_dimensions["C"].width = 60
    rows: list[tuple[str, str, str]] = [("列名", "是否必填", "说明")]
    rows += [(c.header, "必填" if c.required else "选填", c.note) for c in COLUMNS]
    rows += [("", "", "")]
    rows += [("低收入类别代码", "中文名称", "")]
    rows += [
        (str(code), CATEGORY_NAMES_ZH[code], "、".join(CATEGORY_ALIASES_ZH[code]))
        for code in LowIncomeCategory
    ]
    rows += [("", "", ""), ("救助类型代码", "中文名称", "")]
    rows += [
        (str(code), NEED_TYPE_NAMES_ZH[code][0], "、".join(NEED_TYPE_NAMES_ZH[code][1:])) for code in NeedType
    ]
    rows += [("", "", ""), ("各救助类型须填的数量", "须填的列", "说明")]
    rows += [(NEED_TYPE_NAMES_ZH[code][0], *AMOUNT_COLUMNS_BY_TYPE[code]) for code in NeedType]
    rows += [("", "", ""), ("紧急程度代码", "中文名称", "")]
    rows += [
        (str(code), URGENCY_NAMES_ZH[code][0], "、".join(URGENCY_NAMES_ZH[code][1:])) for code in Urgency
    ]
    rows += [("", "", ""), ("部门代码", "中文名称", "")]
    rows += [
        (str(code), DEPARTMENT_NAMES_ZH[code][0], "、".join(DEPARTMENT_NAMES_ZH[code][1:]))
        for code in Department
    ]
    for row in rows:
        codes.append(row)
    for row in codes.iter_rows():
        if row[0].value in {
            "列名",
            "低收入类别代码",
            "救助类型代码",
            "各救助类型须填的数量",
            "紧急程度代码",
            "部门代码",
        }:
            for cell in row:
                cell.font = header_font
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading an upload -------------------------------------------------------------------------


def _unreadable() -> str:
    return _("This Excel file cannot be read. Save it again as .xlsx and retry.")


def _whole_number(text: str) -> int | str | None:
    """``"3"`` → 3; blank → ``None``; anything else stays text for intake to refuse."""
    if not text:
        return None
    # Up to 18 digits: int() of thousands of digits raises; intake refuses the longer text anyway.
    if re.fullmatch(r"[0-9]{1,18}", text):
        return int(text)
    return text


def _date(text: str) -> str:
    match = _DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def _code(text: str, table: Mapping[str, str]) -> str:
    return table.get(text, table.get(text.lower(), text))


def row_record(cells: Mapping[str, str], *, default_region_code: str = "") -> dict:
    """The intake record of one row, given its cells as text by column key."""
    get = lambda key: cells.get(key, "")  # noqa: E731 - a short local reader
    household: dict[str, Any] = {
        "name": get("head_name"),
        "id_number": get("head_id_number"),
        "phone": get("phone"),
        "address": get("address"),
        "size": _whole_number(get("household_size")),
        "categories": _category_codes(get("categories")),
    }
    record: dict[str, Any] = {
        "source_ref": get("source_ref"),
        "region_code": get("region_code") or default_region_code,
        "household": household,
        "need_type": _code(get("need_type"), _NEED_TYPES) or None,
        "title": get("title"),
        "description": get("description"),
        "urgency": _code(get("urgency"), _URGENCIES) or Urgency.NORMAL.value,
        "needed_by": _date(get("needed_by")),
        "department": _code(get("department"), _DEPARTMENTS) or DEFAULT_DEPARTMENT.value,
    }
    version = _whole_number(get("version"))
    if version is not None:
        record["version"] = version
    if get("beneficiary_name") or get("beneficiary_id_number"):
        record["beneficiary"] = {"name": get("beneficiary_name"), "id_number": get("beneficiary_id_number")}
    if get("hours"):
        record["requested_amount"] = {"hours": get("hours")}
    elif get("quantity") or get("unit"):
        record["requested_amount"] = {"quantity": get("quantity"), "unit": get("unit")}
    else:
        record["requested_amount"] = get("requested_amount")
    if get("beneficiary_categories"):
        record["beneficiary_categories"] = _category_codes(get("beneficiary_categories"))
    medical = {key: get(key) for key in MEDICAL_AMOUNTS if get(key)}
    if medical:
        record["medical"] = medical
    return record


def _category_codes(text: str) -> list[str]:
    return [_code(part, _CATEGORIES) for part in _LIST_SEPARATORS.split(text) if part]


def read_rows(data: bytes, *, default_region_code: str = "") -> list[SheetRow]:
    """The filled-in rows of the first sheet of an .xlsx file, as intake records.

    Blank rows are skipped. Raises ``SpreadsheetError`` for a file that is not an .xlsx
    workbook, lacks required columns, has no rows or more than ``MAX_ROWS``.
    """
    check_xlsx(data)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SpreadsheetError(
            _("This Excel file cannot be read. Save it again as .xlsx and retry.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header_row = next(lines, None) or ()
        keys = [(_BY_HEADER.get(cell_text(value).replace("*", "").strip())) for value in header_row]
        present = {column.header for column in keys if column is not None}
        missing = [column.header for column in COLUMNS if column.required and column.header not in present]
        if missing:
            raise SpreadsheetError(
                _("The first row must hold the template's column names; missing: %(columns)s.")
                % {"columns": "、".join(missing)}
            )
        rows: list[SheetRow] = []
        for number, values in enumerate(lines, start=2):
            cells = {
                column.key: cell_text(value)
                for column, value in zip(keys, values, strict=False)
                if column is not None and value is not None
            }
            if not any(cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise SpreadsheetError(
                    _("A file may hold at most %(n)s rows of needs; split it into several files.")
                    % {"n": f"{MAX_ROWS:,}"}
                )
            rows.append(SheetRow(number, row_record(cells, default_region_code=default_region_code)))
    except SpreadsheetError:
        raise
    except Exception as exc:  # a sheet that breaks half-way through reading
        raise SpreadsheetError(_unreadable()) from exc
    finally:
        workbook.close()
    if not rows:
        raise SpreadsheetError(_("The file holds no needs below the column names."))
    return rows


def column_for(path: str, record: Mapping) -> str:
    """The Chinese column name a person fixes for intake's field ``path`` (``""``: the row)."""
    if path == "requested_amount":
        amount = record.get("requested_amount")
        if isinstance(amount, Mapping):
            return HEADERS["hours"] if "hours" in amount else HEADERS["quantity"]
        return HEADERS["requested_amount"]
    return _PATH_HEADERS.get(path, "")


# Coded columns: intake's path → the Chinese names a person may write (first name of each code).
_CHOICE_NAMES: Mapping[str, tuple[Callable[[Mapping], list], Mapping[str, tuple[str, ...]]]] = {
    "need_type": (lambda record: [record.get("need_type")], NEED_TYPE_NAMES_ZH),
    "urgency": (lambda record: [record.get("urgency")], URGENCY_NAMES_ZH),
    "department": (lambda record: [record.get("department")], DEPARTMENT_NAMES_ZH),
    "household.categories": (
        lambda record: list(record.get("household", {}).get("categories") or []),
        {code: (CATEGORY_NAMES_ZH[code],) for code in LowIncomeCategory},
    ),
    "beneficiary_categories": (
        lambda record: list(record.get("beneficiary_categories") or []),
        {code: (CATEGORY_NAMES_ZH[code],) for code in LowIncomeCategory},
    ),
}


def _unknown_choice(path: str, record: Mapping) -> str | None:
    """For a coded column holding a value that is no code nor name: what to write instead, by
    its Chinese names (intake's own message lists the codes, which the sheet's users do not type)."""
    if path not in _CHOICE_NAMES:
        return None
    read, names = _CHOICE_NAMES[path]
    values = read(record)
    if all(value in names for value in values if value):
        return None
    return _("Not recognised: write one of %(names)s (or its code from the sheet 代码表).") % {
        "names": "、".join(aliases[0] for aliases in names.values())
    }


def column_errors(errors: Mapping[str, list[str]], record: Mapping) -> list[tuple[str, list[str]]]:
    """Intake's field errors by column, in the template's column order; row-wide errors last."""
    by_column: dict[str, list[str]] = {}
    for path, messages in errors.items():
        unknown = _unknown_choice(path, record)
        by_column.setdefault(column_for(path, record), []).extend([unknown] if unknown else messages)
    order = {column.header: index for index, column in enumerate(COLUMNS)}
    return sorted(by_column.items(), key=lambda item: order.get(item[0], len(order)))
