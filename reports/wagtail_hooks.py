"""Performance reports in the Wagtail admin (``reports.admin``)."""

from wagtail import hooks

from reports.admin import ReportsViewSet


@hooks.register("register_admin_viewset")
def register_reports_viewset():
    return ReportsViewSet()
