"""The ticket's one action table, probed over every (status, action, role): what the table
allows happens and is recorded with its actor and role; everything else is refused and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from regions.models import Region
from supervision.errors import TicketRefused
from supervision.models import COMPLAINANT, SYSTEM, TICKET_ACTIONS, Rating, Ticket, TicketStatus
from supervision.services import ticket_act, ticket_close_unrated, ticket_rate
from tests.factories.accounts import UserFactory
from tests.factories.supervision import file_ticket

pytestmark = pytest.mark.django_db

COUNTY = "420111"
STAFF = {
    Role.HOTLINE_OPERATOR: {"roles": [Role.HOTLINE_OPERATOR], "region_id": COUNTY},
    Role.CASEWORKER: {"roles": [Role.CASEWORKER], "region_id": COUNTY},
    Role.DEPARTMENT_HANDLER: {
        "roles": [Role.DEPARTMENT_HANDLER],
        "region_id": COUNTY,
        "department": Department.CIVIL_AFFAIRS,
    },
    Role.SUPERVISOR: {"roles": [Role.SUPERVISOR], "region_id": "420100"},
    Role.ADMINISTRATOR: {"roles": [Role.ADMINISTRATOR]},
    "volunteer": {"roles": [Role.VOLUNTEER]},
    "caseworker_elsewhere": {"roles": [Role.CASEWORKER], "region_id": "420500"},
}
ROLES = [*STAFF, COMPLAINANT, SYSTEM]


def allowed(status: str, action: str, role: str) -> bool:
    row = TICKET_ACTIONS[action]
    if status not in row.sources:
        return False
    if role == Role.ADMINISTRATOR:
        return not row.roles & {COMPLAINANT, SYSTEM}
    return role in row.roles


@pytest.fixture
def staff():
    return {
        role: UserFactory(
            username=f"wf-{role}",
            roles=spec["roles"],
            region_id=spec.get("region_id"),
            department=spec.get("department", ""),
        )
        for role, spec in STAFF.items()
    }


def ticket_in(status: str, *, into: Ticket | None = None) -> Ticket:
    """A civil-affairs ticket of Hongshan assigned to Hongshan's unit, put in ``status``."""
    ticket = file_ticket(contact_phone="13800138000").ticket
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        department=Department.CIVIL_AFFAIRS,
        unit_region_id=COUNTY,
        assigned_at=now,
        return_due_at=now + timedelta(days=2),
        reply="答复内容" if status in (TicketStatus.REPLIED, TicketStatus.CLOSED) else "",
        replied_at=now - timedelta(days=8),
        not_accepted_reason="不属于受理范围" if status == TicketStatus.NOT_ACCEPTED else "",
        extension_requested_days=3,
    )
    ticket.refresh_from_db()
    return ticket


def params(action: str) -> dict:
    return {
        "note": "处理说明",
        "reply": "已核实并答复。",
        "department": Department.CIVIL_AFFAIRS,
        "unit_region": Region.objects.get(code=COUNTY),
        "days": 3,
    }


def attempt(ticket: Ticket, action: str, role: str, users, other: Ticket) -> Ticket:
    if role == COMPLAINANT:
        if action != "rate":
            raise TicketRefused("the complainant only rates")
        return ticket_rate(ticket=ticket, rating=Rating.SATISFIED)
    if role == SYSTEM:
        if action != "close_unrated" or not ticket_close_unrated(ticket_id=ticket.pk):
            raise TicketRefused("the system only closes unrated tickets")
        return Ticket.objects.get(pk=ticket.pk)
    if action in ("rate", "close_unrated"):
        raise TicketRefused("not a staff action")
    values = params(action)
    if action == "merge":
        values["into"] = other
    values.pop("days") if action not in ("request_extension", "approve_extension") else None
    if action == "request_extension":
        Ticket.objects.filter(pk=ticket.pk).update(extension_requested_days=0)
        ticket.refresh_from_db()
    return ticket_act(ticket=ticket, action=action, actor=users[role], **values)


@pytest.mark.parametrize("action", list(TICKET_ACTIONS))
def test_every_status_action_and_role(action, staff):
    other = file_ticket().ticket
    for status in TicketStatus.values:
        for role in ROLES:
            ticket = ticket_in(status)
            before = ticket.transitions.count()
            expected = allowed(status, action, role)
            try:
                result = attempt(ticket, action, role, staff, other)
            except TicketRefused:
                ticket.refresh_from_db()
                assert not expected, (status, action, role)
                assert ticket.status == status, (status, action, role)
                assert ticket.transitions.count() == before
                continue
            assert expected, (status, action, role)
            row = TICKET_ACTIONS[action]
            assert result.status in (row.targets or {status}), (status, action, role)
            move = result.transitions.order_by("-pk").first()
            assert move.action == action and move.from_status == status and move.to_status == result.status
            assert move.actor_role == role
            assert move.actor == staff.get(role)


def test_the_table_reads_both_ways():
    from supervision.models import TRANSITIONS

    assert TRANSITIONS[TicketStatus.SUBMITTED] >= {TicketStatus.ACCEPTED, TicketStatus.NOT_ACCEPTED}
    assert TRANSITIONS[TicketStatus.REPLIED] >= {
        TicketStatus.CLOSED,
        TicketStatus.REOPENED,
        TicketStatus.ESCALATED,
    }
    assert TRANSITIONS[TicketStatus.CLOSED] == frozenset()
    assert TRANSITIONS[TicketStatus.NOT_ACCEPTED] == frozenset()
