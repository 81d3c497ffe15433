"""Property: whatever a programme's export holds, no full name, ID number or phone number of it
is ever rendered, stored (rows and revisions), logged or kept in a revision.

Each example builds a list of 1-5 recipients: names of 2-4 characters (compound surnames too)
or ethnic-minority names with a middle dot; a valid ID number and a mobile number each written
plainly, in full-width digits, spaced or in Chinese numerals; an address with its house number;
and, in any column (the kept ones too), another ID number, phone number or recipient's name. The
file is an .xlsx or a CSV in UTF-8 or GB18030. Either the import refuses rows (and then creates
nothing and names no value), or every published value is clean.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Revision

from cms.models import PublicityListPage, PublicityListRow
from cms.publicity.masking import MaskedList, mask_table
from cms.publicity.services import ListRefused, publicity_list_create
from cms.publicity.spreadsheet import read_table
from privacy.identity import make_id_number
from privacy.names import COMMON_SURNAMES, COMPOUND_SURNAMES
from privacy.redaction import detect
from tests.cms.publicity.sheets import HEADERS, csv_bytes, xlsx
from tests.privacy.helpers import full_width

SURNAMES = [*COMMON_SURNAMES[:40], *COMPOUND_SURNAMES[:6]]
GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛超秀英慧建平刚桂兰玉梅霞辉鹏志浩琳瑶"
MINORITY_PARTS = ["买买提", "艾力", "阿依", "古丽", "热合曼", "努尔", "吐尔逊", "帕丽", "迪丽", "木"]
TOWNS = ["珞南", "青菱", "和平", "关山", "洪山", "狮子山"]
VILLAGES = ["张家湾", "红霞", "新河", "桂子", "东湖", "白沙洲"]
NUMERALS = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))

han_names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(GIVEN, min_size=1, max_size=2),
).filter(lambda name: 2 <= len(name) <= 4)
minority_names = st.builds(
    lambda parts, dot: dot.join(parts),
    st.lists(st.sampled_from(MINORITY_PARTS), min_size=2, max_size=3),
    st.sampled_from("·・•"),
)
names = st.one_of(han_names, han_names, minority_names)


@st.composite
def id_numbers(draw) -> str:
    return make_id_number(
        region_code=draw(st.sampled_from(["420111", "420102", "421023"])),
        birth_date=draw(st.dates(date(1930, 1, 1), date(2015, 12, 31))),
        sequence=draw(st.integers(0, 499)),
        female=draw(st.booleans()),
    )


phones = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)


def written(number: str, how: str) -> str:
    """``number`` as people write it in a cell."""
    if how == "full":
        return full_width(number)
    if how == "spaced":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if how == "numerals":
        return "".join(NUMERALS.get(char, char) for char in number)
    return number


writings = st.sampled_from(["plain", "full", "spaced", "numerals"])


@dataclass
class Recipient:
    name: str
    id_number: str
    phone: str
    cells: list[str]


@st.composite
def sheets(draw) -> tuple[bytes, list[Recipient]]:
    count = draw(st.integers(1, 5))
    recipients = []
    for index in range(count):
        name, id_number, phone = draw(names), draw(id_numbers()), draw(phones)
        town, village = draw(st.sampled_from(TOWNS)), draw(st.sampled_from(VILLAGES))
        address = (
            f"湖北省武汉市洪山区{town}街道{village}村{draw(st.integers(1, 9))}组{draw(st.integers(1, 120))}号"
        )
        cells = [
            str(index + 1),
            name,
            written(id_number, draw(writings)),
            written(phone, draw(writings)),
            address,
            str(draw(st.integers(1, 8))),
            draw(st.sampled_from(["全额", "差额", "A类", "分散供养"])),
            str(draw(st.integers(100, 3000))),
            draw(st.sampled_from(["2026-11", "2026年11月", "202611"])),
            "",
        ]
        recipients.append(Recipient(name, id_number, phone, cells))
    # Identifiers and names where they do not belong, in any column.
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(recipients[:count]))
        column = draw(st.integers(4, 9))
        value = draw(
            st.one_of(
                st.builds(written, id_numbers(), writings),
                st.builds(written, phones, writings),
                st.sampled_from([recipient.name for recipient in recipients]),
            )
        )
        target.cells[column] = draw(
            st.sampled_from([value, target.cells[column] + value, value + target.cells[column]])
        )
        if value.isdigit() or any(char in value for char in "０一〇"):
            recipients.append(Recipient("", value, "", []))  # a secret too
    rows = [recipient.cells for recipient in recipients if recipient.cells]
    kind = draw(st.sampled_from(["xlsx", "utf-8-sig", "gb18030"]))
    data = xlsx(rows) if kind == "xlsx" else csv_bytes(rows, headers=HEADERS, encoding=kind)
    return data, recipients


def _secrets(recipients: list[Recipient]) -> tuple[list[str], list[str]]:
    full_names = [recipient.name for recipient in recipients if len(recipient.name) >= 2]
    numbers = [recipient.id_number for recipient in recipients] + [
        recipient.phone for recipient in recipients
    ]
    return full_names, [number for number in numbers if number]


def _digits_only(number: str) -> str:
    table = {ord(numeral): digit for digit, numeral in NUMERALS.items()}
    return "".join(char for char in unicodedata.normalize("NFKC", number).translate(table) if char.isdigit())


def assert_clean(text: str, full_names: list[str], numbers: list[str], where: str) -> None:
    flat = "".join(unicodedata.normalize("NFKC", text).split())
    for name in full_names:
        assert name not in flat, f"a full name is {where}"
    for number in numbers:
        digits = _digits_only(number)
        if len(digits) >= 11:
            assert digits not in flat.replace("-", ""), f"an ID or phone number is {where}"


def _published_texts(masked: MaskedList) -> list[str]:
    return [text for row in masked.rows for text in row.texts().values()]


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_masked_rows_never_hold_a_name_id_or_phone(sheet):
    data, recipients = sheet
    masked = mask_table(read_table(data))
    full_names, numbers = _secrets(recipients)

    for refusal in masked.refusals:
        assert_clean(str(refusal), full_names, numbers, "in a refusal")
    for text in _published_texts(masked):
        assert detect(text) == []
        assert_clean(text, full_names, numbers, "published")
    assert_clean(json.dumps(masked.summary(), ensure_ascii=False), full_names, numbers, "in the summary")


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sheet=sheets())
def test_nothing_identifying_is_rendered_stored_logged_or_kept_in_a_revision(
    sheet, client, caplog, django_db_blocker
):
    data, recipients = sheet
    full_names, numbers = _secrets(recipients)
    home = PublicityListPage.get_first_root_node().get_children().first()
    today = timezone.localdate()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        masked = mask_table(read_table(data))
        before = PublicityListPage.objects.count()
        if not masked.ok:
            with pytest.raises(ListRefused) as refused:
                publicity_list_create(
                    masked=masked, title="公示名单", programme="dibao", region_code="420111",
                    period_start=today, period_end=today + timedelta(days=6),
                    objection_phone="027-87654321", objection_address="洪山区民政局", parent=home,
                )  # fmt: skip
            assert PublicityListPage.objects.count() == before
            assert_clean(refused.value.message, full_names, numbers, "in the refusal")
            assert_clean(caplog.text, full_names, numbers, "logged")
            return
        page = publicity_list_create(
            masked=masked, title="公示名单", programme="dibao", region_code="420111",
            period_start=today, period_end=today + timedelta(days=6),
            objection_phone="027-87654321", objection_address="洪山区民政局", parent=home,
        )  # fmt: skip
        response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "*" in html
    assert_clean(html, full_names, numbers, "rendered")
    stored = json.dumps(
        list(PublicityListRow.objects.filter(page=page).values()), ensure_ascii=False, default=str
    ) + json.dumps(
        list(PublicityListPage.objects.filter(pk=page.pk).values()), ensure_ascii=False, default=str
    )
    assert_clean(stored, full_names, numbers, "stored")
    revisions = json.dumps(
        [revision.content for revision in Revision.objects.filter(object_id=str(page.pk))], ensure_ascii=False
    )
    assert_clean(revisions, full_names, numbers, "kept in a revision")
    assert_clean(caplog.text, full_names, numbers, "logged")
