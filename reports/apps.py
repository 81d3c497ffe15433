from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Performance reports")

    def ready(self):
        # The aggregate-only summary of the figures on /stats/, after the complaint statistics.
        from reports.public import stats_panel
        from supervision.hooks import stats_page_panels

        stats_page_panels.connect(stats_panel)
