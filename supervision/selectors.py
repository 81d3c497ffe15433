"""Reads of tickets: the facts other apps aggregate, the kinds, the back-office queue, tracking.

``ticket_facts`` and ``ticket_kinds`` are contracts (the statistics page and the evaluation
reports code against them): their keys do not change.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.permissions import TICKET_INTAKE_ROLES, ticket_roles
from accounts.roles import Role
from core.backoffice import QueueCount
from regions.models import code_prefix
from supervision.models import OPEN_STATUSES, Ticket, TicketKind, TicketStatus, TicketTransition
from supervision.numbers import code_digest

FACT_KEYS = (
    "id",
    "kind",
    "region_code",
    "status",
    "urgent",
    "submitted_at",
    "accepted_at",
    "accept_due_at",
    "closed_at",
    "due_at",
    "rating",
    "reopened",
    "organization_id",
    "need_code",
    "public_in_statistics",
)


def ticket_facts(
    region_prefix: str = "", start: datetime | None = None, end: datetime | None = None
) -> QuerySet:
    """An unevaluated ``.values()`` QuerySet, one row per ticket submitted in [start, end)
    whose region code starts with ``region_prefix``, without held (blocklisted) tickets and
    duplicates merged into another, with the keys of ``FACT_KEYS``: "id" is the public ticket
    number, "kind" the kind's code, "rating" None when unrated, "due_at" the handling deadline
    including an approved extension."""
    tickets = Ticket.objects.filter(held=False, merged_into__isnull=True)
    if region_prefix:
        tickets = tickets.filter(region__code__startswith=region_prefix)
    if start is not None:
        tickets = tickets.filter(submitted_at__gte=start)
    if end is not None:
        tickets = tickets.filter(submitted_at__lt=end)
    return tickets.order_by().values(
        "id",
        "kind",
        "status",
        "urgent",
        "submitted_at",
        "accepted_at",
        "accept_due_at",
        "closed_at",
        "due_at",
        "rating",
        "reopened",
        "organization_id",
        "need_code",
        region_code=F("region_id"),
        public_in_statistics=F("kind__public_in_statistics"),
    )


def ticket_kinds() -> list[dict]:
    """Every kind: [{"code", "name" (Chinese), "public_in_statistics"}], in the forms' order."""
    return [
        {"code": kind.code, "name": kind.name, "public_in_statistics": kind.public_in_statistics}
        for kind in TicketKind.objects.order_by("position", "code")
    ]


def ticket_kind_choices(*, urgent_only: bool = False) -> QuerySet[TicketKind]:
    kinds = TicketKind.objects.filter(active=True).order_by("position", "code")
    return kinds.filter(may_be_urgent=True) if urgent_only else kinds


# --- the back office ------------------------------------------------------------------------------


def ticket_queue(*, user, status: str | None = None, overdue_only: bool = False) -> QuerySet[Ticket]:
    """The tickets ``user`` acts on (``accounts.permissions.ticket_roles`` as a query): intake
    staff and supervisors those of their region, handlers those assigned to their unit
    (department handlers: their department's). Held tickets are left out but for
    administrators and supervisors. Open tickets first, by due date."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Ticket.objects.none()
    tickets = Ticket.objects.select_related("kind", "region", "unit_region")
    acts_everywhere = user.is_superuser or user.has_role(Role.ADMINISTRATOR)
    if not acts_everywhere:
        if user.region_id is None:
            return Ticket.objects.none()
        prefix = code_prefix(user.region_id)
        scope = Q(pk__in=[])
        if user.has_role(*TICKET_INTAKE_ROLES):
            scope |= Q(region__code__startswith=prefix)
        if user.has_role(Role.DEPARTMENT_HANDLER) and user.department:
            scope |= Q(unit_region__code__startswith=prefix, department=user.department)
        if user.has_role(Role.CASEWORKER):
            scope |= Q(unit_region__code__startswith=prefix, department="civil_affairs")
        tickets = tickets.filter(scope)
        if not user.has_role(Role.SUPERVISOR):
            tickets = tickets.filter(held=False)
    if status:
        tickets = tickets.filter(status=status)
    if overdue_only:
        tickets = tickets.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now()).exclude(
            status=TicketStatus.REPLIED
        )
    return tickets.order_by("closed_at", "due_at", "pk")


def tickets_due_count(*, user) -> QueueCount:
    """The dashboard's "tickets due" card: open tickets ``user`` acts on (replied ones wait on
    the complainant, not on staff) and how many of them are past their due date."""
    open_statuses = [status for status in OPEN_STATUSES if status != TicketStatus.REPLIED]
    counts = (
        ticket_queue(user=user)
        .filter(status__in=open_statuses, held=False)
        .order_by()
        .aggregate(waiting=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=timezone.now())))
    )
    return QueueCount(waiting=counts["waiting"], overdue=counts["overdue"])


def ticket_for_staff(*, user, pk: str) -> Ticket:
    """The ticket ``pk`` if ``user`` acts on it (else ``Ticket.DoesNotExist``)."""
    ticket = Ticket.objects.select_related("kind", "region", "unit_region", "merged_into").get(pk=pk)
    if not ticket_roles(user, ticket):
        raise Ticket.DoesNotExist
    if ticket.held and not (user.is_superuser or user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)):
        raise Ticket.DoesNotExist
    return ticket


def ticket_transitions(*, ticket: Ticket) -> QuerySet[TicketTransition]:
    return ticket.transitions.select_related("actor").order_by("created_at", "pk")


# --- the complainant's tracking -------------------------------------------------------------------

# Compared against when the number is unknown, so an unknown number costs the same HMAC and
# compare as a known one with a wrong code.
_DUMMY_DIGEST = "0" * 64


def ticket_by_number_and_code(*, number: str, code: str) -> Ticket | None:
    """The ticket with this number whose query code is ``code``, else None. The same work is
    done whether the number exists or not, and the digests are compared in constant time."""
    ticket = Ticket.objects.select_related("kind", "region", "merged_into").filter(pk=number[:20]).first()
    expected = ticket.code_digest if ticket is not None else _DUMMY_DIGEST
    matches = hmac.compare_digest(expected, code_digest(number[:20], code[:20]))
    return ticket if matches and ticket is not None else None


def ticket_public_timeline(*, ticket: Ticket) -> list[TicketTransition]:
    """The moves the complainant sees: the public ones, with their public note only."""
    return list(ticket.transitions.filter(public=True).order_by("created_at", "pk"))
