"""core.db.rows_insert and the partial reads of select_list/instance_from: a few new rows of one
model go in one statement, each instance getting its own key (distinct, in the order given),
``created_at`` set and counting as saved, the rows equal to what was given; ``notify`` writes a
hundred notifications a statement, so 150 recipients cost two; and an instance built from some
of its columns defers the others and reads them when first used.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import NOTES_PER_STATEMENT, notify
from core.db import fixed_query, instance_from, rows_insert, select_list
from core.phrases import Phrase
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_TABLE = Notification._meta.db_table


def new_notes(users, tag: str) -> list[Notification]:
    return [
        Notification(
            user=user,
            subject=f"{tag} 第{index}条",
            body=f"正文 {index}",
            phrases={"subject": [f"{tag}-{index}"], "body": []},
            url=f"/needs/T{index:010d}/",
        )
        for index, user in enumerate(users)
    ]


def as_stored(note: Notification) -> tuple:
    return (note.pk, note.user_id, note.subject, note.body, note.phrases, note.url, note.created_at)


def inserts(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("INSERT")]


@pytest.mark.parametrize("count", [1, 3])
def test_each_new_row_gets_its_own_key_in_order_and_is_stored_as_given(count, django_assert_num_queries):
    users = [UserFactory() for _ in range(count)]
    notes = new_notes(users, "认领")
    before = timezone.now()

    with django_assert_num_queries(1):  # one INSERT … VALUES (…), (…), (…) for the lot
        rows_insert(notes)

    pks = [note.pk for note in notes]
    assert None not in pks
    assert len(set(pks)) == count
    assert pks == sorted(pks)  # in the order given
    for note in notes:
        assert note._state.adding is False and note._state.db == "default"
        assert before <= note.created_at <= timezone.now()
    stored = {note.pk: as_stored(note) for note in Notification.objects.filter(pk__in=pks)}
    assert [stored[note.pk] for note in notes] == [as_stored(note) for note in notes]
    # Each key is its own row: the user and subject it was given, not a neighbour's.
    assert [Notification.objects.get(pk=note.pk).user_id for note in notes] == [user.pk for user in users]


def test_statements_of_different_sizes_do_not_mix_their_rows():
    """The statement is composed once per count of rows: a batch of 2 after a batch of 3 (and
    then 3 again) writes exactly its own rows."""
    users = [UserFactory() for _ in range(3)]
    batches = [new_notes(users, "甲"), new_notes(users[:2], "乙"), new_notes(users, "丙")]
    for batch in batches:
        rows_insert(batch)
    assert Notification.objects.count() == 8
    for batch in batches:
        for note in batch:
            assert Notification.objects.get(pk=note.pk).subject == note.subject


def test_a_saved_row_is_updated_not_inserted_again():
    user = UserFactory()
    (note,) = new_notes([user], "已读")
    rows_insert([note])
    note.read_at = timezone.now()
    note.save()
    assert Notification.objects.filter(user=user).count() == 1
    assert Notification.objects.get(pk=note.pk).read_at == note.read_at


def test_an_unsaved_recipient_is_refused_and_nothing_is_written():
    saved = UserFactory()
    notes = new_notes([saved, User(username="never-saved")], "未保存")
    with pytest.raises(ValueError, match="unsaved related object"):
        rows_insert(notes)
    assert not Notification.objects.exists()


def test_an_empty_list_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        rows_insert([])


def test_notify_writes_150_notifications_in_two_statements():
    users = [UserFactory() for _ in range(150)]
    # An inactive user and a repeated one are not written: 150 distinct active recipients.
    inactive = UserFactory(is_active=False)

    with CaptureQueriesContext(connection) as captured:
        notes = notify(users=[*users, users[0], inactive], subject=Phrase("Need %(code)s", code="T1"))

    statements = inserts(captured.captured_queries)
    assert len(statements) == 2 == -(-150 // NOTES_PER_STATEMENT)
    assert all(NOTIFICATION_TABLE in sql for sql in statements)
    assert len(captured.captured_queries) == 2
    pks = [note.pk for note in notes]
    assert len(notes) == 150 and len(set(pks)) == 150 and pks == sorted(pks)
    assert [note.user_id for note in notes] == [user.pk for user in users]
    stored = dict(Notification.objects.values_list("pk", "user_id"))
    assert stored == {note.pk: note.user_id for note in notes}
    assert not Notification.objects.filter(user=inactive).exists()
    assert all(note.created_at is not None for note in notes)


def test_an_instance_from_some_fields_defers_the_others_and_reads_them_when_used(
    django_assert_num_queries,
):
    user = UserFactory()
    (note,) = new_notes([user], "部分")
    rows_insert([note])
    fields = ["id", "subject"]
    sql = (
        f"SELECT {select_list(Notification, 'n', fields=fields)} "  # noqa: S608 - names from the model's meta
        f"FROM {connection.ops.quote_name(NOTIFICATION_TABLE)} n WHERE n.id = %s"
    )
    (row,) = fixed_query(sql, [note.pk])
    assert len(row) == 2

    partial = instance_from(Notification, row, fields=fields)

    assert (partial.pk, partial.subject) == (note.pk, note.subject)
    assert partial._state.adding is False
    deferred = {"user_id", "body", "phrases", "url", "created_at", "read_at"}
    assert partial.get_deferred_fields() == deferred
    with django_assert_num_queries(1):  # the deferred field is read once, when first used
        assert partial.body == note.body
    with django_assert_num_queries(0):
        assert partial.body == note.body
    assert partial.get_deferred_fields() == deferred - {"body"}
    assert partial.created_at == note.created_at
    # The whole row (no fields): nothing deferred.
    (whole,) = fixed_query(
        f"SELECT {select_list(Notification, 'n')} FROM {connection.ops.quote_name(NOTIFICATION_TABLE)} n "  # noqa: S608
        "WHERE n.id = %s",
        [note.pk],
    )
    full = instance_from(Notification, whole)
    assert full.get_deferred_fields() == set()
    assert as_stored(full) == as_stored(note)
