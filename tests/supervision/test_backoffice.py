"""Administrators edit the ticket kinds' limits (not their codes), the holiday table and the
blocklist, which keeps only a digest and a masked form of each contact."""

from __future__ import annotations

import pytest

from supervision.models import BlockedContact, TicketKind
from supervision.numbers import contact_digest
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_changes_a_kinds_limit_but_not_its_code(client):
    client.force_login(UserFactory(administrator=True))
    kind = TicketKind.objects.get(code="complaint")
    page = client.get("/admin/ticket-kinds/edit/complaint/").content.decode()
    assert 'name="code"' not in page
    data = {
        "name": kind.name,
        "description": kind.description,
        "acceptance_days": 2,
        "handling_days": 20,
        "default_department": kind.default_department,
        "public_in_statistics": "on",
        "position": kind.position,
        "active": "on",
    }
    assert client.post("/admin/ticket-kinds/edit/complaint/", data).status_code == 302
    kind.refresh_from_db()
    assert (kind.acceptance_days, kind.handling_days) == (2, 20)


def test_the_blocklist_keeps_a_digest_and_a_masked_contact(client):
    client.force_login(UserFactory(administrator=True))
    response = client.post("/admin/blocked-contacts/new/", {"contact": "139 1234 5678", "reason": "恶意骚扰"})
    assert response.status_code == 302
    blocked = BlockedContact.objects.get()
    assert blocked.digest == contact_digest("13912345678") and blocked.masked == "139****5678"
    assert "13912345678" not in str(BlockedContact.objects.values().get())
