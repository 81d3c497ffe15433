"""/stats/: the public statistics page and its tables as CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from supervision.hooks import stats_page_panels
from supervision.stats.tables import HIDDEN, MONTHS, statistics


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """The complaint statistics, the marketplace's figures beside them, then the panels other
    apps add (``supervision.hooks.stats_page_panels``)."""
    panels = []
    for receiver in stats_page_panels:
        template, context = receiver(request=request)
        panels.append(mark_safe(render_to_string(template, context, request=request)))  # noqa: S308 - our templates
    return render(
        request,
        "supervision/stats.html",
        {"tables": statistics(), "hidden": HIDDEN, "months": MONTHS, "panels": panels, "now": timezone.now()},
    )


@require_GET
def stats_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the page as CSV (UTF-8 with a byte-order mark, so spreadsheets read the
    Chinese): the same cells, suppressed the same way."""
    found = next((candidate for candidate in statistics() if candidate.key == table), None)
    if found is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stats-{found.key}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([found.corner, *found.columns])
    writer.writerows(found.rows)
    if found.totals:
        writer.writerow(found.totals)
    return response
