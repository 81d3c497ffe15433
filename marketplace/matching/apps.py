from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "marketplace.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from marketplace.matching.statutory import statutory_panel
        from marketplace.matching.views import organization_section
        from marketplace.needs.hooks import need_page_panels
        from marketplace.organizations.hooks import organization_page_sections

        need_page_panels.connect(statutory_panel)
        organization_page_sections.connect(organization_section)
