"""Tickets for tests: filed through the service, as every channel files them."""

from __future__ import annotations

from regions.models import Region
from supervision.models import TicketKind
from supervision.services import SubmittedTicket, ticket_submit


class RecordingSender:
    """An SMS sender keeping what it was asked to send (``settings.SMS_SENDER`` in tests)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        RecordingSender.sent.append((phone, message))


def file_ticket(kind: str = "complaint", region: str = "420111", **values) -> SubmittedTicket:
    """File a ticket of ``kind`` in ``region`` (defaults: a web complaint in Hongshan)."""
    values.setdefault("content", "低保审核拖了三个月没有答复。")
    return ticket_submit(
        kind=TicketKind.objects.get(code=kind), region=Region.objects.get(code=region), **values
    )
