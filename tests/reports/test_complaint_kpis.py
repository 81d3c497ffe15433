"""The complaint figures against real tickets (supervision.selectors.ticket_facts), computed by
hand: accepted on time, closed on time (open overdue tickets count as late), satisfaction,
reopen rate, overdue ticket numbers, and the breakdown through the need a ticket cites."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from reports import kpis
from reports.periods import parse_period
from supervision.models import Ticket
from supervision.sms import _sender
from tests.factories.supervision import file_ticket
from tests.reports.world import at, build_kpi_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _recorded_sms(settings):
    settings.SMS_SENDER = "tests.factories.supervision.RecordingSender"
    _sender.cache_clear()
    cache.clear()
    yield
    _sender.cache_clear()


def _ticket(region="420111", **fields) -> str:
    number = file_ticket(region=region).ticket.pk
    Ticket.objects.filter(pk=number).update(
        **{k: at(v) if isinstance(v, str) and k.endswith("_at") else v for k, v in fields.items()}
    )
    return number


def test_complaint_figures_from_real_tickets():
    world = build_kpi_world()
    n1 = world.needs["n1"]
    _ticket(
        submitted_at="2026-07-05 09:00",
        accept_due_at="2026-07-07 18:00",
        accepted_at="2026-07-06 10:00",
        due_at="2026-07-20 18:00",
        closed_at="2026-07-15 10:00",
        rating="satisfied",
        need_code=n1.code,
    )
    _ticket(
        submitted_at="2026-08-01 09:00",
        accept_due_at="2026-08-03 18:00",
        accepted_at="2026-08-05 10:00",
        due_at="2026-08-20 18:00",
        closed_at="2026-08-25 10:00",
        rating="unsatisfied",
        reopened=True,
    )
    late = _ticket(
        submitted_at="2026-09-01 09:00",
        accept_due_at="2026-09-03 18:00",
        accepted_at=None,
        due_at="2026-09-20 18:00",
        closed_at=None,
        rating=None,
    )
    _ticket(
        submitted_at="2026-09-10 09:00",
        accept_due_at="2026-09-12 18:00",
        accepted_at="2026-09-11 10:00",
        due_at="2027-01-01 18:00",
        closed_at=None,
        rating=None,
    )
    _ticket(region="420506", submitted_at="2026-09-10 09:00")  # Yichang: outside the scope
    start, end = parse_period("2026-Q3").bounds()
    window = kpis.Window(prefix="4201", start=start, end=end, as_of=at("2026-12-01 00:00"))
    figures = kpis.measure(window)["all"]
    assert figures["tickets_submitted"].landed and figures["tickets_submitted"].value == 4
    assert figures["complaints_accepted_on_time"].value == Decimal("50.0")  # 2 of 4 (one never accepted)
    assert figures["complaints_closed_on_time"].value == Decimal("33.3")  # 1 of 3 (one open past due)
    assert figures["satisfaction"].value == Decimal("50.0")
    assert figures["reopen_rate"].value == Decimal("50.0")
    ids, count = kpis.overdue_ticket_ids(window)
    assert (ids, count) == ([late], 1)
    groups, _labels = kpis.dimension_groups("need_type")
    by_type = kpis.measure(window, keys=["tickets_submitted"], groups=groups)
    assert by_type["medical"]["tickets_submitted"].value == 1  # only the ticket citing n1
