"""The claims in the Wagtail admin: transfer requests escalated to the caseworkers, the
household situation reports of claim holders, and their counts on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.permissions import may_decide_transfers, may_handle_situation_reports, sees_overdue, sees_queues
from core.backoffice import QueuePanel
from marketplace.claims.admin import ClaimTransfersViewSet, SituationReportsViewSet
from marketplace.claims.selectors import situation_reports_open_count, transfers_escalated_count


@hooks.register("register_admin_viewset")
def register_claim_viewsets():
    return [ClaimTransfersViewSet(), SituationReportsViewSet()]


@hooks.register("construct_homepage_panels")
def add_claim_queue_panels(request, panels):
    user = request.user
    if not sees_queues(user):
        return
    panels.append(
        QueuePanel(
            name="transfers-to-decide",
            order=30,
            heading=_("Transfers to decide"),
            help_text=_("Transfer requests the claim's holder did not answer in time: grant or refuse each."),
            count=lambda: transfers_escalated_count(user=user),
            url=reverse("claims_transfers:index") if may_decide_transfers(user) else "",
            show_overdue=sees_overdue(user),
        )
    )
    panels.append(
        QueuePanel(
            name="situation-reports",
            order=40,
            heading=_("Household situation reports"),
            help_text=_(
                "Claim holders saw these households' situation change: re-assess and say what was done."
            ),
            count=lambda: situation_reports_open_count(user=user),
            url=reverse("claims_situations:index") if may_handle_situation_reports(user) else "",
            show_overdue=sees_overdue(user),
        )
    )
