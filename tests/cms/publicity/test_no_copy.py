"""A publicity list is imported, never copied: the back office's copy action says so in Chinese
and makes nothing (Wagtail's copy would also fail on a list whose newer import is a draft)."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from cms.models import PublicityListPage
from cms.publicity.services import publicity_list_rows_replace
from tests.cms.publicity.test_bulk_rows import _create, _masked

pytestmark = pytest.mark.django_db


def test_copying_a_list_is_refused_with_a_chinese_message(notices_section, admin_client):
    page = _create(notices_section, _masked(5))
    publicity_list_rows_replace(page=page, masked=_masked(3, seed=2))  # a newer import, in draft
    pages = Page.objects.count()

    response = admin_client.post(
        f"/admin/pages/{page.pk}/copy/",
        {"new_title": "副本", "new_slug": "copy-of-list", "new_parent_page": notices_section.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    assert "公示名单不能复制" in response.content.decode()
    assert Page.objects.count() == pages
    assert PublicityListPage.objects.count() == 1


def test_other_pages_still_copy(notices_section, admin_client):
    response = admin_client.get(f"/admin/pages/{notices_section.pk}/copy/")

    assert response.status_code == 200
