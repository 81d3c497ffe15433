"""Reads of archived reports, scoped once: a supervisor sees the reports whose scope lies inside
their region (a Wuhan supervisor sees Wuhan's and its districts', not the province's)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.permissions import REPORT_ROLES
from accounts.scoping import scope_queryset, user_may_act
from reports.models import Report, ReportSchedule, ReportStatus


def may_report_on(user, scope_code: str) -> bool:
    """True when ``user`` may request and read reports of region ``scope_code``."""
    return user_may_act(user, region_code=scope_code, roles=REPORT_ROLES)


def reports_for(*, user) -> QuerySet[Report]:
    """The reports ``user`` may see, newest first (requests answered by an earlier report
    included: they lead to it)."""
    return scope_queryset(
        Report.objects.select_related("same_as"), user, roles=REPORT_ROLES, region_field="scope_code"
    )


def report_for(*, user, pk: int) -> Report:
    """One report ``user`` may see; ``Report.DoesNotExist`` for any other."""
    return reports_for(user=user).get(pk=pk)


def report_verified(*, public_id: str) -> Report:
    """The finished report of a verification URL; ``Report.DoesNotExist`` for anything else."""
    return Report.objects.get(public_id=public_id, status=ReportStatus.DONE)


def schedules_for(*, user) -> QuerySet[ReportSchedule]:
    return scope_queryset(
        ReportSchedule.objects.select_related("region"), user, roles=REPORT_ROLES, region_field="region__code"
    )
