"""In-portal messages: written with a copy by e-mail after commit, listed to their owner only,
unread first, marked read one by one or all at once; the unread count for the header."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from accounts.context_processors import notifications as notifications_context
from accounts.models import Notification
from accounts.notifications import notify
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/notifications/"


def test_notify_leaves_messages_and_emails_only_after_commit(django_capture_on_commit_callbacks):
    with_email = UserFactory(email="claimant@example.org")
    without_email = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            users=[with_email, without_email], subject="认领已确认", body="请在14天内交付。", url="/needs/X1/"
        )
        assert Notification.objects.count() == 2
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claimant@example.org"]
    assert mail.outbox[0].subject == "认领已确认"
    assert "/needs/X1/" in mail.outbox[0].body


def test_the_page_lists_unread_first_and_only_my_messages(client):
    me, other = UserFactory(), UserFactory()
    notify(users=[me], subject="旧消息-已读")
    Notification.objects.filter(user=me).update(read_at=timezone.now())
    notify(users=[me], subject="新消息-未读")
    notify(users=[other], subject="别人的消息")

    client.force_login(me)
    response = client.get(PAGE)
    assert response.status_code == 200
    subjects = [note.subject for note in response.context["notifications"]]
    assert subjects == ["新消息-未读", "旧消息-已读"]
    assert "别人的消息" not in response.text
    assert response.context["unread_count"] == 1


def test_mark_all_read(client):
    me, other = UserFactory(), UserFactory()
    notify(users=[me, other], subject="一")
    notify(users=[me], subject="二")
    client.force_login(me)
    response = client.post(f"{PAGE}read-all/")
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1
    assert client.get(PAGE).context["unread_count"] == 0


def test_opening_a_message_marks_it_read_and_follows_its_link(client):
    me = UserFactory()
    (note,) = notify(users=[me], subject="请核实交付", url="/needs/ABC123/")
    client.force_login(me)
    response = client.get(f"{PAGE}{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/needs/ABC123/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_off_the_site_is_not_followed(client):
    me = UserFactory()
    (note,) = notify(users=[me], subject="x", url="https://evil.example/")
    client.force_login(me)
    response = client.get(f"{PAGE}{note.pk}/open/")
    assert response["Location"] == PAGE


def test_marking_one_read(client):
    me = UserFactory()
    first, second = notify(users=[me], subject="一")[0], notify(users=[me], subject="二")[0]
    client.force_login(me)
    assert client.post(f"{PAGE}{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_another_user_cannot_open_or_mark_my_messages(client):
    me, other = UserFactory(), UserFactory()
    (note,) = notify(users=[me], subject="私人消息", url="/needs/ABC123/")
    client.force_login(other)
    assert client.get(f"{PAGE}{note.pk}/open/").status_code == 404
    assert client.post(f"{PAGE}{note.pk}/read/").status_code == 404
    client.post(f"{PAGE}read-all/")
    note.refresh_from_db()
    assert note.read_at is None


def test_the_pages_need_a_login(client):
    assert client.get(PAGE)["Location"].startswith("/account/login/")
    assert client.post(f"{PAGE}read-all/")["Location"].startswith("/account/login/")


def test_the_unread_count_for_the_header_is_one_query_and_only_when_used(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    me = UserFactory()
    notify(users=[me], subject="一")
    notify(users=[me], subject="二")
    Notification.objects.filter(subject="一").update(read_at=timezone.now())

    request = RequestFactory().get("/")
    request.user = me
    with django_assert_num_queries(0):
        context = notifications_context(request)
    with django_assert_num_queries(1):
        assert int(context["unread_notifications"]) == 1

        assert context["unread_notifications"] == 1  # evaluated once, then kept
    template = Template("{% if n %}{{ n }} 条未读{% endif %}|{{ n|add:1 }}")
    with django_assert_num_queries(0):
        assert template.render(Context({"n": context["unread_notifications"]})) == "1 条未读|2"

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert int(notifications_context(request)["unread_notifications"]) == 0
