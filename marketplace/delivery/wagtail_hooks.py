"""Delivery in the Wagtail admin: deliveries to verify, the assistance chain, alerts, expired
needs; the dashboard's count of deliveries to verify."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.permissions import may_verify_deliveries, sees_overdue, sees_queues
from core.backoffice import QueuePanel
from marketplace.delivery.admin import ChainAndAlertsGroup, DeliveryViewSet
from marketplace.delivery.models import DeliveryStatus
from marketplace.delivery.selectors import delivery_queue_count


@hooks.register("register_admin_viewset")
def register_delivery_viewsets():
    return [DeliveryViewSet(), ChainAndAlertsGroup()]


@hooks.register("construct_homepage_panels")
def add_delivery_queue_panel(request, panels):
    user = request.user
    if sees_queues(user):
        url = reverse("delivery_verification:index") + f"?status={DeliveryStatus.REPORTED}"
        panels.append(
            QueuePanel(
                name="deliveries-to-verify",
                order=20,
                heading=_("Deliveries to verify"),
                help_text=_(
                    "Deliveries that charities and volunteers reported: check the evidence, then "
                    "verify or dispute."
                ),
                count=lambda: delivery_queue_count(user=user),
                url=url if may_verify_deliveries(user) else "",
                show_overdue=sees_overdue(user),
            )
        )
