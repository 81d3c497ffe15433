"""Due dates on the ticket: working days from submission, 24 calendar hours for urgent help,
the 预警 markers flipping exactly at the deadline, warnings sent once each, extensions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Department, Notification
from accounts.roles import Role
from regions.models import Region
from supervision.admin import due_marker
from supervision.calendar import TIME_ZONE
from supervision.models import Ticket, TicketStatus
from supervision.services import ticket_act, tickets_close_unrated, tickets_warn_due
from tests.factories.accounts import UserFactory
from tests.factories.supervision import file_ticket

pytestmark = pytest.mark.django_db


def test_a_complaint_filed_on_friday_is_due_by_working_days():
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=TIME_ZONE)
    ticket = file_ticket(now=friday).ticket
    assert ticket.accept_due_at == datetime(2026, 3, 9, 23, 59, 59, tzinfo=TIME_ZONE)  # Monday
    assert ticket.due_at == datetime(2026, 3, 27, 23, 59, 59, tzinfo=TIME_ZONE)  # 15 working days


def test_an_urgent_referral_is_due_24_calendar_hours_after_submission_and_goes_to_the_county():
    caseworker = UserFactory(caseworker=True)  # Hongshan
    saturday_night = datetime(2026, 2, 14, 22, 30, tzinfo=TIME_ZONE)  # before Spring Festival
    ticket = file_ticket(
        "referral", urgent=True, referred_person="独居老人，腿脚不便", now=saturday_night
    ).ticket
    assert ticket.due_at - ticket.submitted_at == timedelta(hours=24)
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.department == Department.CIVIL_AFFAIRS and ticket.unit_region_id == "420111"
    assert Notification.objects.filter(user=caseworker, subject__contains=ticket.id).exists()


def test_the_overdue_flag_flips_exactly_at_the_deadline():
    ticket = file_ticket().ticket
    with time_machine.travel(ticket.due_at, tick=False):
        assert due_marker(ticket) == "soon"
        assert not Ticket.objects.filter(pk=ticket.pk, due_at__lt=timezone.now()).exists()
    with time_machine.travel(ticket.due_at + timedelta(microseconds=1), tick=False):
        assert due_marker(ticket) == "overdue"
        assert Ticket.objects.filter(pk=ticket.pk, due_at__lt=timezone.now()).exists()


def test_warnings_go_to_the_unit_and_its_supervisor_once_each():
    handler = UserFactory(caseworker=True)
    supervisor = UserFactory(supervisor=True)
    operator = UserFactory(roles=[Role.HOTLINE_OPERATOR], region=Region.objects.get(code="420111"))
    ticket = file_ticket(kind="enquiry").ticket
    ticket_act(ticket=ticket, action="accept", actor=operator)
    ticket_act(
        ticket=ticket,
        action="assign",
        actor=operator,
        department="civil_affairs",
        unit_region=Region.objects.get(code="420111"),
    )
    ticket.refresh_from_db()
    day_before = ticket.due_at - timedelta(hours=30)
    with time_machine.travel(day_before, tick=False):
        assert tickets_warn_due() == {"soon": 1, "overdue": 0}
        assert tickets_warn_due() == {"soon": 0, "overdue": 0}
    with time_machine.travel(ticket.due_at + timedelta(minutes=1), tick=False):
        assert tickets_warn_due() == {"soon": 0, "overdue": 1}
        assert tickets_warn_due() == {"soon": 0, "overdue": 0}
    for user in (handler, supervisor):
        subjects = list(Notification.objects.filter(user=user).values_list("subject", flat=True))
        assert sum("预警" in s and ticket.id in s for s in subjects) == 2, subjects


def test_one_extension_of_at_most_ten_working_days_with_a_supervisor():
    handler = UserFactory(caseworker=True)
    supervisor = UserFactory(supervisor=True)
    ticket = file_ticket("referral", urgent=True, referred_person="x").ticket
    due = ticket.due_at
    ticket_act(ticket=ticket, action="request_extension", actor=handler, days=5, note="需要入户核查")
    assert Notification.objects.filter(user=supervisor, subject__contains=ticket.id).exists()
    ticket_act(ticket=ticket, action="approve_extension", actor=supervisor)
    ticket.refresh_from_db()
    assert ticket.extension_days == 5 and ticket.due_at > due
    from supervision.errors import TicketRefused

    with pytest.raises(TicketRefused):
        ticket_act(ticket=ticket, action="request_extension", actor=handler, days=2, note="again")


def test_a_replied_ticket_left_unrated_closes_after_seven_days():
    handler = UserFactory(caseworker=True)
    ticket = file_ticket("help", urgent=True).ticket
    ticket_act(ticket=ticket, action="start", actor=handler)
    ticket_act(ticket=ticket, action="reply", actor=handler, reply="已发放临时救助。")
    assert tickets_close_unrated() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        assert tickets_close_unrated() == 1
        assert tickets_close_unrated() == 0
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.rating is None
