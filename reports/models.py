"""Performance-evaluation reports as archived (绩效评价报告) and their schedules.

One report per scope, period and data snapshot: the unique constraint on (``params_key``,
``snapshot_sha256``) is what makes a second request for unchanged data, or a retried job after
a worker died mid-render, end on the same report (``reports.services``). A request whose data
turned out to be already reported is kept as a row pointing to that report (``same_as``), so
its requester is led there.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    """The report's id in its verification URL: 12 URL-safe characters (72 random bits), so
    nobody finds a report by counting."""
    return secrets.token_urlsafe(9)


def report_path(instance: Report, filename: str) -> str:
    # private/: never served from MEDIA_URL (config.media), only by the logged download view.
    return f"private/reports/{instance.public_id}.pdf"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    SAME_AS = "same_as", _("Same data as an earlier report")
    FAILED = "failed", _("Failed")


class RequestedVia(models.TextChoices):
    BACK_OFFICE = "back_office", _("Back office")
    COMMAND = "command", _("Command line")
    SCHEDULE = "schedule", _("Schedule")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ReportSchedule(models.Model):
    """定期报告: a city's monthly or quarterly report, made by the beat task
    ``reports.run_schedules`` once the period is over."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+"
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["region_id", "frequency"]
        constraints = [
            models.UniqueConstraint(fields=["region", "frequency"], name="report_schedule_one_per_city"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.frequency}"


class Report(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    scope_code = models.CharField(_("scope"), max_length=6)
    scope_name = models.CharField(_("scope name"), max_length=40)
    period_code = models.CharField(_("period"), max_length=30)
    period_label = models.CharField(_("period"), max_length=60)
    # "<scope>|<period>": what a request asks for, the first half of the unique key.
    params_key = models.CharField(max_length=40, db_index=True)
    snapshot_sha256 = models.CharField(_("data snapshot SHA-256"), max_length=64, blank=True)
    data = models.JSONField(null=True, blank=True, editable=False)
    file = models.FileField(upload_to=report_path, blank=True)
    checksum = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    same_as = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account is deleted: the report names who asked for it.
    requested_by_name = models.CharField(max_length=150, blank=True)
    requested_via = models.CharField(max_length=12, choices=RequestedVia.choices)
    schedule = models.ForeignKey(
        ReportSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("performance report")
        verbose_name_plural = _("performance reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["params_key", "snapshot_sha256"],
                condition=~Q(snapshot_sha256=""),
                name="report_one_per_params_and_snapshot",
            ),
            models.UniqueConstraint(
                fields=["schedule", "period_code"],
                condition=Q(schedule__isnull=False),
                name="report_one_per_schedule_period",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_status_due")]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.period_label} ({self.public_id})"

    @property
    def author_label(self) -> str:
        if self.requested_via == RequestedVia.BACK_OFFICE:
            return self.requested_by_name
        return f"{RequestedVia(self.requested_via).label}" + (
            f" ({self.requested_by_name})" if self.requested_by_name else ""
        )
