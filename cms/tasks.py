"""Background work of the notices: thin tasks, safe to run twice."""

from __future__ import annotations

from io import StringIO

from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.publish_scheduled")
def publish_scheduled() -> None:
    """Publish the pages whose ``go_live_at`` has come and unpublish those whose ``expire_at``
    has passed (Wagtail's own ``publish_scheduled``, which logs each in the audit log). Beat:
    every minute. Running it twice does nothing more: a published revision is no longer scheduled."""
    call_command("publish_scheduled", stdout=StringIO())
