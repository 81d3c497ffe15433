"""Tickets for the Open311 and statistics tests, written directly (dates and states chosen)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from supervision.models import Ticket, TicketKind

PHONE = "13907141234"
EMAIL = "zhang.wei@example.org"
NAME = "张伟"


def make_ticket(
    *, kind: str = "complaint", region: str = "420111", status: str = "submitted", **fields
) -> Ticket:
    now = fields.pop("submitted_at", None) or timezone.now() - timedelta(days=1)
    defaults = {
        "content": "低保审批拖延，请尽快处理。",
        "accept_due_at": now + timedelta(days=1),
        "due_at": now + timedelta(days=15),
        "contact_name": NAME,
        "contact_phone": PHONE,
        "contact_email": EMAIL,
    }
    defaults.update(fields)
    return Ticket.objects.create(
        id=f"T{secrets.token_hex(5).upper()}",
        code_digest="0" * 64,
        kind=TicketKind.objects.get(code=kind),
        region_id=region,
        status=status,
        submitted_at=now,
        **defaults,
    )
