"""Open311 API keys in the back office, for administrators (``supervision.open311.admin``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from accounts.backoffice import AdministratorPolicy
from supervision.open311.admin import REVOKE_KEY_ACTION, Open311KeyViewSet
from supervision.open311.models import Open311Key

# Before the viewset: the portal's roles carry no model permissions (accounts.roles). A key is
# revoked, never deleted, so the change log keeps who issued it and who stopped it.
register_permission_policy(Open311Key, AdministratorPolicy(Open311Key, actions=("add", "change")))


@hooks.register("register_admin_viewset")
def register_open311_keys():
    return Open311KeyViewSet()


@hooks.register("register_log_actions")
def register_open311_log_actions(actions):
    actions.register_action(REVOKE_KEY_ACTION, _("Revoke the Open311 API key"), _("Open311 API key revoked"))
