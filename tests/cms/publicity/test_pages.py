"""The publicity list as the public and the back office see it: the command contract, the page,
its expiry (410 after the period), what leaves the page tree, and the admin import."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from wagtail.models import PageLogEntry, Revision

from cms import selectors
from cms.models import NoticeIndexPage, PublicityListPage, PublicityListRow
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create, publicity_lists_expire
from cms.publicity.spreadsheet import read_table
from cms.tasks import expire_publicity_lists
from tests.cms.publicity.sheets import csv_bytes, row, xlsx
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID = "420111199001011234"
PHONE = "13800138000"
ROWS = [
    row(
        1,
        "张三",
        ID,
        PHONE,
        "湖北省武汉市洪山区珞南街道张家湾社区3栋2单元501",
        3,
        "全额",
        "1200",
        "2026年11月",
    ),
    row(
        2,
        "欧阳娜娜",
        "420111198502021238",
        "13912345678",
        "洪山区青菱街道红霞村五组12号",
        2,
        "差额",
        "800",
        "2026-11",
    ),
    row(3, "买买提·艾力", "", "", "洪山区和平街道", 1, "全额", "650", "202611"),
]


def _command(path, *extra):
    out = io.StringIO()
    args = [
        str(path),
        "--title",
        "洪山区2026年12月低保对象公示",
        "--programme",
        "dibao",
        "--region",
        "420111",
    ]
    call_command(
        "import_publicity_list", *args, "--start", "2026-12-01", "--end", "2026-12-07", *extra, stdout=out
    )
    return out.getvalue()


def _at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def _list(home, **overrides):
    fields = {
        "title": "洪山区2026年12月低保对象公示",
        "programme": "dibao",
        "region_code": "420111",
        "period_start": date(2026, 12, 1),
        "period_end": date(2026, 12, 7),
        "objection_phone": "027-87654321",
        "objection_address": "洪山区民政局（珞喻路 1 号）",
    }
    fields.update(overrides)
    return publicity_list_create(masked=mask_table(read_table(csv_bytes(ROWS))), parent=home, **fields)


# --- the shell contract ------------------------------------------------------------------------


def test_the_command_publishes_the_list_and_prints_its_url_last(tmp_path, notices_section, client):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(ROWS, title="洪山区2026年12月低保对象公示名单"))

    with _at(date(2026, 12, 2)):
        output = _command(path)
        page = PublicityListPage.objects.get()
        last = output.strip().splitlines()[-1]
        assert last == page.full_url
        assert last.startswith("http://") and page.url in last
        assert page.live
        html = client.get(page.url).content.decode()

    assert "张*" in html and "欧**娜" in html and "买**·**" in html
    assert "张三" not in html and "欧阳娜娜" not in html and ID not in html and PHONE not in html
    assert (page.programme, page.region_id) == ("dibao", "420111")
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()


def test_a_csv_in_gbk_is_imported_by_the_command(tmp_path, notices_section):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="gbk"))

    output = _command(path)

    assert output.strip().splitlines()[-1] == PublicityListPage.objects.get().full_url


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02 not a spreadsheet \xff\xfe", "CSV"),
        (b"PK\x03\x04 not a zip", "Excel"),
    ],
)
def test_an_unreadable_file_exits_non_zero_and_creates_nothing(tmp_path, notices_section, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        _command(path)

    assert not PublicityListPage.objects.exists()


def test_a_missing_file_exits_non_zero(tmp_path, notices_section):
    with pytest.raises(CommandError, match="cannot be read"):
        _command(tmp_path / "absent.xlsx")


def test_an_unmaskable_row_exits_non_zero_naming_the_row_and_creates_nothing(
    tmp_path, notices_section, caplog
):
    bad = row(4, "李四", ID, PHONE, "洪山区张家湾村", 2, "一三八〇〇一三八〇〇〇", "100", "2026-11")
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([*ROWS, bad]))

    with pytest.raises(CommandError) as refused:
        _command(path)

    assert "第5行" in str(refused.value)
    assert "一三八〇〇一三八〇〇〇" not in str(refused.value) and "李四" not in str(refused.value)
    assert not PublicityListPage.objects.exists()
    assert not PublicityListRow.objects.exists()
    assert "李四" not in caplog.text


def test_without_a_notices_section_the_command_says_so_and_creates_nothing(tmp_path):
    NoticeIndexPage.objects.get().unpublish()
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(ROWS))

    with pytest.raises(CommandError, match="公示公告"):
        _command(path)

    assert not PublicityListPage.objects.exists()


# --- the page and its period -------------------------------------------------------------------


def test_the_page_is_200_on_the_last_day_and_410_after(notices_section, client):
    page = _list(notices_section)

    with _at(date(2026, 12, 7), hour=23):
        response = client.get(page.url)
        assert response.status_code == 200
        assert "在线提出异议" in response.content.decode()
        assert publicity_lists_expire() == 0

    with _at(date(2026, 12, 8), hour=0):
        response = client.get(page.url)
        assert response.status_code == 410
        html = response.content.decode()
        assert "公示期已于 2026年12月7日 结束" in html
        assert "张*" not in html

        assert expire_publicity_lists.delay().get() == 1
        assert expire_publicity_lists.delay().get() == 0  # idempotent

        page.refresh_from_db()
        assert not page.live
        assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish").exists()
        gone = client.get(page.url)
        assert gone.status_code == 410
        assert "公示期已于 2026年12月7日 结束" in gone.content.decode()


def test_a_list_unpublished_during_its_period_is_simply_not_found(notices_section, client):
    page = _list(notices_section)
    with _at(date(2026, 12, 3)):
        page.unpublish()
        assert client.get(page.url).status_code == 404


def test_the_objection_link_files_an_objection_about_this_list(notices_section, client):
    page = _list(notices_section)
    with _at(date(2026, 12, 3)):
        html = client.get(page.url).content.decode()
    assert f'href="/complaints/new/?kind=objection&amp;publicity_list={page.pk}"' in html
    assert "027-87654321" in html and "洪山区民政局" in html


def test_search_document_and_objection_summary_follow_the_contract(notices_section):
    page = _list(notices_section)

    document = selectors.notice_search_document(page.pk)
    assert set(document) == {
        "id", "kind", "title", "body", "notice_type", "notice_type_label",
        "region", "region_name", "date", "year", "url",
    }  # fmt: skip
    assert document["id"] == str(page.pk) and document["kind"] == "notice"
    assert document["notice_type"] == "publicity" and document["notice_type_label"] == "公示公告"
    assert (document["region"], document["region_name"]) == ("420111", "洪山区")
    assert (document["date"], document["year"], document["url"]) == ("2026-12-01", 2026, page.url)
    assert "最低生活保障" in document["body"] and "2026年12月7日" in document["body"]
    for secret in ("张", "欧", "买", "全额", "1200"):
        assert secret not in document["body"]

    with _at(date(2026, 12, 7)):
        summary = selectors.publicity_list(page.pk)
    assert summary == {
        "id": page.pk,
        "title": page.title,
        "url": page.url,
        "programme": "dibao",
        "programme_label": "最低生活保障（低保）",
        "region": "420111",
        "period_start": date(2026, 12, 1),
        "period_end": date(2026, 12, 7),
        "objection_open": True,
    }
    with _at(date(2026, 12, 8)):
        assert selectors.publicity_list(page.pk)["objection_open"] is False


def test_revisions_hold_masked_rows_only(notices_section):
    page = _list(notices_section)

    contents = [str(revision.content) for revision in Revision.objects.filter(object_id=str(page.pk))]

    assert contents and all("张*" in content for content in contents)
    for content in contents:
        for secret in ("张三", "欧阳娜娜", "买买提", ID, PHONE, "3栋", "501"):
            assert secret not in content


# --- the back office ---------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_staff_import_a_file_and_see_the_summary_before_publishing(notices_section, client, editor):
    page = _list(notices_section)
    new_rows = [*ROWS, row(4, "王小英", ID, PHONE, "洪山区张家湾村", 1, "全额", "500", "2026-12")]
    upload = io.BytesIO(xlsx(new_rows))
    upload.name = "名单.xlsx"

    response = client.post(f"/admin/publicity-lists/{page.pk}/import/", {"file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "已导入 4 行。" in html
    assert "身份证号码、联系电话" in html  # named as not published
    assert "序号、备注" in html  # ignored
    assert "没有被拒绝的行。" in html
    page.refresh_from_db()
    assert page.rows.count() == 3  # the live list changes only when the draft is published
    draft = page.get_latest_revision_as_object()
    assert [r.masked_name for r in draft.rows.all()] == ["张*", "欧**娜", "买**·**", "王*英"]

    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "从表格导入名单" in edit and "已导入 4 行。" in edit


def test_staff_see_refused_rows_by_number_and_nothing_changes(notices_section, client, editor):
    page = _list(notices_section)
    revisions = Revision.objects.filter(object_id=str(page.pk)).count()
    upload = io.BytesIO(csv_bytes([*ROWS, row(4, "王小英", kind="13800138000")]))
    upload.name = "名单.csv"

    html = client.post(f"/admin/publicity-lists/{page.pk}/import/", {"file": upload}).content.decode()

    assert "第5行“救助类别”列" in html
    assert "未导入任何一行" in html
    assert "13800138000" not in html and "王小英" not in html
    assert Revision.objects.filter(object_id=str(page.pk)).count() == revisions


def test_the_import_page_is_for_those_who_may_edit_the_list(notices_section, client):
    page = _list(notices_section)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(f"/admin/publicity-lists/{page.pk}/import/").status_code in (302, 403)
