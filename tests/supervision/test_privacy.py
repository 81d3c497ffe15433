"""Complainants' contact details: encrypted at rest, masked for handlers with a logged reveal,
hidden from the handling unit of a confidential ticket, never on a public page or in a log; the
referred person only for the county's caseworkers."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from accounts.models import Department
from accounts.roles import Role
from privacy.models import SensitiveRead
from regions.models import Region
from supervision.selectors import ticket_facts
from supervision.services import ticket_act
from tests.factories.accounts import UserFactory
from tests.factories.supervision import file_ticket

pytestmark = pytest.mark.django_db
PHONE, EMAIL, NAME = "13987654321", "zhang.san@example.org", "张三丰"


def test_contact_details_never_appear_on_public_pages_in_logs_or_in_the_facts(client, caplog):
    caplog.set_level(logging.DEBUG)
    handler = UserFactory(caseworker=True)
    answer = client.post(
        "/complaints/new/",
        {
            "kind": "complaint",
            "region": "420111",
            "content": "投诉内容",
            "contact_phone": PHONE,
            "contact_email": EMAIL,
            "contact_name": NAME,
        },
    )
    import re

    number = re.search(r"data-ticket-number>(\d{14})<", answer.content.decode()).group(1)
    code = re.search(r"data-query-code>([A-Z0-9]{6})<", answer.content.decode()).group(1)
    from supervision.models import Ticket

    ticket = Ticket.objects.get(pk=number)
    ticket_act(ticket=ticket, action="accept", actor=handler)
    pages = [answer, client.post("/complaints/track/", {"number": number, "code": code})]
    pages += [client.get(path) for path in ("/", "/complaints/new/", "/complaints/track/")]
    for page in pages:
        text = page.content.decode()
        for secret in (PHONE, EMAIL, NAME, "9876"):
            assert secret not in text
    for record in caplog.records:
        message = record.getMessage()
        assert PHONE not in message and EMAIL not in message and NAME not in message
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone, contact_email, contact_name FROM supervision_ticket")
        stored = cursor.fetchone()
    assert PHONE not in str(stored) and EMAIL not in str(stored) and NAME not in str(stored)
    assert all(PHONE not in str(row) and EMAIL not in str(row) for row in ticket_facts())


def test_handlers_see_contacts_masked_and_reveal_them_with_a_logged_read(client):
    handler = UserFactory(caseworker=True)
    ticket = file_ticket(contact_phone=PHONE, contact_name=NAME).ticket
    client.force_login(handler)
    page = client.get(f"/admin/tickets/{ticket.id}/").content.decode()
    assert "139****4321" in page and PHONE not in page and "张**" in page
    page = client.post(f"/admin/tickets/{ticket.id}/", {"action": "reveal"}).content.decode()
    assert PHONE in page
    read = SensitiveRead.objects.get()
    assert read.user == handler and read.kind == "ticket_contact" and read.reference == ticket.id


def test_a_confidential_ticket_hides_the_complainant_from_the_handling_unit(client):
    education = UserFactory(
        roles=[Role.DEPARTMENT_HANDLER],
        region=Region.objects.get(code="420111"),
        department=Department.EDUCATION,
    )
    operator = UserFactory(roles=[Role.HOTLINE_OPERATOR], region=Region.objects.get(code="420111"))
    ticket = file_ticket(contact_phone=PHONE, confidential=True).ticket
    ticket_act(ticket=ticket, action="accept", actor=operator)
    ticket_act(
        ticket=ticket,
        action="assign",
        actor=operator,
        department="education",
        unit_region=Region.objects.get(code="420111"),
    )
    client.force_login(education)
    page = client.get(f"/admin/tickets/{ticket.id}/").content.decode()
    assert "139****4321" not in page and "reveal" not in page
    assert client.post(f"/admin/tickets/{ticket.id}/", {"action": "reveal"}).status_code in (302, 403)
    assert not SensitiveRead.objects.exists()
    client.force_login(operator)
    assert "139****4321" in client.get(f"/admin/tickets/{ticket.id}/").content.decode()


def test_the_referred_person_is_seen_only_by_the_county_caseworkers(client):
    county = UserFactory(caseworker=True)  # Hongshan
    city_supervisor = UserFactory(supervisor=True)
    ticket = file_ticket("referral", referred_person="桥下住着一位流浪老人，约七十岁").ticket
    client.force_login(city_supervisor)
    page = client.get(f"/admin/tickets/{ticket.id}/").content.decode()
    assert "流浪老人" not in page and "show_person" not in page
    assert client.post(f"/admin/tickets/{ticket.id}/", {"action": "show_person"}).status_code in (302, 403)
    assert not SensitiveRead.objects.exists()
    client.force_login(county)
    page = client.post(f"/admin/tickets/{ticket.id}/", {"action": "show_person"}).content.decode()
    assert "流浪老人" in page
    assert SensitiveRead.objects.filter(kind="referred_person", user=county).exists()


def test_the_queue_is_scoped_by_region_and_marks_warnings(client):
    inside = UserFactory(caseworker=True)
    outside = UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420500"))
    ticket = file_ticket("help", urgent=True).ticket
    client.force_login(inside)
    assert ticket.id in client.get("/admin/tickets/").content.decode()
    client.force_login(outside)
    assert ticket.id not in client.get("/admin/tickets/").content.decode()
    assert client.get(f"/admin/tickets/{ticket.id}/").status_code == 404
