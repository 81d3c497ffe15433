"""The needs in the Wagtail admin: review queue, spreadsheet import, source systems, policy
overrides and the feedback outbox."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from accounts.backoffice import AdministratorPolicy
from accounts.permissions import may_review_needs, sees_overdue, sees_queues
from core.backoffice import QueuePanel
from marketplace.needs.admin.feedback import FeedbackOutboxViewSet
from marketplace.needs.admin.imports import ImportViewSet
from marketplace.needs.admin.review import ReviewViewSet
from marketplace.needs.admin.sources import ROTATE_KEY_ACTION, PolicyOverrideViewSet, SourceSystemViewSet
from marketplace.needs.models import PolicyOverride, SourceSystem
from marketplace.needs.selectors import need_review_count

# Before the viewsets are registered, or Wagtail falls back to model permissions, which the
# portal's roles do not carry. Source systems are deactivated, never deleted (needs refer to them).
register_permission_policy(SourceSystem, AdministratorPolicy(SourceSystem, actions=("add", "change")))
register_permission_policy(
    PolicyOverride, AdministratorPolicy(PolicyOverride, actions=("add", "change", "delete"))
)


@hooks.register("register_admin_viewset")
def register_need_viewsets():
    return [
        ReviewViewSet(),
        ImportViewSet(),
        SourceSystemViewSet(),
        PolicyOverrideViewSet(),
        FeedbackOutboxViewSet(),
    ]


@hooks.register("register_log_actions")
def register_need_log_actions(actions):
    actions.register_action(ROTATE_KEY_ACTION, _("Rotate API key"), _("API key rotated"))


@hooks.register("construct_homepage_panels")
def add_review_queue_panel(request, panels):
    user = request.user
    if sees_queues(user):
        panels.append(
            QueuePanel(
                name="needs-to-review",
                order=10,
                heading=_("Needs to review"),
                help_text=_(
                    "Needs that intake held for a caseworker: check the public texts, then approve or reject."
                ),
                count=lambda: need_review_count(user=user),
                url=reverse("needs_review:index") if may_review_needs(user) else "",
                show_overdue=sees_overdue(user),
            )
        )
