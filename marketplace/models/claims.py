"""Claims on needs, their transfer, delivery and verification, and the assistance chain."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Lease expired")
    TRANSFERRED = "transferred", _("Transferred")
    COMPLETED = "completed", _("Completed")


# Claims whose amount counts against the need's target.
HOLDING_CLAIM_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED)


class Claim(models.Model):
    """认领: an organization (or a volunteer, for service needs) takes up part of a need."""

    need = models.ForeignKey("marketplace.Need", on_delete=models.PROTECT, related_name="claims")
    organization = models.ForeignKey(
        "marketplace.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    volunteer = models.ForeignKey(
        "marketplace.Volunteer", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    lease_expires_at = models.DateTimeField(_("lease expires"))
    note = models.TextField(_("note"), blank=True)
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False, volunteer__isnull=True)
                | Q(organization__isnull=True, volunteer__isnull=False),
                name="claim_by_organization_or_volunteer",
            ),
            models.UniqueConstraint(
                fields=["need", "organization"],
                condition=Q(status="active", organization__isnull=False),
                name="claim_one_active_per_organization",
            ),
            models.UniqueConstraint(
                fields=["need", "volunteer"],
                condition=Q(status="active", volunteer__isnull=False),
                name="claim_one_active_per_volunteer",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"], name="claim_lease_due"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} on {self.need_id}"

    @property
    def holder_name(self) -> str:
        return self.organization.name if self.organization_id else str(self.volunteer)


class ClaimTransition(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status or '—'} → {self.to_status}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the holder")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ESCALATED = "escalated", _("Waiting for the caseworker")
    GRANTED = "granted", _("Granted by the caseworker")
    REFUSED = "refused", _("Refused by the caseworker")
    CANCELLED = "cancelled", _("Cancelled")


class TransferRequest(models.Model):
    """转让: another organization asks a claim's holder to hand the claim over."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="transfer_requests")
    requested_by = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="transfer_requests"
    )
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    answer_due_at = models.DateTimeField(_("answer due"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "requested_by"],
                condition=Q(status__in=["pending", "escalated"]),
                name="transfer_one_open_per_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer of claim {self.claim_id} to {self.requested_by_id} ({self.status})"


class DeliveryStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    DISPUTED = "disputed", _("Disputed")


class Delivery(models.Model):
    """交付: what a claimant reports having delivered; the caseworker verifies it."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="deliveries")
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
    need = models.ForeignKey("marketplace.Need", on_delete=models.PROTECT, related_name="assistance_records")
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
    need = models.ForeignKey("marketplace.Need", on_delete=models.CASCADE, related_name="duplicate_alerts")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
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
