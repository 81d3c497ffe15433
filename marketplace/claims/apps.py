from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "marketplace.claims"
    label = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from marketplace.claims.views import claim_panel
        from marketplace.needs.hooks import need_page_panels

        need_page_panels.connect(claim_panel)
