"""What the needs' back-office pages share: the mixin that lets reviewers in
(``accounts.permissions.may_review_needs``). The administrators' permission policy of the source
systems and policy overrides is ``accounts.backoffice.AdministratorPolicy``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.permissions import may_review_needs


class ReviewerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_review_needs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
