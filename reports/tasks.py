"""Background work of reports: building one, re-sending lost requests, the schedules."""

from __future__ import annotations

import logging

from celery import shared_task

from reports.services import report_build, report_fail, reports_requeue_stale, schedules_run

logger = logging.getLogger(__name__)


@shared_task(name="reports.build_report", acks_late=True, reject_on_worker_lost=True)
def build_report(report_id: int) -> None:
    """Build report ``report_id``; acknowledged only when done, so a worker killed mid-render
    leaves it for another, and ``report_build`` makes the second run end on the same report.
    An error (not a kill) marks the report failed with the error's kind; it can be requested
    again."""
    try:
        report_build(report_id=report_id)
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        report_fail(report_id=report_id, error=f"{type(error).__name__}")


@shared_task(name="reports.requeue_reports")
def requeue_reports() -> int:
    """Re-send queued reports whose message was lost (every 10 minutes in beat)."""
    return reports_requeue_stale()


@shared_task(name="reports.run_schedules")
def run_schedules() -> int:
    """Request the scheduled monthly and quarterly reports that are due (daily in beat)."""
    return schedules_run()
