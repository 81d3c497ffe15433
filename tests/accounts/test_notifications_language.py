"""Notifications and goods units read in the reader's language (issue 11 item 14).

A notification is written during someone else's request, often in Chinese; a reader who chose
English reads it in English, with its amounts in English units ("3 boxes", not "3 箱").
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Notification
from accounts.notifications import notify
from core.phrases import Amount, Phrase
from marketplace.claims.services.claims import need_claim
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def goods_need():
    return NeedFactory(need_type="basic_living", amount_kind="goods", unit="箱", target_amount="10")


@pytest.fixture
def member():
    charity = OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")
    return MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user


def test_a_claim_made_in_chinese_reads_in_english_for_an_english_reader(
    client, goods_need, member, django_capture_on_commit_callbacks
):
    caseworker = UserFactory(caseworker=True)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        need_claim(
            need=goods_need,
            amount=Decimal("3"),
            actor=member,
            organization=member.memberships.get().organization,
        )

    client.force_login(member)
    english = _text(client.get("/account/notifications/", **EN))
    assert f"You claimed 3 boxes of need {goods_need.code}" in english
    assert "Renew it before then" in english
    assert "箱" not in english and "认领" not in english
    chinese = _text(client.get("/account/notifications/", **ZH))
    assert "3 箱" in chinese and goods_need.code in chinese

    client.force_login(caseworker)
    english = _text(client.get("/account/notifications/", **EN))
    assert f"洪山区阳光公益慈善会 claimed 3 boxes of need {goods_need.code}" in english
    assert "Still open on the need: 7 boxes." in english


def test_the_stored_message_and_the_e_mail_are_in_the_default_language_whoever_wrote_them(
    client, goods_need, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    organization = member.memberships.get().organization
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/needs/{goods_need.code}/claim/", {"amount": "1", "holder": str(organization.pk)}, **EN
        )
    assert response.status_code == 302
    note = Notification.objects.get(user=member)
    assert "1 箱" in note.subject and "You claimed" not in note.subject
    assert mail.outbox and "1 箱" in mail.outbox[0].subject
    with translation.override("en"):
        assert note.subject_text == f"You claimed 1 box of need {goods_need.code}"


def test_a_volunteers_label_inside_a_message_is_translated_too():
    user = UserFactory()
    with translation.override("zh-hans"):
        notify(
            users=[user],
            subject=Phrase(
                "%(holder)s claimed %(amount)s of need %(code)s",
                holder=Phrase("Volunteer %(name)s", name="林**"),
                amount=Amount(Decimal("2"), kind="hours"),
                code="N1",
            ),
        )
    note = Notification.objects.get(user=user)
    with translation.override("en"):
        assert note.subject_text == "Volunteer 林** claimed 2 hours of need N1"
    with translation.override("zh-hans"):
        assert note.subject_text == note.subject
        assert "志愿者" in note.subject and "2 小时" in note.subject


def test_a_message_stored_before_phrases_is_shown_as_it_was_written(client):
    user = UserFactory()
    Notification.objects.create(user=user, subject="旧消息", body="正文")
    client.force_login(user)
    assert "旧消息" in _text(client.get("/account/notifications/", **EN))


@pytest.mark.parametrize(
    ("headers", "said"),
    [(ZH, ["认领数额（箱）", "10 箱"]), (EN, ["Amount to claim (boxes)", "10 boxes"])],
    ids=["zh", "en"],
)
def test_the_need_page_counts_goods_in_the_readers_words(client, goods_need, member, headers, said):
    client.force_login(member)
    page = _text(client.get(f"/needs/{goods_need.code}/", **headers))
    for words in said:
        assert words in page
    if headers is EN:
        assert "箱" not in page
