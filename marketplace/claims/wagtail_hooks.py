"""The claims in the Wagtail admin: transfer requests escalated to the caseworkers, and their
count on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.permissions import may_decide_transfers, sees_overdue, sees_queues
from core.backoffice import QueuePanel
from marketplace.claims.admin import ClaimTransfersViewSet
from marketplace.claims.selectors import transfers_escalated_count


@hooks.register("register_admin_viewset")
def register_claim_viewsets():
    return [ClaimTransfersViewSet()]


@hooks.register("construct_homepage_panels")
def add_transfer_queue_panel(request, panels):
    user = request.user
    if sees_queues(user):
        panels.append(
            QueuePanel(
                name="transfers-to-decide",
                order=30,
                heading=_("Transfers to decide"),
                help_text=_(
                    "Transfer requests the claim's holder did not answer in time: grant or refuse each."
                ),
                count=lambda: transfers_escalated_count(user=user),
                url=reverse("claims_transfers:index") if may_decide_transfers(user) else "",
                show_overdue=sees_overdue(user),
            )
        )
