"""Requesting and building performance reports.

The invariant: one finished report per (scope, period, data snapshot). ``report_request``
writes a queued row and hands its id to the broker on commit; ``report_build`` (the Celery task
``reports.build_report``, acknowledged late) computes the data, its SHA-256, then either finds
the report already made from the same data (the request becomes ``same_as`` it) or claims the
pair (scope+period, snapshot) on its own row — the unique constraint decides between two
concurrent builds — and renders. A worker killed mid-render leaves the row ``running`` with its
snapshot; the redelivered task builds the same data again, finds its own row holding the pair,
and renders again: still one report. Safe to run twice at any point.

Raises ``reports.periods.BadParameter`` for a scope or period that cannot be reported on and
``PermissionDenied`` for a scope outside the requester's.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from core.queue import enqueue
from reports.content import report_data, snapshot_sha256
from reports.models import Frequency, Report, ReportSchedule, ReportStatus, RequestedVia
from reports.periods import Period, parse_period, parse_scope
from reports.rendering import render_html, render_pdf
from reports.selectors import may_report_on

logger = logging.getLogger(__name__)
FINISHED = (ReportStatus.DONE, ReportStatus.SAME_AS, ReportStatus.FAILED)


def params_key(scope_code: str, period_code: str) -> str:
    return f"{scope_code}|{period_code}"


def report_request(
    *,
    scope_code: str,
    period_code: str,
    user=None,
    via: str = RequestedVia.BACK_OFFICE,
    schedule=None,
    background: bool = True,
) -> Report:
    """A queued report of ``scope_code`` and ``period_code`` (``BadParameter`` if either is
    bad; ``PermissionDenied`` for a user who may not report on that scope), built in the
    background once the transaction commits (``background=False``: the caller builds it)."""
    scope, period = parse_scope(scope_code), parse_period(period_code)
    if user is not None and not may_report_on(user, scope.code):
        raise PermissionDenied
    report = Report.objects.create(
        scope_code=scope.code,
        scope_name=scope.name,
        period_code=period.code,
        period_label=period.label,
        params_key=params_key(scope.code, period.code),
        requested_by=user,
        requested_by_name=user.get_username() if user is not None else "",
        requested_via=via,
        schedule=schedule,
    )
    if background:
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(report_id: int) -> None:
    from reports.tasks import build_report

    enqueue(build_report, report_id)


def _progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id).update(progress=min(percent, 100))


def verify_url(report: Report, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("report-verify", args=[report.public_id])


def report_build(*, report_id: int, base_url: str = "") -> Report:
    """Build report ``report_id`` (see the module's docstring); returns the report whose PDF
    answers the request: this one, or the earlier one with the same data."""
    report = Report.objects.get(pk=report_id)
    if report.status in FINISHED:
        return report.same_as or report
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=1)
    scope, period = parse_scope(report.scope_code), parse_period(report.period_code)
    with translation.override("zh-hans"):
        data = report_data(scope, period, progress=lambda percent: _progress(report.pk, percent))
    snapshot = snapshot_sha256(data)
    earlier = _holder(report, snapshot)
    if earlier is not None and earlier.status == ReportStatus.FAILED:
        # A build of the same data that failed for good: this request renders it anew.
        Report.objects.filter(pk=earlier.pk).update(snapshot_sha256="")
        earlier = None
    if earlier is not None:
        return _same_as(report, earlier)
    try:
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(snapshot_sha256=snapshot, data=data)
    except IntegrityError:
        # Another build claimed the same data a moment ago.
        return _same_as(report, _holder(report, snapshot))
    report.refresh_from_db()
    with translation.override("zh-hans"):
        html = render_html(
            data,
            report=report,
            verify_url=verify_url(report, base_url or _site_url()),
            snapshot=snapshot,
            for_pdf=True,
        )
        _progress(report.pk, 85)
        pdf = render_pdf(html)
    report.file.save(f"{report.public_id}.pdf", ContentFile(pdf), save=False)
    report.checksum = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.status = ReportStatus.DONE
    report.progress = 100
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "checksum", "size", "status", "progress", "finished_at"])
    return report


def _holder(report: Report, snapshot: str) -> Report | None:
    return (
        Report.objects.filter(params_key=report.params_key, snapshot_sha256=snapshot)
        .exclude(pk=report.pk)
        .first()
    )


def _same_as(report: Report, earlier: Report | None) -> Report:
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.SAME_AS, same_as=earlier, progress=100, finished_at=timezone.now()
    )
    return earlier or report


def report_fail(*, report_id: int, error: str) -> None:
    Report.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED, error=error[:300], finished_at=timezone.now()
    )


def _site_url() -> str:
    return settings.REPORT_VERIFY_BASE_URL


def reports_requeue_stale(*, older_than_minutes: int = 10) -> int:
    """Hand queued reports older than ``older_than_minutes`` to the broker again (a publish that
    failed or a message lost); returns how many. Beat runs it (``requeue-reports``)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        Report.objects.filter(status=ReportStatus.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for report_id in ids:
        _enqueue(report_id)
    return len(ids)


def last_complete_period(frequency: str, today: date) -> Period:
    """The month or quarter that ended most recently before ``today``."""
    if frequency == Frequency.MONTHLY:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return parse_period(f"{year}-{month:02d}")
    quarter = (today.month - 1) // 3
    year, quarter = (today.year, quarter) if quarter else (today.year - 1, 4)
    return parse_period(f"{year}-Q{quarter}")


def schedules_run(*, today: date | None = None) -> int:
    """Request the report of the last complete period of every active schedule that does not
    have it yet; returns how many were requested. Safe to run any number of times a day: one
    report per schedule and period (a unique constraint)."""
    today = today or timezone.localdate()
    requested = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related("region"):
        period = last_complete_period(schedule.frequency, today)
        if Report.objects.filter(schedule=schedule, period_code=period.code).exists():
            continue
        try:
            with transaction.atomic():
                report_request(
                    scope_code=schedule.region_id,
                    period_code=period.code,
                    via=RequestedVia.SCHEDULE,
                    schedule=schedule,
                )
        except IntegrityError:
            continue  # another run requested it a moment ago
        requested += 1
    return requested
