"""Open311 GeoReport v2 under /open311/v2/: the spec's fields in JSON and XML, filing with an
API key, the spec's errors, and never a complainant's contact detail."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from supervision.models import Channel, Ticket
from supervision.open311.keys import open311_key_create
from tests.supervision.open311_helpers import EMAIL, NAME, PHONE, make_ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


def _json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 - the portal's own answer


def _both(client, path, **params):
    """The same resource as JSON and as parsed XML."""
    return _json(client.get(f"{BASE}{path}.json", params)), _xml(client.get(f"{BASE}{path}.xml", params))


def _children(element):
    return {child.tag: child.text for child in element}


@pytest.fixture
def key():
    return open311_key_create(name="武汉市12345热线")[1]


def test_discovery_names_the_endpoint_and_its_formats(client):
    data, root = _both(client, "discovery")
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert data["endpoints"][0]["url"].endswith("/open311/v2")
    assert set(data["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert root.findtext("contact") == data["contact"]


def test_one_service_per_kind_with_metadata_where_a_kind_takes_more(client):
    data, root = _both(client, "services")
    codes = [service["service_code"] for service in data]
    assert {"enquiry", "help", "referral", "suggestion", "complaint", "report", "objection"} <= set(codes)
    for service in data:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
    metadata = {service["service_code"]: service["metadata"] for service in data}
    assert metadata["report"] is True and metadata["help"] is True and metadata["objection"] is True
    assert metadata["complaint"] is False and metadata["enquiry"] is False
    assert root.tag == "services"
    xml_services = {s.findtext("service_code"): _children(s) for s in root.findall("service")}
    assert set(xml_services) == set(codes)
    assert xml_services["report"]["metadata"] == "true"
    assert xml_services["complaint"]["metadata"] == "false"
    assert set(xml_services["complaint"]) == SERVICE_FIELDS


def test_a_definition_lists_region_and_the_kinds_own_attributes(client):
    data, root = _both(client, "services/report")
    assert data["service_code"] == "report"
    codes = [attribute["code"] for attribute in data["attributes"]]
    assert codes[:2] == ["region", "confidential"] and "subtype" in codes
    subtype = next(a for a in data["attributes"] if a["code"] == "subtype")
    assert subtype["datatype"] == "singlevaluelist" and subtype["required"] is True
    assert {"fraud", "left_out", "wrongly_included"} <= {value["key"] for value in subtype["values"]}
    assert [a["order"] for a in data["attributes"]] == list(range(1, len(codes) + 1))
    assert root.tag == "service_definition" and root.findtext("service_code") == "report"
    xml_subtype = next(a for a in root.findall("attributes/attribute") if a.findtext("code") == "subtype")
    assert xml_subtype.findtext("variable") == "true" and xml_subtype.findtext("required") == "true"
    assert "fraud" in [value.findtext("key") for value in xml_subtype.findall("values/value")]
    help_codes = [a["code"] for a in _json(client.get(f"{BASE}services/help.json"))["attributes"]]
    assert "urgent" in help_codes


def test_an_unknown_service_is_a_404_in_the_spec_format(client):
    response = client.get(f"{BASE}services/potholes.xml")
    assert response.status_code == 404
    root = _xml(response)
    assert root.tag == "errors" and root.findtext("error/code") == "404"
    assert client.get(f"{BASE}services/potholes.json").json()[0]["code"] == 404


def test_filing_a_request_with_a_key_creates_a_ticket_and_answers_its_number(client, key):
    response = client.post(
        f"{BASE}requests.json",
        {
            "api_key": key,
            "service_code": "complaint",
            "address_string": "武汉市洪山区珞喻路",
            "description": "申请低保三个月没有答复。",
            "email": EMAIL,
            "phone": PHONE,
            "first_name": "伟",
            "last_name": "张",
            "attribute[confidential]": "true",
        },
    )
    assert response.status_code == 200, response.content
    (answer,) = _json(response)
    ticket = Ticket.objects.get(pk=answer["service_request_id"])
    assert ticket.region_id == "420111" and ticket.channel == Channel.OPEN311 and ticket.confidential
    assert ticket.contact_phone == PHONE and ticket.contact_email == EMAIL
    assert "token" not in answer and answer["service_notice"]
    # The place stays with the ticket for its handlers, never in an answer.
    assert "珞喻路" in ticket.content
    root = _xml(
        client.post(
            f"{BASE}requests.xml",
            {
                "api_key": key,
                "service_code": "enquiry",
                "attribute[region]": "420102",
                "description": "如何申请临时救助？",
            },
        )
    )
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert Ticket.objects.get(pk=number).region_id == "420102"
    assert root.find("request/service_notice").text


@pytest.mark.parametrize("api_key", [None, "", "0000.not-a-key"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_filing_without_a_valid_key_is_refused_with_403(client, api_key, fmt):
    data = {"service_code": "complaint", "attribute[region]": "420111", "description": "无钥匙"}
    if api_key is not None:
        data["api_key"] = api_key
    response = client.post(f"{BASE}requests.{fmt}", data)
    assert response.status_code == 403
    if fmt == "json":
        (error,) = _json(response)
        assert error["code"] == 403 and "api_key" in error["description"]
    else:
        root = _xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == "403"
        assert "api_key" in root.findtext("error/description")
    assert not Ticket.objects.exists()


def test_a_revoked_key_is_refused(client, key):
    call_command("revoke_open311_key", "--name", "武汉市12345热线", stdout=io.StringIO())
    response = client.post(
        f"{BASE}requests.json",
        {"api_key": key, "service_code": "complaint", "attribute[region]": "420111", "description": "x"},
    )
    assert response.status_code == 403


def test_bad_requests_list_every_problem_with_400_and_unknown_services_404(client, key):
    response = client.post(
        f"{BASE}requests.json", {"api_key": key, "service_code": "report", "lat": "30.5", "long": "114.3"}
    )
    assert response.status_code == 400
    descriptions = " ".join(error["description"] for error in _json(response))
    assert "description" in descriptions and "address_string" in descriptions and "subtype" in descriptions
    assert all(error["code"] == 400 for error in _json(response))
    response = client.post(f"{BASE}requests.json", {"api_key": key, "service_code": "potholes"})
    assert response.status_code == 404
    response = client.post(f"{BASE}requests.json", {"api_key": key})
    assert response.status_code == 400
    response = client.post(
        f"{BASE}requests.xml",
        {"api_key": key, "service_code": "complaint", "attribute[region]": "999999", "description": "x"},
    )
    assert response.status_code == 400 and _xml(response).findtext("error/code") == "400"
    assert not Ticket.objects.exists()


@override_settings(OPEN311_KEY_REQUESTS_PER_MINUTE=2)
def test_a_key_is_rate_limited(client, key):
    data = {"api_key": key, "service_code": "enquiry", "attribute[region]": "420111", "description": "问"}
    assert [client.post(f"{BASE}requests.json", data).status_code for _ in range(3)] == [200, 200, 429]
    assert Ticket.objects.count() == 2


def test_requests_carry_the_spec_fields_in_both_formats(client):
    ticket = make_ticket(
        kind="complaint",
        region="420111",
        status="assigned",
        department="civil_affairs",
        unit_region_id="420111",
    )
    data, root = _both(client, "requests")
    (answer,) = [row for row in data if row["service_request_id"] == ticket.id]
    assert set(answer) == REQUEST_FIELDS
    assert answer["status"] == "open" and answer["service_code"] == "complaint"
    assert answer["service_name"] and answer["status_notes"] and "洪山区" in answer["agency_responsible"]
    assert answer["address"].startswith("洪山区") and answer["address_id"] == "420111"
    assert parse_datetime(answer["expected_datetime"]) == ticket.due_at.replace(microsecond=0)
    assert parse_datetime(answer["requested_datetime"]) == ticket.submitted_at.replace(microsecond=0)
    assert answer["requested_datetime"].endswith("+08:00")
    assert answer["description"] is None
    (element,) = [r for r in root.findall("request") if r.findtext("service_request_id") == ticket.id]
    fields = _children(element)
    assert set(fields) == REQUEST_FIELDS
    assert fields["status"] == "open" and fields["expected_datetime"] == answer["expected_datetime"]
    assert fields["address"] == answer["address"] and fields["description"] is None


def test_one_request_by_its_number_and_closed_status(client):
    ticket = make_ticket(
        status="closed", closed_at=timezone.now() - timedelta(hours=2), reply="已解决。", rating="satisfied"
    )
    data, root = _both(client, f"requests/{ticket.id}")
    assert data[0]["status"] == "closed"
    assert parse_datetime(data[0]["updated_datetime"]) == ticket.closed_at.replace(microsecond=0)
    assert root.findtext("request/status") == "closed"
    assert client.get(f"{BASE}requests/NOPE.json").status_code == 404


def test_get_filters_ids_codes_dates_and_status(client):
    now = timezone.now()
    old = make_ticket(kind="complaint", submitted_at=now - timedelta(days=120))
    enquiry = make_ticket(kind="enquiry")
    closed = make_ticket(kind="complaint", status="closed", closed_at=now, rating="satisfied", reply="好")

    def listed(**params):
        return {row["service_request_id"] for row in client.get(f"{BASE}requests.json", params).json()}

    assert listed() == {enquiry.id, closed.id}  # the last 90 days by default
    assert listed(service_code="enquiry") == {enquiry.id}
    assert listed(status="closed") == {closed.id}
    assert listed(status="open") == {enquiry.id}
    assert listed(service_request_id=f"{old.id},{enquiry.id}") == {old.id, enquiry.id}
    start = (now - timedelta(days=130)).isoformat()
    end = (now - timedelta(days=100)).isoformat()
    assert listed(start_date=start, end_date=end) == {old.id}
    response = client.get(f"{BASE}requests.json", {"start_date": start, "end_date": now.isoformat()})
    assert response.status_code == 400 and "90" in response.json()[0]["description"]
    assert client.get(f"{BASE}requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}requests.json", {"status": "pending"}).status_code == 400


@override_settings(OPEN311_MAX_REQUESTS=2)
def test_a_list_holds_at_most_the_max_count(client):
    for _ in range(3):
        make_ticket()
    assert len(client.get(f"{BASE}requests.json").json()) == 2


def test_no_contact_detail_ever_appears_in_an_open311_answer(client, key):
    make_ticket(confidential=True, content=f"我的电话是{PHONE}，邮箱{EMAIL}，我叫{NAME}。")
    make_ticket(kind="referral", referred_person=f"{NAME} {PHONE}", contact_name=NAME)
    filed = client.post(
        f"{BASE}requests.json",
        {
            "api_key": key,
            "service_code": "help",
            "attribute[region]": "420111",
            "attribute[urgent]": "true",
            "description": f"请联系{NAME} {PHONE}",
            "phone": PHONE,
            "email": EMAIL,
            "first_name": NAME,
        },
    )
    assert filed.status_code == 200
    bodies = [filed.content]
    for fmt in ("json", "xml"):
        bodies.append(client.get(f"{BASE}requests.{fmt}").content)
        for ticket in Ticket.objects.all():
            bodies.append(client.get(f"{BASE}requests/{ticket.id}.{fmt}").content)
    for body in bodies:
        text = body.decode()
        for secret in (PHONE, EMAIL, NAME):
            assert secret not in text


def test_the_create_open311_key_command_prints_the_key_last_and_stores_only_its_hash(capsys):
    from io import StringIO

    from supervision.open311.keys import open311_key_for
    from supervision.open311.models import Open311Key

    out = StringIO()
    call_command("create_open311_key", "--name", "襄阳市民服务热线", stdout=out)
    key = out.getvalue().rstrip("\n").splitlines()[-1]
    record = Open311Key.objects.get(name="襄阳市民服务热线")
    assert open311_key_for(key) == record
    assert key not in {record.key_hash, record.key_prefix} and record.key_hash != key
    assert key.startswith(record.key_prefix)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_open311_key", "--name", "襄阳市民服务热线", stdout=StringIO())


def test_any_other_address_is_the_spec_404(client):
    response = client.get(f"{BASE}tokens/abc.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
