"""The marketplace in the Wagtail admin: review queue, spreadsheet import, source systems, overrides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

# Each area registers its own back-office hooks when imported.
from marketplace import admin_claims, admin_delivery, admin_feedback, admin_organizations  # noqa: F401
from marketplace.admin_views import (
    ROTATE_KEY_ACTION,
    AdministratorPolicy,
    ImportViewSet,
    PolicyOverrideViewSet,
    ReviewViewSet,
    SourceSystemViewSet,
)
from marketplace.models import PolicyOverride, SourceSystem

# Before the viewsets are registered, or Wagtail falls back to model permissions, which the
# portal's roles do not carry. Source systems are deactivated, never deleted (needs refer to them).
register_permission_policy(SourceSystem, AdministratorPolicy(SourceSystem, actions=("add", "change")))
register_permission_policy(
    PolicyOverride, AdministratorPolicy(PolicyOverride, actions=("add", "change", "delete"))
)


@hooks.register("register_admin_viewset")
def register_marketplace_viewsets():
    return [ReviewViewSet(), ImportViewSet(), SourceSystemViewSet(), PolicyOverrideViewSet()]


@hooks.register("register_log_actions")
def register_marketplace_log_actions(actions):
    actions.register_action(ROTATE_KEY_ACTION, _("Rotate API key"), _("API key rotated"))
