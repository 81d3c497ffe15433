"""The rules of the closed loop the transition table alone does not show (issue 13, item 4): an
unsatisfied complainant reopens a ticket once, then it goes to a supervisor; a unit returns a
misassigned ticket within 2 working days only. Contact details stay out of the search index
(item 6), and the demo data hold every kind in every state (item 9)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from regions.models import Region
from search.backends import _backend
from search.indexing import repair
from search.models import SearchEntry
from supervision.calendar import add_working_days
from supervision.demo import seed_demo_tickets
from supervision.errors import TicketRefused
from supervision.models import Rating, Ticket, TicketKind, TicketStatus
from supervision.services import ticket_act, ticket_rate
from tests.factories.accounts import UserFactory
from tests.factories.supervision import file_ticket

pytestmark = pytest.mark.django_db
COUNTY = "420111"


def _moves(ticket: Ticket, actor, *actions: str, now=None) -> Ticket:
    for action in actions:
        ticket = ticket_act(
            ticket=ticket,
            action=action,
            actor=actor,
            department="civil_affairs",
            unit_region=Region.objects.get(code=COUNTY),
            reply="经核实，已按政策办理。",
            note="说明",
            now=now,
        )
    return ticket


def test_unsatisfied_reopens_once_then_escalates_to_the_supervisor_whose_reply_closes_it():
    admin, supervisor = UserFactory(administrator=True), UserFactory(supervisor=True)
    ticket = _moves(file_ticket().ticket, admin, "accept", "assign", "start", "reply")
    ticket = ticket_rate(ticket=ticket, rating=Rating.UNSATISFIED, note="没有解决")
    assert ticket.status == TicketStatus.REOPENED and ticket.reopened
    ticket = _moves(ticket, admin, "start", "reply")
    ticket = ticket_rate(ticket=ticket, rating=Rating.UNSATISFIED, note="还是没有解决")
    assert ticket.status == TicketStatus.ESCALATED and ticket.escalated_at is not None
    assert Notification.objects.filter(user=supervisor, subject__contains=ticket.id).exists()
    ticket = ticket_act(ticket=ticket, action="supervisor_reply", actor=supervisor, reply="督办后已解决。")
    assert ticket.status == TicketStatus.REPLIED
    ticket = ticket_rate(ticket=ticket, rating=Rating.UNSATISFIED)
    assert ticket.status == TicketStatus.CLOSED  # no third round
    assert [move.to_status for move in ticket.transitions.filter(action="rate").order_by("pk")] == [
        TicketStatus.REOPENED,
        TicketStatus.ESCALATED,
        TicketStatus.CLOSED,
    ]


def test_a_unit_returns_a_misassigned_ticket_within_two_working_days_only():
    admin = UserFactory(administrator=True)
    assigned_at = timezone.now()
    late = _moves(file_ticket().ticket, admin, "accept", "assign", now=assigned_at)
    in_time = _moves(file_ticket().ticket, admin, "accept", "assign", now=assigned_at)
    deadline = add_working_days(assigned_at, 2)
    with pytest.raises(TicketRefused) as refused:
        _moves(late, admin, "return", now=deadline + timedelta(seconds=1))
    assert refused.value.code == "return_period_over"
    late.refresh_from_db()
    assert late.status == TicketStatus.ASSIGNED
    returned = _moves(in_time, admin, "return", now=deadline)
    assert returned.status == TicketStatus.ACCEPTED and returned.unit_region is None


def test_no_contact_detail_reaches_the_search_index(settings):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()
    file_ticket(contact_phone="13987654321", contact_email="zhao.liu@example.org", contact_name="赵六")
    file_ticket("referral", referred_person="钱七 13811112222", contact_name="孙八")
    repair()
    dump = "\n".join(repr(row) for row in SearchEntry.objects.values_list())
    for secret in ("13987654321", "zhao.liu@example.org", "赵六", "钱七", "13811112222", "孙八"):
        assert secret not in dump
    _backend.cache_clear()


def test_the_demo_holds_every_kind_in_every_state_some_overdue_and_one_urgent_referral():
    UserFactory(username="admin", administrator=True)
    counts = seed_demo_tickets()
    kinds = TicketKind.objects.count()
    assert all(counts[status] == kinds for status in TicketStatus.values), counts
    assert seed_demo_tickets() == Counter()  # once only
    tickets = list(Ticket.objects.select_related("kind"))
    assert {(ticket.kind_id, ticket.status) for ticket in tickets} >= {
        (kind, status)
        for kind in TicketKind.objects.values_list("code", flat=True)
        for status in TicketStatus.values
    }
    assert any(ticket.warning() == "overdue" for ticket in tickets)
    (urgent,) = [ticket for ticket in tickets if ticket.urgent]
    assert urgent.kind_id == "referral" and urgent.due_at - urgent.submitted_at == timedelta(hours=24)
    assert len({ticket.region_id for ticket in tickets}) > 1
