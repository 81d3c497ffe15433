"""Delivery reports, their evidence and verification, the assistance chain and duplicate-aid alerts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeliveryStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    # "Verified" alone is also an organization's status (认证); a delivery is 核实 (docs/glossary.md).
    VERIFIED = "verified", pgettext_lazy("delivery status", "Verified")
    DISPUTED = "disputed", _("Disputed")


# Deliveries that count against their claim's amount.
COUNTED_DELIVERY_STATUSES = (DeliveryStatus.REPORTED, DeliveryStatus.VERIFIED)


class Delivery(models.Model):
    """交付: what a claimant reports having delivered; the caseworker verifies it."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="deliveries")
    amount = models.DecimalField(_("amount delivered"), max_digits=12, decimal_places=2)
    delivered_on = models.DateField(_("delivered on"))
    description = models.TextField(_("description"))
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.REPORTED)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)
    platform_confirmed_at = models.DateTimeField(
        _("receipt confirmed by the platform"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="delivery_amount_positive")]
        # The evaluation reports read the deliveries reported in a period (reports.kpis).
        indexes = [models.Index(fields=["created_at"], name="delivery_created_at")]

    def __str__(self) -> str:
        return f"delivery {self.pk} on claim {self.claim_id} ({self.status})"


def evidence_path(instance, filename: str) -> str:
    return f"private/evidence/{uuid.uuid4().hex}.{instance.extension}"


class Evidence(models.Model):
    """A photo or PDF backing a delivery: private, never public, checked by content."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"evidence {self.pk} ({self.content_type})"


class AssistanceRecord(models.Model):
    """一户一条救助链: one verified delivery to one household, by token — never identity."""

    household_token = models.CharField(max_length=64, db_index=True)
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="assistance_records")
    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="assistance_record")
    need_type = models.CharField(max_length=20)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_kind = models.CharField(max_length=10)
    provider = models.CharField(max_length=200)
    delivered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assistance record")
        verbose_name_plural = _("assistance records")
        ordering = ["-delivered_on", "-pk"]
        indexes = [
            models.Index(fields=["household_token", "need_type", "delivered_on"], name="chain_household_type")
        ]

    def __str__(self) -> str:
        return f"{self.need_type} {self.amount} on {self.delivered_on}"


class DuplicateAidAlert(models.Model):
    """重复救助预警: the same household would get the same kind of help twice within the window."""

    household_token = models.CharField(max_length=64, db_index=True)
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="duplicate_alerts")
    claim = models.ForeignKey(
        "claims.Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    need_type = models.CharField(max_length=20)
    window_days = models.PositiveIntegerField()
    detail = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate-aid alert")
        verbose_name_plural = _("duplicate-aid alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"duplicate-aid alert on {self.need_id}"
