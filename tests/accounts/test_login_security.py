"""Logging in to the back office: lock-out, password rules, staff idle timeout, role forms."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_staff_log_in_to_the_back_office(client):
    UserFactory(username="cw", caseworker=True)
    response = login(client, "cw", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_public_roles_do_not_open_the_back_office(client):
    UserFactory(username="vol", roles=[Role.VOLUNTEER])
    login(client, "vol", PASSWORD)
    assert client.get("/admin/").status_code == 302  # back to the login page


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="cw", caseworker=True)
    for _ in range(3):
        login(client, "cw", "wrong-password")
    response = login(client, "cw", PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_staff_sessions_expire_when_idle(client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    UserFactory(username="cw", caseworker=True)
    login(client, "cw", PASSWORD)
    client.get("/admin/")
    assert client.session.get_expiry_age() == 600


def test_weak_passwords_are_refused():
    with pytest.raises(ValidationError):
        user_create(username="weak", password="12345678", roles=[Role.VOLUNTEER])


def test_staff_need_a_region_and_handlers_a_department():
    with pytest.raises(ValidationError) as caught:
        user_create(username="cw", password=PASSWORD, roles=[Role.CASEWORKER])
    assert "region" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        user_create(username="dh", password=PASSWORD, roles=[Role.DEPARTMENT_HANDLER], region_code="420100")
    assert "department" in caught.value.message_dict
    assert not User.objects.filter(username__in=["cw", "dh"]).exists()


def test_back_office_user_form_asks_for_the_region_of_a_caseworker(client):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    login(client, "admin", PASSWORD)
    caseworker_group = Group.objects.get(name=Role.CASEWORKER)
    form = {
        "username": "newcw",
        "email": "newcw@example.org",
        "first_name": "新",
        "last_name": "经办",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
        "groups": [caseworker_group.pk],
        "region": "",
        "department": "",
    }
    response = client.post("/admin/users/new/", form)
    assert response.status_code == 200
    assert not User.objects.filter(username="newcw").exists()
    assert "区域" in response.content.decode() or "region" in response.content.decode()

    response = client.post("/admin/users/new/", {**form, "region": "420111"})
    assert response.status_code == 302
    created = User.objects.get(username="newcw")
    assert created.region_id == "420111"
    assert created.has_role(Role.CASEWORKER)


# --- lock-out behind a reverse proxy ------------------------------------------------------------

PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the portal from its address


def login_from(client, username, password, *, forwarded_for=None, remote_addr=PROXY, url="/admin/login/"):
    """Log in as a client whose request the proxy forwarded (X-Forwarded-For as received)."""
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("url", ["/admin/login/", "/account/login/"])
def test_behind_a_proxy_failures_from_one_client_do_not_lock_out_another(client, settings, url):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    attacker, victim = "203.0.113.7", "198.51.100.20"

    # The attacker also writes the victim's address into the header: the proxy appends the
    # attacker's real one, and only that entry is believed.
    for _ in range(3):
        login_from(client, "admin", "wrong-password", forwarded_for=f"{victim}, {attacker}", url=url)
    assert login_from(client, "admin", PASSWORD, forwarded_for=attacker, url=url).status_code == 429

    response = login_from(client, "admin", PASSWORD, forwarded_for=victim, url=url)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="cw", caseworker=True)
    attacker, victim = "203.0.113.7", "198.51.100.20"

    # Forging the victim's address, then a new address on every attempt: only REMOTE_ADDR counts.
    for forged in (victim, "192.0.2.1", "192.0.2.2"):
        login_from(client, "cw", "wrong-password", remote_addr=attacker, forwarded_for=forged)
    response = login_from(client, "cw", PASSWORD, remote_addr=attacker, forwarded_for="192.0.2.3")
    assert response.status_code == 429
    assert login_from(client, "cw", PASSWORD, remote_addr=victim).status_code == 302
