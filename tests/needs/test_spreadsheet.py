"""Importing needs from a spreadsheet: template, dry-run preview, import, errors by column."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from marketplace.needs.demo import synthetic_record
from marketplace.needs.models import Need, NeedTransition, SourceSystem
from marketplace.needs.spreadsheet import COLUMNS, SpreadsheetError, read_rows, row_record
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def record(n: int, **overrides) -> dict:
    rng = random.Random(n)
    made = synthetic_record(rng, source_ref=f"XL-{n}", county_code="420111", today=timezone.localdate())
    made.update(overrides)
    return made


def cells(made: dict) -> dict[str, object]:
    """A synthetic intake record as a person would type it into the template (Chinese headers)."""
    household = made["household"]
    row: dict[str, object] = {
        "来源编号": made["source_ref"],
        "版本": made.get("version"),
        "区划代码": made["region_code"],
        "户主姓名": household["name"],
        "户主身份证号": household["id_number"],
        "联系电话": household["phone"],
        "家庭住址": household["address"],
        "家庭人口": household["size"],
        "低收入类别": "、".join(household["categories"]),
        "救助类型": made["need_type"],
        "标题": made["title"],
        "情况说明": made["description"],
        "紧急程度": made["urgency"],
        "需求截止日期": made["needed_by"],
        "部门": made["department"],
    }
    amount = made["requested_amount"]
    if isinstance(amount, dict) and "hours" in amount:
        row["服务小时"] = amount["hours"]
    elif isinstance(amount, dict):
        row["数量"], row["单位"] = amount["quantity"], amount["unit"]
    else:
        row["申请金额"] = amount
    if made.get("medical"):
        row["政策范围内自付"] = made["medical"]["in_scope_self_pay"]
        row["政策范围外费用"] = made["medical"]["out_of_scope"]
    return row


def workbook(rows: list[dict[str, object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    headers = [column.header for column in COLUMNS]
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "needs.xlsx", **extra):
    return client.post(
        "/admin/import-needs/", {"file": SimpleUploadedFile(name, data, content_type=XLSX), **extra}
    )


@pytest.fixture
def caseworker(client):
    user = UserFactory(caseworker=True)
    client.force_login(user)
    return user


@pytest.fixture
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def test_the_template_downloads_with_the_chinese_headers_and_the_codes(client, caseworker):
    response = client.get("/admin/import-needs/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers[:9] == [
        "来源编号",
        "版本",
        "区划代码",
        "户主姓名",
        "户主身份证号",
        "联系电话",
        "家庭住址",
        "家庭人口",
        "低收入类别",
    ]
    rest = "受助人姓名 受助人身份证号 与户主关系 救助类型 标题 情况说明 申请金额 数量 单位"
    rest += " 服务小时 政策范围内自付 政策范围外费用 紧急程度 需求截止日期 部门"
    assert set(rest.split()) <= set(headers)
    codes = {cell.value for row in book["代码表"].iter_rows() for cell in row}
    assert {"dibao", "特困人员", "medical", "urgent", "civil_affairs", "民政"} <= codes


def test_a_good_upload_previews_ok_and_writes_nothing(client, caseworker, publish_at_once):
    rows = [cells(record(n)) for n in range(3)]
    response = upload(client, workbook(rows))
    assert response.status_code == 200
    report = response.context["report"]
    assert [line["ok"] for line in report] == [True, True, True]
    assert [line["number"] for line in report] == [2, 3, 4]
    assert response.context["dry_run"]
    assert not Need.objects.exists()
    assert not NeedTransition.objects.exists()
    # The preview shows no identity, and nothing of the rows is kept in the session.
    for row in rows:
        assert row["户主姓名"] not in response.text
        assert row["户主身份证号"] not in response.text
    session = json.dumps(dict(client.session.items()), ensure_ascii=False, default=str)
    assert rows[0]["户主身份证号"] not in session


def confirm(client, preview):
    reference = preview.context["confirm_form"]["reference"].value()
    return client.post("/admin/import-needs/", {"reference": str(reference)})


def test_confirming_the_preview_imports_the_needs(client, caseworker, publish_at_once):
    rows = [cells(record(n)) for n in range(3)]
    data = workbook(rows)
    preview = upload(client, data)

    response = confirm(client, preview)
    assert response.status_code == 200
    assert not response.context["dry_run"]
    assert Need.objects.count() == 3
    system = SourceSystem.objects.get()
    assert system.name.startswith("表格导入·洪山区")
    assert system.region_id == "420111"
    stored = json.dumps(
        [list(Need.objects.values_list("title", "summary", "household_token"))], ensure_ascii=False
    )
    for row in rows:
        assert row["户主姓名"] not in stored
        assert row["户主身份证号"] not in stored
    assert set(NeedTransition.objects.values_list("actor", flat=True)) == {caseworker.pk}

    # The same file again changes nothing.
    again = confirm(client, upload(client, data))
    assert {line["status"] for line in again.context["report"]} == {again.context["report"][0]["status"]}
    assert Need.objects.count() == 3


def test_a_bad_row_shows_its_errors_by_chinese_column_name(client, caseworker, publish_at_once):
    good = cells(record(1))
    bad = cells(record(2))
    bad["户主身份证号"] = "420111199001011230"  # wrong check character
    bad["需求截止日期"] = (timezone.localdate() - timedelta(days=3)).isoformat()
    bad["救助类型"] = "太空旅行"
    response = upload(client, workbook([good, bad]))
    report = response.context["report"]
    assert report[0]["ok"]
    assert not report[1]["ok"]
    columns = [column for column, _messages in report[1]["errors"]]
    assert columns == ["户主身份证号", "救助类型", "需求截止日期"]  # in the template's order
    assert "需求截止日期" in response.text
    assert "太空旅行" not in response.text  # errors never echo what was typed


def test_a_text_file_renamed_xlsx_is_refused(client, caseworker):
    response = upload(client, "来源编号,户主姓名\nA-1,张三\n".encode(), name="needs.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "report" not in response.context
    assert not SourceSystem.objects.exists()


def test_other_extensions_are_refused(client, caseworker):
    response = upload(client, workbook([cells(record(1))]), name="needs.csv")
    assert response.context["form"].errors["file"]


def test_a_file_over_5_mb_is_refused_without_touching_the_disk(client, caseworker, monkeypatch):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload reached a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_disk)
    response = upload(client, b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_3_mb_upload_stays_in_memory(client, caseworker, monkeypatch):
    # Django writes uploads over 2.5 MB to a temporary file; this view must not.
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload reached a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_disk)
    response = upload(client, b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]  # not a real workbook, but read from memory


def test_the_import_checks_csrf_after_choosing_the_in_memory_handler(
    caseworker, monkeypatch, publish_at_once
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert upload(client, workbook([cells(record(1))])).status_code == 403

    # With a token, the CSRF check (which reads the upload) must still keep it off the disk.
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload reached a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_disk)
    client.get("/admin/import-needs/")
    token = client.cookies["csrftoken"].value
    response = upload(client, b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024), csrfmiddlewaretoken=token)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    response = upload(client, workbook([cells(record(1))]), csrfmiddlewaretoken=token)
    assert response.context["report"][0]["ok"]


def test_only_caseworkers_may_import(client, publish_at_once):
    client.force_login(UserFactory(supervisor=True))
    response = upload(client, workbook([cells(record(1))]))
    assert response.status_code == 302
    assert not Need.objects.exists()


# --- reading rows (pure) -----------------------------------------------------------------------


def test_chinese_names_are_read_as_codes():
    made = row_record(
        {
            "categories": "低保、因病致贫",
            "need_type": "医疗",
            "urgency": "特急",
            "department": "医保",
            "needed_by": "2030/1/5",
            "household_size": "3",
        },
        default_region_code="420111",
    )
    assert made["household"]["categories"] == ["dibao", "illness_poverty"]
    assert made["household"]["size"] == 3
    assert (made["need_type"], made["urgency"], made["department"]) == (
        "medical",
        "critical",
        "medical_security",
    )
    assert made["needed_by"] == "2030-01-05"
    assert made["region_code"] == "420111"


def test_more_than_2000_rows_are_refused():
    rows = [{"来源编号": f"R-{n}", "标题": "x"} for n in range(2001)]
    with pytest.raises(SpreadsheetError):
        read_rows(workbook(rows))


def test_a_sheet_without_the_template_headers_is_refused():
    book = Workbook()
    book.active.append(["姓名", "金额"])
    book.active.append(["张三", 100])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(SpreadsheetError) as error:
        read_rows(buffer.getvalue())
    assert "来源编号" in error.value.message
