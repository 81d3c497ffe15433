"""The change log of what decides people's aid (issue 9, item 14): who changed what, when, from where.

Each test makes a change the way an administrator (or an operator at the shell) makes it, then
reads ``/admin/change-log/`` as an administrator would.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role
from marketplace.needs.models import PolicyOverride, SourceSystem
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def admin(client):
    # A superuser: only superusers manage staff accounts in the back office (README).
    user = UserFactory(username="zhang_admin", administrator=True, is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def change_log(client, **query) -> str:
    response = client.get("/admin/change-log/", query)
    assert response.status_code == 200
    return response.content.decode()


def all_logged() -> str:
    """Everything the log holds, as text: what a database dump of it would show."""
    return json.dumps(
        list(
            LogEntry.objects.values(
                "object_repr", "changes", "changes_text", "serialized_data", "additional_data"
            )
        ),
        ensure_ascii=False,
        default=str,
    )


def override_form(**fields):
    data = {
        "region": "420100",
        "label": "武汉市医疗救助实施细则",
        "inpatient_ratios": '{"dibao": "0.80"}',
        "outpatient_chronic_ratio": "",
        "annual_cap": "",
        "effective_from": "2025-01-01",
        "effective_to": "",
    }
    return {**data, **fields}


def test_editing_a_policy_override_is_recorded_with_actor_address_and_before_after(client, admin):
    assert client.post("/admin/policy-overrides/new/", override_form()).status_code == 302
    override = PolicyOverride.objects.get()
    response = client.post(
        f"/admin/policy-overrides/edit/{override.pk}/",
        override_form(annual_cap="30000"),
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.context["form"].errors

    entry = LogEntry.objects.get_for_object(override).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin
    assert entry.remote_addr == ADDRESS
    assert entry.changes["annual_cap"] == [None, "30000"]

    page = change_log(client)
    [row] = [row for row in page.split("<tbody>")[1].split("<tr>") if "30000" in row]
    assert "zhang_admin" in row and ADDRESS in row and "武汉市医疗救助实施细则" in row

    assert f"{PolicyOverride._meta.get_field('annual_cap').verbose_name}</strong>:" in row
    assert "— → 30000" in row


def test_a_source_system_made_by_the_command_then_rotated_and_revoked_leaves_entries_without_key_material(
    client, admin
):
    out = io.StringIO()
    call_command(
        "create_source_system", name="洪山区救助系统", department="civil_affairs", region="420111", stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    system = SourceSystem.objects.get(name="洪山区救助系统")
    created = LogEntry.objects.get_for_object(system).get(action=LogEntry.Action.CREATE)
    assert created.actor is None
    assert created.additional_data["origin"]["via"]  # the process that made it is named

    rotated = client.post(f"/admin/source-systems/rotate-key/{system.pk}/", REMOTE_ADDR=ADDRESS)
    new_key = rotated.context["api_key"]
    revoked = client.post(
        f"/admin/source-systems/edit/{system.pk}/",
        {"name": system.name, "department": "civil_affairs", "region": "420111", "webhook_url": ""},
        REMOTE_ADDR=ADDRESS,
    )
    assert revoked.status_code == 302
    system.refresh_from_db()
    assert not system.is_active

    updates = LogEntry.objects.get_for_object(system).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    rotation, revocation = list(updates)
    assert rotation.actor == admin and rotation.remote_addr == ADDRESS
    assert set(rotation.changes) == {"key_prefix", "key_hash"}
    assert revocation.changes["is_active"] == [True, False]

    logged = all_logged()
    for secret in (key, new_key, key.split(".", 1)[1], new_key.split(".", 1)[1]):
        assert secret not in logged
    for digest in (hashlib.sha256(key.encode()).hexdigest(), system.key_hash):
        assert digest not in logged
        assert digest[: len(digest) // 2] not in logged and digest[len(digest) // 2 :] not in logged

    page = change_log(client, model=str(created.content_type_id))
    assert "洪山区救助系统" in page
    assert "manage.py" in page or created.additional_data["origin"]["via"] in page
    assert "（已隐藏）" in page
    assert system.key_hash not in page


def test_changing_a_users_roles_and_region_scope_is_recorded(client, admin):
    person = UserFactory(username="li_cw", caseworker=True)
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    form = {
        "username": person.username,
        "email": person.email,
        "first_name": "明",
        "last_name": "李",
        "is_active": "on",
        "groups": [supervisor.pk],
        "region": "420100",
        "department": "",
    }
    response = client.post(f"/admin/users/edit/{person.pk}/", form, REMOTE_ADDR=ADDRESS)
    assert (response.status_code, response["Location"]) == (302, "/admin/users/")
    person.refresh_from_db()
    assert person.region_id == "420100" and person.has_role(Role.SUPERVISOR)

    entries = LogEntry.objects.get_for_object(person).filter(actor=admin)
    assert all(entry.remote_addr == ADDRESS for entry in entries)
    changes = [entry.changes for entry in entries]
    assert ["420111", "420100"] in [c["region"] for c in changes if "region" in c]
    group_changes = [c["groups"] for c in changes if "groups" in c]
    assert {"type": "m2m", "operation": "add", "objects": [Role.SUPERVISOR.value]} in group_changes
    assert {"type": "m2m", "operation": "delete", "objects": [Role.CASEWORKER.value]} in group_changes

    page = change_log(client, user="zhang_admin")
    assert "li_cw" in page
    assert "武汉市 (420100)" in page and "洪山区 (420111)" in page
    assert "督导" in page or str(Role.SUPERVISOR.label) in page  # the role by its name


def test_a_password_is_never_logged(client, admin):
    person = UserFactory(username="wang")
    person.set_password("a-new-secret-phrase-42")
    person.save()
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes["password"] == ["********", "********"]
    assert User.objects.get(pk=person.pk).password not in all_logged()


def test_signing_in_adds_no_entry(client):
    UserFactory(username="quiet", password="correct-horse-battery")
    before = LogEntry.objects.count()
    client.post("/account/login/", {"username": "quiet", "password": "correct-horse-battery"})
    assert client.get("/account/").status_code == 200
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_other_roles_cannot_read_the_change_log(client, role):
    client.force_login(UserFactory(**{role: True}))
    response = client.get("/admin/change-log/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_behind_a_trusted_proxy_the_log_records_the_client_not_the_proxy_nor_a_forged_address(
    client, admin, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    assert client.post("/admin/policy-overrides/new/", override_form()).status_code == 302
    override = PolicyOverride.objects.get()
    response = client.post(
        f"/admin/policy-overrides/edit/{override.pk}/",
        override_form(annual_cap="30000"),
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"198.51.100.9, {ADDRESS}",  # the first entry is the client's own claim
    )
    assert response.status_code == 302

    entry = LogEntry.objects.get_for_object(override).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.remote_addr == ADDRESS
