"""The outbox of feedback to the monitoring platform: written in the same transaction as the
change it reports, delivered by a Celery task, pulled with a cursor."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FeedbackEvent(models.Model):
    KINDS = ("claim", "claim_released", "delivery", "verification", "expiry", "transfer", "fulfilled")

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_system = models.ForeignKey(
        "marketplace.SourceSystem", on_delete=models.PROTECT, related_name="feedback_events"
    )
    need = models.ForeignKey("marketplace.Need", on_delete=models.PROTECT, related_name="feedback_events")
    kind = models.CharField(max_length=30)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True),
                name="feedback_undelivered",
            ),
            models.Index(fields=["source_system", "id"], name="feedback_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
