"""feedback_dispatch for an event nobody waits for on a webhook: a source system that pulls its
events (no webhook), an inactive system and an event already delivered each cost one statement,
with no transaction and no lock; nothing is sent, the event is left as it was (still there for
the pull API, its attempts untouched). A system with a webhook still has its event delivered,
signed, once.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.needs.models import FeedbackEvent
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.feedback_dispatch import feedback_dispatch
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.needs.test_feedback import SIGNING_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _feedback_settings(settings):
    settings.FEEDBACK_SIGNING_KEY = SIGNING_KEY
    settings.FEEDBACK_WEBHOOK_TIMEOUT = 3


def event_of(system) -> FeedbackEvent:
    need = NeedFactory(source_system=system)
    payload = {"amount": "300.00", "holder": "洪山区阳光公益慈善会"}
    return feedback_emit(need=need, kind="claim", payload=payload)


def state(event: FeedbackEvent) -> tuple:
    event.refresh_from_db()
    return (event.delivered_at, event.attempts, event.last_error, event.next_attempt_at)


def dispatched_without_a_transaction(event_id: int) -> bool:
    with CaptureQueriesContext(connection) as captured:
        sent = feedback_dispatch(event_id=event_id)
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == 1, sql
    assert "SAVEPOINT" not in sql[0].upper() and "FOR UPDATE" not in sql[0].upper(), sql
    return sent


def test_an_event_of_a_system_that_pulls_costs_one_statement_and_stays_for_the_pull():
    event = event_of(SourceSystemFactory(webhook_url=""))
    before = state(event)

    assert dispatched_without_a_transaction(event.pk) is False

    assert state(event) == before == (None, 0, "", None)


def test_an_inactive_systems_event_is_not_sent_even_with_a_webhook(listening_webhook):
    system = SourceSystemFactory(webhook_url=listening_webhook.url)
    event = event_of(system)
    system.is_active = False
    system.save(update_fields=["is_active"])

    assert dispatched_without_a_transaction(event.pk) is False

    assert listening_webhook.received == []
    assert state(event) == (None, 0, "", None)


def test_a_delivered_event_is_not_sent_again(listening_webhook):
    event = event_of(SourceSystemFactory(webhook_url=listening_webhook.url))
    delivered_at = timezone.now()
    FeedbackEvent.objects.filter(pk=event.pk).update(delivered_at=delivered_at, attempts=1)

    assert dispatched_without_a_transaction(event.pk) is False

    assert listening_webhook.received == []
    assert state(event) == (delivered_at, 1, "", None)


def test_an_unknown_event_costs_one_statement():
    assert dispatched_without_a_transaction(987654321) is False


def test_a_system_with_a_webhook_still_gets_its_event_once(listening_webhook):
    event = event_of(SourceSystemFactory(webhook_url=listening_webhook.url))

    with CaptureQueriesContext(connection) as captured:
        assert feedback_dispatch(event_id=event.pk) is True
    sql = [query["sql"].upper() for query in captured.captured_queries]
    assert any("SAVEPOINT" in s for s in sql)  # sent and recorded under the row's lock
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in s for s in sql)

    assert listening_webhook.accepted_ids() == [str(event.event_id)]
    delivered_at, attempts, last_error, next_attempt_at = state(event)
    assert delivered_at is not None and (attempts, last_error, next_attempt_at) == (1, "", None)
    # Delivered: the next call is the one statement again, and sends nothing.
    assert dispatched_without_a_transaction(event.pk) is False
    assert listening_webhook.accepted_ids() == [str(event.event_id)]
