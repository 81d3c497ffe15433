from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "marketplace.delivery"
    label = "delivery"
    verbose_name = _("Delivery and the assistance chain")

    def ready(self) -> None:
        # The duplicate-aid check hears of new needs and claims from the apps below
        # (docs/decisions/0009-apps-and-layers.md).
        from marketplace.claims.hooks import claim_made, claim_next_steps, claim_warnings
        from marketplace.delivery.services.chain import (
            check_duplicate_aid,
            check_duplicate_aid_of_intake,
            duplicate_aid_warning,
        )
        from marketplace.delivery.views import claims_delivery_steps
        from marketplace.needs.hooks import needs_received

        needs_received.connect(check_duplicate_aid_of_intake)
        claim_made.connect(check_duplicate_aid)
        claim_warnings.connect(duplicate_aid_warning)
        # The claims' holders see, where they look, the delivery to report or its report's state.
        claim_next_steps.connect(claims_delivery_steps)
