"""The refusals of matching, each a ``core.errors.DomainError`` (409 unless said otherwise)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.errors import DomainError


class MatchingRefused(DomainError):
    """An offer, invitation, project or pledge the rules refuse; ``code`` names the rule."""

    MESSAGES = {
        "not_admin": gettext_lazy("Only an administrator of a verified organization may do this."),
        "not_invited": gettext_lazy("This invitation has already been answered or withdrawn."),
        "offer_spent": gettext_lazy("The offer has no capacity left for this invitation."),
        "not_staff": gettext_lazy("Only caseworkers may do this."),
        "project_closed": gettext_lazy("This project does not take pledges now."),
        "over_target": gettext_lazy("This pledge would take the project over its target."),
        "not_pledged": gettext_lazy("This pledge has already been answered."),
        "no_lines": gettext_lazy("Choose at least one line of the proposal."),
    }
    FORBIDDEN = frozenset({"not_admin", "not_staff"})

    def __init__(self, code: str, message: str | None = None):
        super().__init__(
            message or self.MESSAGES.get(code, code),
            code=code,
            http_status=403 if code in self.FORBIDDEN else 409,
        )
