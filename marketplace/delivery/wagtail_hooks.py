"""Delivery in the Wagtail admin: deliveries to verify, the assistance chain, alerts, expired needs."""

from wagtail import hooks

from marketplace.delivery.admin import ChainAndAlertsGroup, DeliveryViewSet


@hooks.register("register_admin_viewset")
def register_delivery_viewsets():
    return [DeliveryViewSet(), ChainAndAlertsGroup()]
