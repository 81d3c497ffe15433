"""What Wagtail 8.0's Chinese catalogue leaves in English on a back-office model's screens is
Chinese on the portal's (``core.wagtail_hooks.WAGTAIL_UNTRANSLATED``)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_empty_listing_and_a_new_items_breadcrumb_read_in_chinese(admin_client):
    listing = admin_client.get("/admin/open311-keys/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    new = admin_client.get("/admin/open311-keys/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "还没有Open311 接口密钥" in listing
    assert "There are no" not in listing
    assert "新建：Open311 接口密钥" in new
    assert "New:" not in new
