"""Filing a ticket: the public form (kinds, region from the tree, subject, attachments checked
by content, contact), objections to a publicity list, the hotline operators' form, the links a
ticket makes (need, organization), blocklisted senders held in silence, merging duplicates."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from accounts.roles import Role
from regions.models import Region
from supervision.models import BlockedContact, Ticket, TicketStatus
from supervision.numbers import contact_digest
from supervision.selectors import ticket_facts
from supervision.services import ticket_act
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import jpeg_with_exif
from tests.factories.needs import NeedFactory
from tests.factories.supervision import RecordingSender, file_ticket

pytestmark = pytest.mark.django_db
NEW = "/complaints/new/"


def form(**values) -> dict:
    data = {
        "kind": "complaint",
        "region": "420111",
        "content": "社区低保评议不公开。",
        "contact_phone": "13912345678",
        "anonymous": "on",
    }
    data.update(values)
    return data


def test_the_public_files_a_complaint_and_receives_number_and_code(
    client, django_capture_on_commit_callbacks
):
    caseworker = UserFactory(caseworker=True)
    page = client.get(NEW)
    assert page.status_code == 200
    text = page.content.decode()
    assert "洪山区" in text and "<optgroup" in text  # the counties, grouped by city
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(NEW, form())
    body = answer.content.decode()
    number = re.search(r"data-ticket-number>(\d{14})<", body).group(1)
    code = re.search(r"data-query-code>([A-Z0-9]{6})<", body).group(1)
    ticket = Ticket.objects.get(pk=number)
    assert ticket.channel == "web" and ticket.status == TicketStatus.SUBMITTED
    assert RecordingSender.sent[0][0] == "13912345678" and code in RecordingSender.sent[0][1]
    assert Notification.objects.filter(user=caseworker, subject__contains=number).exists()


def test_every_mistake_is_named_in_chinese(client):
    page = client.post(NEW, {"kind": "report", "region": "420100", "content": "", "contact_phone": "12345"})
    text = page.content.decode()
    assert "请从列表中选择县（市、区）" in text and "请说明发生了什么" in text
    assert "请选择举报事项" in text and "11 位手机号码" in text
    assert Ticket.objects.count() == 0
    for field in ("region", "content", "subtype", "contact_phone"):
        assert field in page.context["form"].errors, field


def test_a_forged_file_extension_is_refused(client):
    fake = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00 this is a program, not a photo", content_type="image/jpeg"
    )
    page = client.post(NEW, {**form(), "files": [fake]})
    assert "files" in page.context["form"].errors
    assert Ticket.objects.count() == 0


def test_attachments_are_private_and_lose_their_exif(client):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(orientation=6), content_type="image/jpeg")
    client.post(NEW, {**form(), "files": [photo]})
    attachment = Ticket.objects.get().attachments.get()
    assert attachment.file.name.startswith("private/tickets/")
    data = attachment.file.read()
    assert b"Exif" not in data[:200]


def test_an_objection_to_an_unknown_publicity_list_is_refused_clearly(client):
    page = client.get(NEW + "?kind=objection&publicity_list=99999")
    assert "公示名单" in page.content.decode()
    page = client.post(NEW, form(kind="objection", publicity_list="99999"))
    assert "publicity_list" in page.context["form"].errors
    assert Ticket.objects.count() == 0


def test_an_objection_links_to_its_publicity_list(client, monkeypatch):
    summary = {
        "id": 42,
        "title": "2026年12月洪山区低保公示",
        "url": "/notices/dibao-2026-12/",
        "programme": "dibao",
        "programme_label": "低保",
        "region": "420111",
        "objection_open": True,
    }
    monkeypatch.setattr("supervision.views.publicity_list", lambda pk: summary if pk == 42 else None)
    monkeypatch.setattr("supervision.forms.publicity_list", lambda pk: summary if pk == 42 else None)
    page = client.get(NEW + "?kind=objection&publicity_list=42")
    assert "2026年12月洪山区低保公示" in page.content.decode()
    client.post(NEW, form(kind="objection", publicity_list="42"))
    ticket = Ticket.objects.get()
    assert ticket.kind_id == "objection" and ticket.publicity_list_id == 42
    assert ticket.publicity_list_title == summary["title"]


def test_a_ticket_citing_a_need_alerts_its_caseworkers_and_the_claiming_organization():
    caseworker = UserFactory(caseworker=True)
    need = NeedFactory()
    claim = ClaimFactory(need=need)
    file_ticket(need_code=need.code)
    assert Notification.objects.filter(user=caseworker).exists()
    assert (
        Notification.objects.filter(user=claim.claimant, subject__contains="投诉").exists()
        or Notification.objects.filter(user=claim.claimant).exists()
    )


def test_a_fraud_report_goes_to_the_certifying_department_of_the_region():
    need = NeedFactory(department="agriculture")
    ticket = file_ticket("report", subtype="fraud", need_code=need.code).ticket
    assert ticket.department == "agriculture" and ticket.unit_region_id == "420111"
    assert file_ticket("report", subtype="left_out").ticket.department == "civil_affairs"


def test_a_blocklisted_sender_is_stored_held_and_told_nothing(client):
    caseworker = UserFactory(caseworker=True)
    BlockedContact.objects.create(digest=contact_digest("139 1234 5678"), masked="139****5678", reason="骚扰")
    answer = client.post(NEW, form())
    assert answer.status_code == 200 and "data-query-code" in answer.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.held
    assert not Notification.objects.filter(user=caseworker).exists()
    assert not ticket_facts().filter(id=ticket.id).exists()


def test_hotline_operators_type_in_a_call(client):
    operator = UserFactory(roles=[Role.HOTLINE_OPERATOR], region=Region.objects.get(code="420100"))
    client.force_login(operator)
    page = client.post(
        "/admin/tickets/new/",
        form(
            channel="phone",
            call_time="2026-12-01T09:30",
            contact_phone="",
            kind="help",
            content="老人独居无人照料",
        ),
    )
    ticket = Ticket.objects.get()
    assert page.status_code == 302 and ticket.channel == "phone" and ticket.created_by == operator
    assert ticket.call_time is not None
    assert ticket.transitions.get().actor == operator


def test_duplicates_are_merged_and_each_complainant_is_told(django_capture_on_commit_callbacks):
    operator = UserFactory(roles=[Role.HOTLINE_OPERATOR], region=Region.objects.get(code="420111"))
    handler = UserFactory(caseworker=True)
    first = file_ticket(contact_phone="13800000001").ticket
    second = file_ticket(contact_phone="13800000002").ticket
    with django_capture_on_commit_callbacks(execute=True):
        ticket_act(ticket=second, action="merge", actor=operator, into=first)
    second.refresh_from_db()
    assert second.status == TicketStatus.CLOSED and second.merged_into == first
    assert any(phone == "13800000002" and first.id in text for phone, text in RecordingSender.sent)
    ticket_act(ticket=first, action="accept", actor=operator)
    ticket_act(
        ticket=first,
        action="assign",
        actor=operator,
        department="civil_affairs",
        unit_region=Region.objects.get(code="420111"),
    )
    ticket_act(ticket=first, action="start", actor=handler)
    RecordingSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_act(ticket=first, action="reply", actor=handler, reply="已核实处理。")
    assert {phone for phone, _ in RecordingSender.sent} == {"13800000001", "13800000002"}
    assert not ticket_facts().filter(id=second.id).exists()
