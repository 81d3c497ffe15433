"""Tickets in the Wagtail admin: the queue and a ticket's page, the hotline form, the kinds,
holidays and blocklist (administrators), and the dashboard's "tickets due" card."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from accounts.backoffice import AdministratorPolicy
from accounts.permissions import may_handle_tickets
from core.backoffice import QueuePanel
from supervision.admin import BlockedContactViewSet, HolidayViewSet, TicketKindViewSet, TicketsViewSet
from supervision.models import BlockedContact, Holiday, TicketKind
from supervision.selectors import tickets_due_count

# Before the viewsets: the portal's roles carry no model permissions (accounts.roles). Kinds are
# never deleted (tickets refer to them); a blocked contact is added or removed, never edited.
register_permission_policy(TicketKind, AdministratorPolicy(TicketKind, actions=("add", "change")))
register_permission_policy(Holiday, AdministratorPolicy(Holiday, actions=("add", "change", "delete")))
register_permission_policy(BlockedContact, AdministratorPolicy(BlockedContact, actions=("add", "delete")))


@hooks.register("register_admin_viewset")
def register_ticket_viewsets():
    return [TicketsViewSet(), TicketKindViewSet(), HolidayViewSet(), BlockedContactViewSet()]


@hooks.register("construct_homepage_panels")
def add_tickets_due_panel(request, panels):
    user = request.user
    if not may_handle_tickets(user):
        return
    panels.append(
        QueuePanel(
            name="tickets-due",
            order=50,
            heading=_("Tickets due"),
            help_text=_("Open tickets of your region or unit, by due date; overdue ones are counted apart."),
            count=lambda: tickets_due_count(user=user),
            url=reverse("supervision_tickets:index"),
            show_overdue=True,
            overdue_label=_("of which past their due date:"),
        )
    )
