"""Performance reports in the back office (绩效评价报告, ``/admin/reports/``), for supervisors
inside their region and administrators:

* the list of the reports in the user's scope, and the form to request one (scope, period);
* a report's page: its progress in percent while it is built (the page reloads itself every
  few seconds; ``progress/`` answers the same as JSON), then the PDF, the HTML preview and the
  KPI tables as .xlsx and .csv; every download is written to the access log;
* 定期报告 (``/admin/reports/schedules/``): each city's monthly or quarterly report.

Views parse input, call one selector or service, and render; another region's report is not
found (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import may_use_reports
from core.backoffice import AdminPage, menu_item_for
from privacy.access import record_read
from privacy.models import SensitiveKind
from regions.models import Region
from reports.exports import as_csv, as_xlsx
from reports.models import Frequency, Report, ReportSchedule, ReportStatus
from reports.periods import BadParameter
from reports.rendering import render_html
from reports.selectors import may_report_on, report_for, reports_for, schedules_for
from reports.services import report_request, verify_url

RUNNING = (ReportStatus.QUEUED, ReportStatus.RUNNING)
REFRESH_SECONDS = 3


class _Page(AdminPage):
    check = staticmethod(may_use_reports)
    header_icon = "doc-full"


def _scope_choices(user) -> list[tuple[str, str]]:
    """The regions the user may request reports of: their region and everything inside it."""
    regions = (
        Region.objects.all()
        if user.is_superuser or not user.region_id
        else Region.objects.within(user.region_id)
    )
    return [
        (region.code, f"{region.name}（{region.code}）")
        for region in regions.order_by("code")
        if may_report_on(user, region.code)
    ]


class ReportListView(_Page):
    template_name = "reports/admin/index.html"
    page_title = gettext_lazy("Performance reports")
    paginate_by = 30

    def get_context_data(self, *, errors=None, scope="", period="", **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.paginate(reports_for(user=self.request.user))
        context.update(
            listing,
            reports=listing["page_obj"].object_list,
            scopes=_scope_choices(self.request.user),
            errors=errors or [],
            scope=scope or (self.request.user.region_id or "420000"),
            period=period,
        )
        return context

    def post(self, request, *args, **kwargs):
        scope, period = request.POST.get("scope", ""), request.POST.get("period", "")
        try:
            report = report_request(scope_code=scope, period_code=period, user=request.user)
        except BadParameter as error:
            return self.render_to_response(
                self.get_context_data(errors=[str(error)], scope=scope, period=period)
            )
        except PermissionDenied:
            message = _("You may request reports only of your own region and the regions inside it.")
            return self.render_to_response(
                self.get_context_data(errors=[message], scope=scope, period=period)
            )
        messages.success(request, _("The report is being generated."))
        return redirect("reports_admin:detail", pk=report.pk)


class _ReportMixin:
    @cached_property
    def report(self) -> Report:
        try:
            return report_for(user=self.request.user, pk=self.kwargs["pk"])
        except Report.DoesNotExist as error:
            raise Http404 from error


class ReportDetailView(_ReportMixin, _Page):
    template_name = "reports/admin/detail.html"

    def get_page_title(self):
        return f"{self.report.scope_name} · {self.report.period_label}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_admin:index"), "label": _("Performance reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        context.update(
            report=report,
            running=report.status in RUNNING,
            refresh_seconds=REFRESH_SECONDS,
            earlier=report.same_as if report.status == ReportStatus.SAME_AS else None,
            verify_url=verify_url(report, self.request.build_absolute_uri("/")),
        )
        return context


class ReportProgressView(_ReportMixin, View):
    def get(self, request, pk: int):
        if not may_use_reports(request.user):
            raise PermissionDenied
        report = self.report
        return JsonResponse(
            {
                "status": report.status,
                "progress": report.progress,
                "same_as": report.same_as_id if report.status == ReportStatus.SAME_AS else None,
            }
        )


class _DownloadView(_ReportMixin, View):
    """A finished report's file, written to the access log (who, when, which, from where)."""

    def get(self, request, pk: int):
        if not may_use_reports(request.user):
            raise PermissionDenied
        report = self.report
        if report.status != ReportStatus.DONE:
            raise Http404
        record_read(request, kind=SensitiveKind.REPORT, reference=f"{report.public_id} {self.what}")
        return self.respond(report)


class ReportPdfView(_DownloadView):
    what = "pdf"

    def respond(self, report: Report):
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=f"report-{report.scope_code}-{report.period_code}-{report.public_id}.pdf",
            content_type="application/pdf",
        )


class ReportPreviewView(_DownloadView):
    what = "preview"

    def respond(self, report: Report):
        html = render_html(
            report.data,
            report=report,
            verify_url=verify_url(report, self.request.build_absolute_uri("/")),
            snapshot=report.snapshot_sha256,
        )
        return HttpResponse(html)


class ReportXlsxView(_DownloadView):
    what = "xlsx"

    def respond(self, report: Report):
        response = HttpResponse(
            as_xlsx(report.data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"report-{report.scope_code}-{report.period_code}.xlsx"
        )
        return response


class ReportCsvView(_DownloadView):
    what = "csv"

    def respond(self, report: Report):
        response = HttpResponse(as_csv(report.data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, f"report-{report.scope_code}-{report.period_code}.csv"
        )
        return response


# --- 定期报告: schedules ---------------------------------------------------------------------------


def _city_choices(user) -> list[tuple[str, str]]:
    cities = Region.objects.city_level().order_by("code")
    return [(city.code, city.name) for city in cities if may_report_on(user, city.code)]


class ScheduleListView(_Page):
    template_name = "reports/admin/schedules.html"
    page_title = gettext_lazy("Report schedules")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_admin:index"), "label": _("Performance reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, *, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            schedules=schedules_for(user=self.request.user),
            cities=_city_choices(self.request.user),
            frequencies=Frequency.choices,
            errors=errors or [],
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "add")
        if action == "add":
            return self._add(request)
        try:
            schedule = schedules_for(user=request.user).get(pk=request.POST.get("schedule"))
        except (ReportSchedule.DoesNotExist, ValueError) as error:
            raise Http404 from error
        if action == "toggle":
            schedule.is_active = not schedule.is_active
            schedule.save(update_fields=["is_active"])
            messages.success(request, _("The schedule is saved."))
        elif action == "delete":
            schedule.delete()
            messages.success(request, _("The schedule is deleted."))
        return redirect("reports_admin:schedules")

    def _add(self, request):
        city, frequency = request.POST.get("city", ""), request.POST.get("frequency", "")
        errors = []
        region = Region.objects.filter(code=city).first()
        if region is None or not region.is_city_level or not may_report_on(request.user, city):
            errors.append(_("Choose a city inside your region."))
        if frequency not in Frequency.values:
            errors.append(_("Choose monthly or quarterly."))
        if errors:
            return self.render_to_response(self.get_context_data(errors=errors))
        try:
            ReportSchedule.objects.create(region=region, frequency=frequency, created_by=request.user)
        except IntegrityError:
            return self.render_to_response(
                self.get_context_data(errors=[_("This city already has a schedule of that frequency.")])
            )
        messages.success(request, _("The schedule is saved."))
        return redirect("reports_admin:schedules")


class ReportsViewSet(ViewSet):
    name = "reports_admin"
    url_prefix = "reports"
    icon = "doc-full"
    menu_label = gettext_lazy("Performance reports")
    menu_name = "performance-reports"
    menu_order = 400
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_use_reports)

    def get_urlpatterns(self):
        return [
            path("", ReportListView.as_view(), name="index"),
            path("schedules/", ScheduleListView.as_view(), name="schedules"),
            path("<int:pk>/", ReportDetailView.as_view(), name="detail"),
            path("<int:pk>/progress/", ReportProgressView.as_view(), name="progress"),
            path("<int:pk>/pdf/", ReportPdfView.as_view(), name="pdf"),
            path("<int:pk>/preview/", ReportPreviewView.as_view(), name="preview"),
            path("<int:pk>/kpis.xlsx", ReportXlsxView.as_view(), name="xlsx"),
            path("<int:pk>/kpis.csv", ReportCsvView.as_view(), name="csv"),
        ]
