"""The public verification page of a printed report (``/reports/verify/<id>/``): anyone holding
the code sees the report's scope, period, author, time and checksums, and nothing inside it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reports.models import Report
from reports.selectors import report_verified


@require_safe
def verify(request, public_id: str):
    try:
        report = report_verified(public_id=public_id)
    except Report.DoesNotExist as error:
        raise Http404 from error
    return render(request, "reports/verify.html", {"report": report})
