"""Several messages, each to its own readers, written in one statement (a claim's announcement).

The claimant reads one thing and the caseworkers another; each gets only their own, each e-mail
leaves after the commit with its own subject and link, and an inactive reader gets nothing.
"""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification
from accounts.notifications import Message, notify_each
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_each_reader_gets_their_own_message_and_the_rows_go_in_one_statement(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    claimant = UserFactory(email="claimant@example.org")
    caseworkers = [UserFactory(email="cw1@example.org"), UserFactory(email=""), UserFactory(is_active=False)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with django_assert_num_queries(1):
            notes = notify_each(
                [
                    Message(
                        users=[claimant], subject="您已认领", body="请按时交付。", url="/claims/mine/#claim-1"
                    ),
                    Message(users=caseworkers, subject="新的认领", url="/needs/X1/"),
                ]
            )
        assert mail.outbox == []
    assert [note.user for note in notes] == [claimant, *caseworkers[:2]]
    assert all(note.pk for note in notes)
    assert Notification.objects.get(user=claimant).subject == "您已认领"
    assert list(Notification.objects.filter(user__in=caseworkers).values_list("subject", flat=True)) == [
        "新的认领",
        "新的认领",
    ]
    assert not Notification.objects.filter(user=caseworkers[2]).exists()
    assert len(callbacks) == 1
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"claimant@example.org", "cw1@example.org"}
    assert sent["claimant@example.org"].subject == "您已认领"
    assert "/claims/mine/#claim-1" in sent["claimant@example.org"].body
    assert sent["cw1@example.org"].subject == "新的认领"
    assert "/needs/X1/" in sent["cw1@example.org"].body


def test_nobody_to_tell_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_each([Message(users=[], subject="无人"), Message(users=[None], subject="无人")]) == []
