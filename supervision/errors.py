"""The refusals of tickets, each a ``core.errors.DomainError``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from supervision.models import TICKET_ACTIONS, TicketStatus


class TicketRefused(DomainError):
    """A move of a ticket the table (``models.TICKET_ACTIONS``) or a rule refuses."""

    code = "ticket_refused"


class TicketActionRefused(TicketRefused):
    """``action`` may not be taken on a ticket in ``status`` (HTTP 409)."""

    code = "illegal_ticket_action"

    def __init__(self, action: str, status: str):
        self.action, self.status = action, status
        super().__init__(
            _("“%(action)s” cannot be done on a ticket that is “%(status)s”.")
            % {"action": TICKET_ACTIONS[action].label, "status": TicketStatus(status).label}
        )


class TicketRoleRefused(TicketRefused):
    """The actor may not take ``action`` on this ticket (HTTP 403)."""

    code = "ticket_not_yours"
    http_status = 403

    def __init__(self, action: str):
        self.action = action
        super().__init__(
            _("You may not “%(action)s” on this ticket.") % {"action": TICKET_ACTIONS[action].label}
        )
