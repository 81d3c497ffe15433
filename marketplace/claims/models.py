"""Claims on needs and their transfer between holders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Lease expired")
    TRANSFERRED = "transferred", _("Transferred")
    COMPLETED = "completed", _("Completed")


# A claim's status in words; the model's labels are shared msgids ("Active") with other contexts.
CLAIM_STATUS_LABELS = {
    ClaimStatus.ACTIVE: pgettext_lazy("claim status", "Active"),
    ClaimStatus.WITHDRAWN: pgettext_lazy("claim status", "Withdrawn"),
    ClaimStatus.EXPIRED: pgettext_lazy("claim status", "Lease expired"),
    ClaimStatus.TRANSFERRED: pgettext_lazy("claim status", "Transferred"),
    ClaimStatus.COMPLETED: pgettext_lazy("claim status", "Completed"),
}

# The claim's moves, one table (``services.status.claim_set_status`` performs each). A claim
# starts active; active → active is a renewed lease, recorded like any move; every other status
# is final. Completed claims keep holding their amount; the others release it.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.ACTIVE: frozenset(
        {
            ClaimStatus.ACTIVE,
            ClaimStatus.WITHDRAWN,
            ClaimStatus.EXPIRED,
            ClaimStatus.TRANSFERRED,
            ClaimStatus.COMPLETED,
        }
    ),
    ClaimStatus.WITHDRAWN: frozenset(),
    ClaimStatus.EXPIRED: frozenset(),
    ClaimStatus.TRANSFERRED: frozenset(),
    ClaimStatus.COMPLETED: frozenset(),
}

# Claims whose amount counts against the need's target.
HOLDING_CLAIM_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED)


class Claim(models.Model):
    """认领: an organization (or a volunteer, for service needs) takes up part of a need."""

    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="claims")
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    volunteer = models.ForeignKey(
        "organizations.Volunteer", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
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
    # The outbox of the claim's notifications: set by ``need_claim``, cleared by the task that
    # sends them (``services.claims.claim_announce``); the sweep re-sends what stays set. A
    # database default too: code from before the field inserts claims during a rolling deploy.
    announce_pending = models.BooleanField(default=False, db_default=False, editable=False)

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
            models.Index(
                fields=["created_at"], condition=Q(announce_pending=True), name="claim_announce_due"
            ),
            # The evaluation reports read the claims made in a period (reports.kpis).
            models.Index(fields=["created_at"], name="claim_created_at"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} on {self.need_id}"

    @property
    def holder_name(self) -> str:
        return self.organization.name if self.organization_id else str(self.volunteer)


class ClaimTransition(models.Model):
    """One move of a claim (``from_status`` blank: the claim was made), who made it and why."""

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


# The transfer request's moves, one table (``services.status.transfer_set_status``). The holder
# answers a pending request, or it goes to the caseworker when the answer is due; a request
# still open when its claim ends (released or handed to someone else) is cancelled.
TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    TransferStatus.PENDING: frozenset(
        {TransferStatus.ACCEPTED, TransferStatus.DECLINED, TransferStatus.ESCALATED, TransferStatus.CANCELLED}
    ),
    TransferStatus.ESCALATED: frozenset(
        {TransferStatus.GRANTED, TransferStatus.REFUSED, TransferStatus.CANCELLED}
    ),
    TransferStatus.ACCEPTED: frozenset(),
    TransferStatus.DECLINED: frozenset(),
    TransferStatus.GRANTED: frozenset(),
    TransferStatus.REFUSED: frozenset(),
    TransferStatus.CANCELLED: frozenset(),
}
# Requests still waiting for an answer (the holder's or the caseworker's).
OPEN_TRANSFER_STATUSES = (TransferStatus.PENDING, TransferStatus.ESCALATED)


class TransferRequest(models.Model):
    """转让: another organization asks a claim's holder to hand the claim over."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="transfer_requests")
    requested_by = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfer_requests"
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


class TransferTransition(models.Model):
    """One move of a transfer request (``from_status`` blank: it was made), who made it and why."""

    transfer = models.ForeignKey(TransferRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=TransferStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TransferStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"transfer {self.transfer_id}: {self.from_status or '—'} → {self.to_status}"


class SituationChange(models.TextChoices):
    """What changed in the household (seed 三(三): 家庭状况变化, 新的困难)."""

    NEW_DIFFICULTY = "new_difficulty", _("A new difficulty")
    ILLNESS = "illness", _("Serious illness or injury")
    INCOME = "income", _("Income fell or work was lost")
    HOUSEHOLD = "household", _("Household members changed")
    ACCIDENT = "accident", _("Accident or disaster")
    IMPROVED = "improved", _("The situation improved")
    OTHER = "other", _("Other change")


class SituationReportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the caseworker")
    HANDLED = "handled", _("Handled")


class SituationReport(models.Model):
    """家庭状况变化报告: the holder of a claim saw the household's situation change.

    It reaches the need's caseworkers as a task and the monitoring platform as a feedback event
    (``situation_change``); like every stored note, its text identifies no one.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="situation_reports")
    change = models.CharField(_("what changed"), max_length=20, choices=SituationChange.choices)
    details = models.TextField(_("what you saw"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SituationReportStatus.choices, default=SituationReportStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("household situation report")
        verbose_name_plural = _("household situation reports")
        ordering = ["reported_at", "pk"]
        indexes = [
            models.Index(fields=["reported_at"], condition=Q(status="open"), name="situation_report_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SituationReportStatus.values), name="situation_report_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"situation report {self.pk} on claim {self.claim_id}"
