"""A claim on a need of a source system that pulls its events sends no wake-up call for them.

The claim's request reads the need with what it must know of its source system (whether it has
a webhook and is active). A system that pulls (`GET /api/v1/feedback/`) gets its event there, as
before, and no task runs for it; a system with a webhook still gets it pushed after the commit;
a system that gets a webhook after the claim gets the event from the sweep once it is due.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tokens import api_token_create
from marketplace.needs.models import FeedbackEvent
from marketplace.needs.services.feedback_dispatch import feedback_dispatch, feedback_due
from marketplace.needs.tasks import redispatch_feedback
from tests.claims.test_claim_request_cost import post_claim
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory
from tests.needs.test_feedback import SIGNING_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _feedback_settings(settings):
    settings.FEEDBACK_SIGNING_KEY = SIGNING_KEY


def woken(callbacks) -> bool:
    """Whether the feedback event's wake-up call was among what ran after the commit."""
    return any(callback.__qualname__.startswith("feedback_emit.") for callback in callbacks)


def claim_on(source):
    need = IntakeNeedFactory(source_system=source, target="1000.00")
    charity = OrganizationFactory(verified=True, need_types=[])
    member = MembershipFactory(organization=charity).user
    return need, api_token_create(user=member, name="t")[1]


def test_a_system_that_pulls_gets_no_wake_up_call_and_its_event_waits_for_the_pull(
    client, django_capture_on_commit_callbacks
):
    need, key = claim_on(SourceSystemFactory(region_code="420000", webhook_url=""))
    with django_capture_on_commit_callbacks() as after_commit:
        assert post_claim(client, need, key).status_code == 201
    assert after_commit and not woken(after_commit)  # the announcement only
    event = FeedbackEvent.objects.get(kind="claim")
    assert event.delivered_at is None and event.attempts == 0
    assert not feedback_due(now=timezone.now() + timedelta(hours=1)).exists()  # nothing to push


def test_a_system_with_a_webhook_is_woken_and_receives_the_event(
    client, listening_webhook, django_capture_on_commit_callbacks
):
    need, key = claim_on(SourceSystemFactory(region_code="420000", webhook_url=listening_webhook.url))
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        assert post_claim(client, need, key).status_code == 201
    assert woken(after_commit)
    event = FeedbackEvent.objects.get(kind="claim")
    assert listening_webhook.accepted_ids() == [str(event.event_id)]


def test_an_inactive_system_with_a_webhook_is_not_woken(
    client, listening_webhook, django_capture_on_commit_callbacks
):
    need, key = claim_on(SourceSystemFactory(region_code="420000", webhook_url=listening_webhook.url))
    need.source_system.is_active = False
    need.source_system.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        assert post_claim(client, need, key).status_code == 201
    assert not woken(after_commit)
    assert listening_webhook.accepted_ids() == []


def test_a_webhook_added_after_the_claim_gets_the_event_from_the_sweep(
    client, listening_webhook, django_capture_on_commit_callbacks
):
    source = SourceSystemFactory(region_code="420000", webhook_url="")
    need, key = claim_on(source)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_claim(client, need, key).status_code == 201
    source.webhook_url = listening_webhook.url
    source.save(update_fields=["webhook_url"])
    event = FeedbackEvent.objects.get(kind="claim")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert redispatch_feedback() == 1  # enqueued (in-process here) and delivered
    assert listening_webhook.accepted_ids() == [str(event.event_id)]
    assert feedback_dispatch(event_id=event.pk) is False  # delivered once
