"""The hotline directory in the back office: each region's staff edit their own region's lines.

Caseworkers, hotline operators and supervisors see, add, change and delete the hotlines inside
their region scope (accounts.scoping); administrators all of them. The region field offers only
the regions in scope, and a line outside it answers 403 even by its address.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.snippets.views.snippets import DeleteView, EditView, HistoryView, SnippetViewSet, UsageView

from accounts.models import User
from accounts.permissions import is_administrator
from accounts.roles import Role
from accounts.scoping import scope_queryset, user_may_act
from cms.models import HotlineEntry
from regions.models import Region, code_prefix

HOTLINE_ROLES = (Role.CASEWORKER, Role.HOTLINE_OPERATOR, Role.SUPERVISOR)
ACTIONS = frozenset({"add", "change", "delete", "view"})


class HotlinePolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        if action not in ACTIONS or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return is_administrator(user) or (user.has_role(*HOTLINE_ROLES) and user.region_id is not None)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ACTIONS and user_may_act(user, region_code=instance.region_id, roles=HOTLINE_ROLES)

    def instances_user_has_permission_for(self, user, action):
        if action not in ACTIONS:
            return HotlineEntry.objects.none()
        return scope_queryset(
            HotlineEntry.objects.all(), user, roles=HOTLINE_ROLES, region_field="region__code"
        )

    def users_with_any_permission(self, actions):
        if not ACTIONS.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            is_active=True, groups__name__in=[*HOTLINE_ROLES, Role.ADMINISTRATOR]
        ).distinct()


class HotlineEntryForm(WagtailAdminModelForm):
    """The region field lists only the regions the editor acts on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        field = self.fields.get("region")
        if field is not None and user is not None and not is_administrator(user):
            scope = user.region_id or ""
            field.queryset = (
                Region.objects.filter(code__startswith=code_prefix(scope)) if scope else Region.objects.none()
            )


class InScopeMixin:
    """A hotline outside the user's region scope is refused, even by its address."""

    def get_object(self, *args, **kwargs):
        entry = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", entry):
            raise PermissionDenied
        return entry


class ScopedEditView(InScopeMixin, EditView):
    """Wagtail's view that edits a hotline entry, only for one in the user's region (refused otherwise)."""


class ScopedDeleteView(InScopeMixin, DeleteView):
    """Wagtail's view that deletes a hotline entry, only for one in the user's region (refused otherwise)."""


class ScopedHistoryView(InScopeMixin, HistoryView):
    """The history of a hotline entry, only for one in the user's region (refused otherwise)."""


class ScopedUsageView(InScopeMixin, UsageView):
    """The usage of a hotline entry, only for one in the user's region (refused otherwise)."""


class HotlineViewSet(SnippetViewSet):
    model = HotlineEntry
    icon = "mail"
    menu_label = _("Hotlines")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["region", "name", "number", "service_hours"]
    list_filter = ["region"]
    search_fields = ["name", "number"]
    edit_handler = ObjectList(HotlineEntry.panels, base_form_class=HotlineEntryForm)
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def get_queryset(self, request):
        return scope_queryset(
            HotlineEntry.objects.select_related("region"),
            request.user,
            roles=HOTLINE_ROLES,
            region_field="region__code",
        )
