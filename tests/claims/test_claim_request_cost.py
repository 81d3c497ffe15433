"""Issue 11 item 17: a claim request does only what the invariant needs; the rest follows it.

Inside the claim's transaction: the need's lock, the checked insert, the status change and the
outbox rows (the feedback event, the claim's pending announcement). The notifications of the
claimant and the caseworkers and the delivery of the feedback event are tasks that run once the
claim has committed (in-process on the embedded default, on a worker with a broker), and a sweep
sends what a lost message left behind. With no broker, the request announces the claim it has
just committed from memory, without reading it back; with one, the task gets the claim's id.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification
from accounts.tokens import api_token_create
from config.celery import app as celery_app
from core.queue import enqueue
from marketplace.claims.models import Claim
from marketplace.claims.services.claims import claim_announce
from marketplace.claims.tasks import announce_claim, announce_pending_claims
from marketplace.needs.models import FeedbackEvent, NeedStatus
from tests.factories.accounts import UserFactory
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory
from tests.needs.test_feedback import SIGNING_KEY

pytestmark = pytest.mark.django_db

# What a claim's request may cost in queries: the API token's lookup (with its user's roles)
# and use, the need, who claims (the membership read with the organization), the lock, one read
# of the claimed sum, five writes, the duplicate-aid check and the claimant's warning, and here
# the savepoint and its release that the test's own transaction adds. It made 25 (26 with a
# session) when the notifications and the feedback delivery ran in it, 18 before the
# duplicate-aid check was one statement, 17 before the token read its roles and the holder its
# membership in the same statement. The fixed statements (core.db) count here as any other.
MAX_CLAIM_QUERIES = 15


@pytest.fixture(autouse=True)
def _feedback_settings(settings):
    settings.FEEDBACK_SIGNING_KEY = SIGNING_KEY


@pytest.fixture
def world(listening_webhook):
    source = SourceSystemFactory(region_code="420000", webhook_url=listening_webhook.url)
    need = IntakeNeedFactory(source_system=source, target="1000.00")
    charity = OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")
    member = MembershipFactory(organization=charity, user__username="sunshine").user
    caseworker = UserFactory(username="hongshan_caseworker", caseworker=True)
    _token, key = api_token_create(user=member, name="bench")
    return need, member, caseworker, key


def post_claim(client, need, key, amount="300.00"):
    return client.post(
        f"/api/v1/needs/{need.code}/claims/",
        {"amount": amount},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )


def test_a_claim_answers_within_its_query_budget_and_is_announced_after_commit(
    client, world, listening_webhook, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    need, member, caseworker, key = world
    with (
        django_capture_on_commit_callbacks() as after_commit,
        django_assert_max_num_queries(MAX_CLAIM_QUERIES),
    ):
        response = post_claim(client, need, key)
    assert response.status_code == 201, response.content
    need.refresh_from_db()
    assert need.status == NeedStatus.PARTIALLY_CLAIMED
    # Committed, not yet announced: the request did not write the messages.
    assert not Notification.objects.exists()
    assert listening_webhook.accepted_ids() == []

    for callback in after_commit:  # what runs once the claim has committed
        callback()

    claim = Claim.objects.get()
    assert Notification.objects.filter(user=member, subject__contains=need.code).count() == 1
    assert Notification.objects.filter(user=caseworker, subject__contains=need.code).count() == 1
    event = FeedbackEvent.objects.get(kind="claim")
    assert listening_webhook.accepted_ids() == [str(event.event_id)]
    assert event.payload["claim_id"] == claim.pk
    assert not claim.announce_pending


def test_an_announcement_is_sent_once(client, world, django_capture_on_commit_callbacks):
    need, member, caseworker, key = world
    with django_capture_on_commit_callbacks(execute=True):
        assert post_claim(client, need, key).status_code == 201
    claim = Claim.objects.get()

    assert claim_announce(claim_id=claim.pk) is False  # a second worker, or the message twice
    assert Notification.objects.filter(user=member).count() == 1
    assert Notification.objects.filter(user=caseworker).count() == 1


def test_the_sweep_announces_a_claim_whose_message_was_lost(
    client, world, django_capture_on_commit_callbacks
):
    need, member, caseworker, key = world
    with django_capture_on_commit_callbacks():  # the message never reaches a worker
        assert post_claim(client, need, key).status_code == 201
    claim = Claim.objects.get()
    assert claim.announce_pending and not Notification.objects.exists()

    assert announce_pending_claims() == 0  # its own message still has its chance
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert announce_pending_claims() == 1

    assert Notification.objects.filter(user=member, subject__contains=need.code).count() == 1
    assert Notification.objects.filter(user=caseworker, subject__contains=need.code).count() == 1
    assert announce_pending_claims() == 0


def test_without_a_broker_the_request_announces_its_claim_from_memory(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    need, member, caseworker, key = world
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert post_claim(client, need, key).status_code == 201

    claim = Claim.objects.get()
    assert claim.announce_pending is False
    assert Notification.objects.filter(user=member, subject__contains=need.code).count() == 1
    assert Notification.objects.filter(user=caseworker, subject__contains=need.code).count() == 1
    announce_reads = [q["sql"] for q in captured.captured_queries if "announce_pending" in q["sql"]]
    # The claim's insert (the flag set) and the statement that clears it; no read of the claim.
    assert not [sql for sql in announce_reads if sql.lstrip().startswith("SELECT")], announce_reads


def test_in_process_is_called_only_when_tasks_run_in_process(monkeypatch):
    called = []
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert enqueue(announce_claim, 0, in_process=lambda: called.append("here")) is True
    assert called == ["here"]

    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(announce_claim, "apply_async", lambda args, **options: called.append(args))
    assert enqueue(announce_claim, 7, in_process=lambda: called.append("here")) is True
    assert called == ["here", (7,)]  # handed over with the id alone
