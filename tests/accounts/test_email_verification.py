"""One account per e-mail address, verified before it joins, registers or volunteers (issue 9, item 13)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.verification import email_verify, verification_token
from marketplace.organizations.models import Membership, MembershipStatus, OrganizationStatus, Volunteer
from marketplace.organizations.services.membership import (
    membership_invite,
    membership_request,
    membership_respond,
)
from marketplace.organizations.services.volunteers import volunteer_register
from privacy.identity import make_id_number
from tests.factories.accounts import UserFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ID_NUMBER = make_id_number(region_code="420111", birth_date=date(1990, 5, 17), sequence=123, female=False)
LINK = re.compile(r"https?://[^\s]+/account/verify-email/[^\s]+/")


def sign_up(client, **overrides):
    form = {
        "username": "xinyuan",
        "email": "Xinyuan@Example.ORG",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/account/signup/", form)


def volunteer_form() -> dict:
    return {
        "real_name": "欧阳明远",
        "id_number": ID_NUMBER,
        "need_types": ["care_service"],
        "team": "",
        "consent": "on",
    }


def link_path(message) -> str:
    [url] = LINK.findall(message.body)
    return "/" + url.split("/", 3)[3]


def test_sign_up_mails_a_link_that_verifies_the_address_and_then_the_person_can_volunteer(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(username="xinyuan")
    assert user.email == "Xinyuan@example.org"  # the domain lower-cased, the local part as typed
    assert user.email_verified_at is None

    # Unverified: the volunteer page explains and offers the link again instead of the form.
    page = client.get("/volunteers/register/").content.decode()
    assert "请先验证您的电子邮箱" in page
    assert 'name="id_number"' not in page
    assert "重新发送验证链接" in page
    assert client.post("/volunteers/register/", volunteer_form()).status_code == 403
    assert not Volunteer.objects.exists()

    [message] = mail.outbox
    assert message.to == ["Xinyuan@example.org"]
    assert "验证" in message.subject
    response = client.get(link_path(message))
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert "已验证" in client.get("/account/").content.decode()

    page = client.get("/volunteers/register/").content.decode()
    assert 'name="id_number"' in page
    response = client.post("/volunteers/register/", volunteer_form())
    assert response.status_code == 302, response.content.decode()
    assert Volunteer.objects.filter(user=user).exists()


def test_the_link_works_once_then_says_the_address_is_already_verified(client):
    user = UserFactory(email="once@example.org", email_verified_at=None)
    token = verification_token(user)
    assert email_verify(token=token).already is False
    assert email_verify(token=token).already is True
    response = client.get(f"/account/verify-email/{token}/", follow=True)
    assert "此前已经验证" in response.content.decode()


@pytest.mark.parametrize("letters", ["taken@example.org", "TAKEN@EXAMPLE.ORG", " Taken@Example.Org "])
def test_an_address_another_account_uses_is_refused_in_any_letter_case(client, letters):
    UserFactory(username="first", email="taken@example.org")
    response = sign_up(client, username="second", email=letters)
    assert response.status_code == 200
    assert "该电子邮箱已被另一个账户使用" in response.content.decode()
    assert not User.objects.filter(username="second").exists()
    assert mail.outbox == []


def test_the_database_refuses_a_second_account_on_an_address_but_not_two_without_one():
    UserFactory(username="first", email="Same@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="second", email="same@EXAMPLE.org")
    UserFactory(username="staff1", email="")
    UserFactory(username="staff2", email="")  # staff made without an address: allowed


def test_a_tampered_link_is_refused(client):
    user = UserFactory(email="t@example.org", email_verified_at=None)
    token = verification_token(user)
    other = UserFactory(email="o@example.org", email_verified_at=None)
    tampered = token.replace(f"{user.pk}:", f"{other.pk}:", 1)
    for bad in (tampered, token[:-2] + ("aa" if not token.endswith("aa") else "bb"), "nonsense"):
        response = client.get(f"/account/verify-email/{bad}/")
        assert response.status_code == 400
        assert "此链接无效" in response.content.decode()
    user.refresh_from_db()
    other.refresh_from_db()
    assert user.email_verified_at is None and other.email_verified_at is None


def test_an_expired_link_is_refused(client):
    user = UserFactory(email="late@example.org", email_verified_at=None)
    token = verification_token(user)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(f"/account/verify-email/{token}/")
    assert response.status_code == 400
    assert "链接已过期" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_the_services_refuse_an_unverified_account_not_only_the_pages(django_capture_on_commit_callbacks):
    user = UserFactory(email_verified_at=None)
    organization = OrganizationFactory(status=OrganizationStatus.VERIFIED)
    with pytest.raises(PermissionDenied, match="请先验证"):
        volunteer_register(user=user, real_name="欧阳明远", id_number=ID_NUMBER, need_types=["care_service"])
    with pytest.raises(ValidationError) as refused:
        membership_request(organization=organization, user=user)
    assert refused.value.code == "email_unverified"
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    Membership.objects.create(
        organization=organization, user=admin, role="admin", status=MembershipStatus.ACTIVE
    )
    invitation = membership_invite(
        organization=organization, username=user.username, role="member", actor=admin
    )
    with pytest.raises(ValidationError) as refused:
        membership_respond(membership=invitation, user=user, accept=True)
    assert refused.value.code == "email_unverified"
    assert not Volunteer.objects.exists()


def test_unverified_join_and_register_pages_show_the_notice_instead_of_the_form(client):
    user = UserFactory(email_verified_at=None)
    organization = OrganizationFactory(status=OrganizationStatus.VERIFIED)
    client.force_login(user)
    register = client.get("/organizations/register/").content.decode()
    assert "请先验证您的电子邮箱" in register and 'name="uscc"' not in register
    detail = client.get(f"/organizations/{organization.pk}/").content.decode()
    assert "请先验证您的电子邮箱" in detail and f"/organizations/{organization.pk}/join/" not in detail
    response = client.post(f"/organizations/{organization.pk}/join/", follow=True)
    assert "请先验证您的电子邮箱" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_resending_is_rate_limited(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="again@example.org", email_verified_at=None)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/account/verify-email/resend/", follow=True)
        second = client.post("/account/verify-email/resend/", follow=True)
    assert "新的验证链接已发往" in first.content.decode()
    assert "请等" in second.content.decode()
    assert len(mail.outbox) == 1
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post("/account/verify-email/resend/")
    assert len(mail.outbox) == 2
    # The newest link works (each carries the same address and state).
    client.get(link_path(mail.outbox[1]))
    user.refresh_from_db()
    assert user.email_verified


def test_changing_the_address_resets_verification_and_the_old_link_stops_working(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="old@example.org", password=PASSWORD, email_verified_at=None)
    old_token = verification_token(user)
    client.force_login(user)
    UserFactory(email="someone@example.org")
    taken = client.post("/account/email/", {"email": "SomeOne@example.org", "password": PASSWORD})
    assert taken.status_code == 400 and "该电子邮箱已被另一个账户使用" in taken.content.decode()
    wrong = client.post("/account/email/", {"email": "new@example.org", "password": "not-it"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    email_verify(token=old_token)  # verified the old address first
    user.refresh_from_db()
    assert user.email_verified

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/email/", {"email": "new@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert user.email_verified_at is None
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert client.get(f"/account/verify-email/{old_token}/").status_code == 400
    client.get(link_path(message))
    user.refresh_from_db()
    assert user.email_verified


def test_the_back_office_form_resets_verification_when_an_administrator_changes_the_address(client):
    admin = UserFactory(administrator=True, is_superuser=True, is_staff=True)
    user = UserFactory(email="member@example.org")
    assert user.email_verified
    client.force_login(admin)
    form = {
        "username": user.username,
        "email": "changed@example.org",
        "first_name": "明",
        "last_name": "张",
        "is_active": "on",
        "region": "",
        "department": "",
    }
    response = client.post(f"/admin/users/edit/{user.pk}/", form)
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.email == "changed@example.org"
    assert user.email_verified_at is None


def test_demo_accounts_are_verified():
    from accounts.demo import seed_demo_users

    seed_demo_users()
    demo = User.objects.filter(username__in=["volunteer", "charity_admin"])
    assert len(demo) == 2 and all(user.email_verified for user in demo)
