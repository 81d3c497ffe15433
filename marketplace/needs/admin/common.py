"""What the needs' back-office pages share: the mixin that lets reviewers in
(``accounts.permissions.may_review_needs``) and the administrators' permission policy of the
source systems and policy overrides.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.models import User
from accounts.permissions import is_administrator, may_review_needs
from accounts.roles import Role


class AdministratorPolicy(BasePermissionPolicy):
    """Administrators (and superusers) may do ``actions`` on the model; nobody else may.

    Roles are groups without model permissions (accounts.roles), so Wagtail's default
    permission policy would let only superusers in.
    """

    def __init__(self, model, *, actions=("add", "change")):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_administrator(user)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR), is_active=True
        ).distinct()


class ReviewerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_review_needs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
