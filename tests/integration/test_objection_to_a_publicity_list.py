"""A reader objects to a live publicity list: from the list's page, by its link, to a ticket of
kind 异议 that names the list (notices → complaints, through cms.selectors only)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create
from cms.publicity.spreadsheet import read_table
from supervision.models import Ticket

pytestmark = pytest.mark.django_db


def test_an_objection_filed_from_the_list_page_names_the_list(client):
    today = timezone.localdate()
    page = publicity_list_create(
        masked=mask_table(read_table("姓名,家庭住址,保障人数\n张三丰,洪山区珞南街道桂元社区,3\n".encode())),
        title="洪山区2026年12月低保对象公示",
        programme="dibao",
        region_code="420111",
        period_start=today,
        period_end=today + timedelta(days=6),
        objection_phone="027-87654321",
        objection_address="洪山区民政局",
    )
    assert page.url.startswith("/notices/")

    html = client.get(page.url).content.decode()
    assert "张三丰" not in html
    link = re.search(r'href="(/complaints/new/\?kind=objection&amp;publicity_list=\d+)"', html).group(1)
    form = client.get(link.replace("&amp;", "&"))
    assert "洪山区2026年12月低保对象公示" in form.content.decode()

    client.post(
        "/complaints/new/",
        {
            "kind": "objection",
            "region": "420111",
            "publicity_list": str(page.pk),
            "content": "名单中有一户家里有两套房，不符合条件。",
            "contact_phone": "13912345678",
            "anonymous": "on",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.kind_id == "objection"
    assert ticket.publicity_list_id == page.pk
    assert ticket.publicity_list_title == "洪山区2026年12月低保对象公示"
