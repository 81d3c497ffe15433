"""The public site's own accounts: create one, sign in and out, reset a forgotten password."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.roles import Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "another-long-phrase-9"


def sign_up(client, **overrides):
    form = {
        "username": "xinyuan",
        "email": "xinyuan@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/account/signup/", form)


def test_anyone_can_open_an_account_and_is_signed_in_without_any_role(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == "/organizations/mine/"  # where to register or join next
    user = User.objects.get(username="xinyuan")
    assert user.email == "xinyuan@example.org"
    assert user.role_names == frozenset()
    assert not user.is_staff and user.region is None
    page = client.get("/organizations/mine/").content.decode()
    assert "账户已开通" in page
    assert "/volunteers/register/" in page
    assert client.get("/account/").status_code == 200


def test_sign_up_errors_say_what_to_fix_in_chinese_and_create_nothing(client):
    UserFactory(username="taken")

    response = sign_up(client, username="TAKEN", password2="different-phrase-1")
    page = response.content.decode()

    assert response.status_code == 200
    assert "请修改标出的内容" in page
    assert "此用户名已被占用" in page  # whatever its case
    assert "输入的两个密码不一致" in page
    assert not User.objects.filter(username__iexact="taken").exclude(username="taken").exists()

    page = sign_up(client, password1="12345678", password2="12345678").content.decode()
    assert "密码太短，至少需要 10 个字符" in page
    assert not User.objects.filter(username="xinyuan").exists()


def test_sign_up_goes_back_to_the_page_that_asked_for_it_but_never_off_site(client):
    assert sign_up(client, next="/needs/")["Location"] == "/needs/"
    client.logout()
    response = sign_up(client, username="other", email="o@example.org", next="https://evil.example/")
    assert response["Location"] == "/organizations/mine/"


def test_a_signed_in_user_is_sent_to_where_they_start(client):
    client.force_login(UserFactory())
    assert client.get("/account/signup/")["Location"] == "/organizations/mine/"
    assert client.get("/account/login/")["Location"] == "/organizations/mine/"


def test_pages_that_need_an_account_send_the_public_to_the_public_sign_in(client):
    response = client.get("/volunteers/register/")
    assert response["Location"] == "/account/login/?next=/volunteers/register/"

    UserFactory(username="vol", roles=[Role.VOLUNTEER])
    page = client.get(response["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/volunteers/register/">' in page
    assert 'href="/account/signup/?next=/volunteers/register/"' in page
    response = client.post(
        "/account/login/", {"username": "vol", "password": PASSWORD, "next": "/volunteers/register/"}
    )
    assert response["Location"] == "/volunteers/register/"


def test_wrong_password_is_answered_in_chinese_and_counts_towards_the_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="vol", roles=[Role.VOLUNTEER])

    response = client.post("/account/login/", {"username": "vol", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    for _ in range(2):
        client.post("/account/login/", {"username": "vol", "password": "wrong-password"})

    response = client.post("/account/login/", {"username": "vol", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_the_header_offers_sign_in_to_the_public_and_sign_out_to_members(client):
    page = client.get("/needs/").content.decode()
    assert 'href="/account/login/"' in page and 'href="/account/signup/"' in page

    client.force_login(UserFactory())
    page = client.get("/needs/").content.decode()
    assert 'action="/account/logout/"' in page and 'href="/account/login/"' not in page
    assert client.get("/account/logout/").status_code == 405  # a link cannot sign anyone out
    assert client.post("/account/logout/")["Location"] == "/"
    assert client.get("/account/")["Location"].startswith("/account/login/")


def test_a_forgotten_password_is_reset_through_a_one_time_link_by_e_mail(client):
    UserFactory(username="vol", email="vol@example.org", roles=[Role.VOLUNTEER])

    response = client.post("/account/password-reset/", {"email": "vol@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vol@example.org"]
    assert "湖北" in message.subject
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "新密码" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/account/login/"
    signed_in = client.post("/account/login/", {"username": "vol", "password": NEW_PASSWORD})
    assert signed_in["Location"] == "/organizations/mine/"  # no organization yet: where to join one

    again = client.get(link, follow=True).content.decode()
    assert "这个链接已不能使用" in again


def test_the_reset_page_does_not_tell_who_has_an_account(client):
    UserFactory(username="vol", email="vol@example.org")

    unknown = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    known = client.post("/account/password-reset/", {"email": "vol@example.org"})

    assert unknown["Location"] == known["Location"] == "/account/password-reset/sent/"
    assert [m.to for m in mail.outbox] == [["vol@example.org"]]
