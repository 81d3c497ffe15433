from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "marketplace.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from marketplace.matching.statutory import statutory_panel
        from marketplace.needs.hooks import need_page_panels

        need_page_panels.connect(statutory_panel)
