"""core.db.rows_insert with ``clearing``: rows that stand for an outbox flag's work are written
only while the flag is set, and clear it in the same step (one statement on PostgreSQL). A
second run writes nothing and says so; no rows still clear the flag; the values are stored as
given; and of two workers racing on the same flag, the one that waits writes nothing.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import DataError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from core.db import Pending, rows_insert
from marketplace.claims.models import Claim
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory


def pending_claim() -> Claim:
    return ClaimFactory(need=NeedFactory(region="420111"), amount=Decimal("100.00"), announce_pending=True)


def notes_for(users, tag: str) -> list[Notification]:
    return [
        Notification(user=user, subject=f"{tag}认领", body=f"{tag}正文", phrases={"s": [tag]}, url="/c/")
        for user in users
    ]


def stored(claim: Claim) -> bool:
    return Claim.objects.values_list("announce_pending", flat=True).get(pk=claim.pk)


@pytest.mark.django_db
def test_the_rows_are_written_once_and_clear_the_flag():
    claim, users = pending_claim(), [UserFactory(), UserFactory()]
    notes = notes_for(users, "一")

    with CaptureQueriesContext(connection) as captured:
        assert rows_insert(notes, clearing=Pending(claim, "announce_pending")) is True
    if connection.vendor == "postgresql":
        (sql,) = [query["sql"] for query in captured.captured_queries]
        assert sql.startswith("WITH cleared AS (UPDATE")
    assert all(note.pk for note in notes) and claim.announce_pending is False and stored(claim) is False
    rows = Notification.objects.order_by("pk")
    assert [(n.pk, n.user_id, n.subject, n.body, n.phrases, n.url, n.read_at) for n in rows] == [
        (note.pk, user.pk, "一认领", "一正文", {"s": ["一"]}, "/c/", None)
        for note, user in zip(notes, users, strict=True)
    ]

    again = notes_for(users, "二")
    claim.announce_pending = True  # a worker that read the claim before the flag was cleared
    assert rows_insert(again, clearing=Pending(claim, "announce_pending")) is False
    assert [note.pk for note in again] == [None, None]
    assert claim.announce_pending is True  # this call cleared nothing
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_no_rows_still_clear_the_flag_once():
    claim = pending_claim()
    assert rows_insert([], clearing=Pending(claim, "announce_pending")) is True
    assert stored(claim) is False
    assert rows_insert([], clearing=Pending(claim, "announce_pending")) is False


@pytest.mark.django_db
def test_a_value_too_long_for_its_column_is_refused_not_cut_and_the_flag_stays():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not check a text column's length")
    claim = pending_claim()
    (note,) = notes_for([UserFactory()], "长")
    note.subject = "长" * 201  # the column holds 200

    with pytest.raises(DataError), transaction.atomic():
        rows_insert([note], clearing=Pending(claim, "announce_pending"))
    assert stored(claim) is True and not Notification.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_two_workers_on_one_flag_the_one_that_waits_writes_nothing():
    claim, users = pending_claim(), [UserFactory(), UserFactory(), UserFactory()]
    first_wrote, second_started = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():  # holds the claim's row until the second one waits on it
                flag = Pending(claim, "announce_pending")
                results["first"] = rows_insert(notes_for(users, "甲"), clearing=flag)
                first_wrote.set()
                second_started.wait(5)
                threading.Event().wait(0.3)
        finally:
            connections.close_all()

    def second():
        try:
            first_wrote.wait(5)
            second_started.set()
            own = Claim.objects.get(pk=claim.pk)  # read before the first one committed: still pending
            results["second"] = rows_insert(notes_for(users, "乙"), clearing=Pending(own, "announce_pending"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results == {"first": True, "second": False}
    assert sorted(Notification.objects.values_list("subject", flat=True)) == ["甲认领"] * 3
    assert stored(claim) is False
