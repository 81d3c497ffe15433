"""Administrators issue, list and revoke Open311 API keys in the back office (/admin/open311-keys/)."""

from __future__ import annotations

import hashlib

import pytest

from supervision.open311.keys import open311_key_create, open311_key_for
from supervision.open311.models import Open311Key
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
KEYS = "/admin/open311-keys/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(administrator=True))
    return client


def stored_values(record: Open311Key) -> str:
    record.refresh_from_db()
    return " ".join(str(getattr(record, field.attname)) for field in Open311Key._meta.concrete_fields)


def test_an_issued_key_is_shown_once_in_chinese_and_only_its_hash_is_stored(admin_client):
    form = admin_client.get(f"{KEYS}new/")
    assert form.status_code == 200 and "Open311 接口密钥" in form.text
    response = admin_client.post(f"{KEYS}new/", {"name": "武汉市12345热线"})
    assert response.status_code == 200
    key = response.context["api_key"]
    assert key in response.text and "只显示这一次" in response.text
    # What to do with it, and how the client sends it.
    assert "请通过安全渠道交给对方系统的运维人员" in response.text and "requests.json" in response.text
    assert "no-store" in response["Cache-Control"]
    record = Open311Key.objects.get(name="武汉市12345热线")
    assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in stored_values(record)
    assert open311_key_for(key) == record
    # Never again: not on the list, not on the key's page.
    listing = admin_client.get(KEYS).text
    assert key not in listing and record.key_prefix in listing
    assert key not in admin_client.get(f"{KEYS}edit/{record.pk}/").text


def test_the_list_shows_prefix_name_creation_and_last_use(admin_client):
    used, key = open311_key_create(name="宜昌市城市服务平台")
    open311_key_for(key)
    unused, _key = open311_key_create(name="襄阳市民热线")
    text = admin_client.get(KEYS).text
    for record in (used, unused):
        assert record.name in text and record.key_prefix in text
    used.refresh_from_db()
    assert used.last_used_at is not None
    assert "最近使用时间" in text and "创建时间" in text
    assert f"{KEYS}revoke/{used.pk}/" in text


def test_a_taken_name_is_refused_and_no_key_is_shown(admin_client):
    open311_key_create(name="武汉市12345热线")
    response = admin_client.post(f"{KEYS}new/", {"name": "武汉市12345热线"})
    assert response.status_code == 200
    assert "api_key" not in response.context
    assert response.context["form"].errors
    assert Open311Key.objects.count() == 1


def test_revoking_asks_first_then_stops_the_key_at_once(admin_client, client):
    record, key = open311_key_create(name="武汉市12345热线")
    confirm = admin_client.get(f"{KEYS}revoke/{record.pk}/")
    assert confirm.status_code == 200 and record.key_prefix in confirm.text and "撤销" in confirm.text
    assert open311_key_for(key) == record  # asking changed nothing
    answer = admin_client.post(f"{KEYS}revoke/{record.pk}/", follow=True)
    assert answer.redirect_chain[-1][0] == KEYS
    assert "已撤销" in answer.text
    assert open311_key_for(key) is None
    record.refresh_from_db()
    assert not record.is_active
    assert f"{KEYS}revoke/{record.pk}/" not in answer.text  # a revoked key offers no revoke
    filed = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "complaint",
            "description": "救助审批拖延",
            "attribute[region]": "420111",
        },
    )
    assert filed.status_code == 403


def test_only_administrators_manage_keys(client):
    record, _key = open311_key_create(name="武汉市12345热线")
    for user in (UserFactory(caseworker=True), UserFactory(supervisor=True)):
        client.force_login(user)
        for url in (KEYS, f"{KEYS}new/", f"{KEYS}edit/{record.pk}/", f"{KEYS}revoke/{record.pk}/"):
            response = client.get(url)
            assert (response.status_code, response.get("Location")) == (302, "/admin/"), url
        response = client.post(f"{KEYS}revoke/{record.pk}/")
        assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_active
    assert "/admin/open311-keys/" not in client.get("/admin/").text
