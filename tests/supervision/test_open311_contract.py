"""Open311 GeoReport v2 as a contract, driven with generated and malformed input (hypothesis).

The endpoints are not in the DRF OpenAPI schema that Schemathesis reads (tests/config), so the
contract is written here: every endpoint (services, service definitions, GET requests with
every filter, POST requests with ``api_key``, one request by its id) answers only the spec's
status codes, never a server error; a refusal is the spec's error list, ``[{"code",
"description"}]`` with ``code`` the HTTP status, in JSON and as ``<errors><error>`` in XML; the
JSON and the XML of one answer carry the same document (the spec's "Spark convention"); what a
GET requests answers matches its filters; no answer carries a complainant's contact.

Deterministic for CI: a fixed seed (derandomized) and a bounded number of examples per test.
A failure prints the smallest input hypothesis found.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.models import ReportSubtype, Ticket
from supervision.open311.keys import open311_key_create
from tests.supervision.open311_helpers import EMAIL, NAME, PHONE, make_ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
FORMATS = ("json", "xml")
EXAMPLES = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    # The world is built once per test, not per example; the examples share its transaction.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The spec's XML element of one item of each list (its JSON is a list).
SPEC_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
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
KINDS = ("enquiry", "help", "referral", "suggestion", "complaint", "report", "objection")
URGENT_KINDS = ("help", "referral")
REGIONS = ("420111", "420102", "420100", "420500")
ADDRESSES = ("武汉市洪山区珞喻路", "江岸区")
# Input that is wrong in the ways clients get it wrong, and in ways they should not.
MALFORMED = (
    "",
    " ",
    "\x00",
    "abc\x00def",
    "\x01\x07\x1b",
    "\r\n",
    "²",
    "١٢٣",
    "9" * 40,
    "-1",
    "1e9",
    "' OR 1=1 --",
    "<a>&amp;</a>",
    "𝕏😀",
    "a,b,,c",
    "true",
    "TRUE",
    "null",
)
junk = st.one_of(st.sampled_from(MALFORMED), st.text(max_size=40))


# --- reading an answer ---------------------------------------------------------------------------


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 - the portal's own answer


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _as_xml_text(value) -> str:
    """A JSON scalar as the spec writes it in XML, and as an XML parser reads it back (a
    character XML cannot carry is left out; a line break is a line feed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _NOT_XML.sub("", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_same(value, element) -> None:
    """The JSON ``value`` and the XML ``element`` carry the same document."""
    if isinstance(value, list):
        items = list(element)
        assert [item.tag for item in items] == [SPEC_ITEMS[element.tag]] * len(value), element.tag
        for item_value, item in zip(value, items, strict=True):
            assert_same(item_value, item)
    elif isinstance(value, dict):
        assert [child.tag for child in element] == list(value), element.tag
        for (_key, child_value), child in zip(value.items(), element, strict=True):
            assert_same(child_value, child)
    else:
        assert len(element) == 0 and (element.text or "") == _as_xml_text(value), element.tag


def assert_parity(as_json, as_xml, root: str):
    """Both answers have one status, and the same document (``root`` names the XML's root)."""
    assert as_json.status_code == as_xml.status_code
    data, tree = json_of(as_json), xml_of(as_xml)
    assert tree.tag == ("errors" if as_json.status_code >= 400 else root)
    assert_same(data, tree)
    return data


def assert_spec_errors(response, status: int):
    """The spec's refusal: HTTP ``status`` and a non-empty list of {code, description}."""
    assert response.status_code == status
    if response["Content-Type"].startswith("application/json"):
        errors = json_of(response)
        assert isinstance(errors, list) and errors
        for error in errors:
            assert set(error) == {"code", "description"}
            assert error["code"] == status and isinstance(error["description"], str)
            assert error["description"].strip()
    else:
        root = xml_of(response)
        assert root.tag == "errors" and len(root)
        for error in root:
            assert error.tag == "error" and [child.tag for child in error] == ["code", "description"]
            assert error.findtext("code") == str(status) and error.findtext("description").strip()


def assert_no_contact(response):
    text = response.content.decode()
    for secret in (PHONE, EMAIL, NAME):
        assert secret not in text


def get_both(client, path: str, params=None):
    return [client.get(f"{BASE}{path}.{fmt}", params or {}) for fmt in FORMATS]


# --- the world -----------------------------------------------------------------------------------


@pytest.fixture
def world(settings):
    """Tickets of several kinds and states, one with every contact detail; one client's key.
    No rate limit: hundreds of requests are made within the minute."""
    settings.OPEN311_KEY_REQUESTS_PER_MINUTE = 0
    settings.OPEN311_ANONYMOUS_REQUESTS_PER_MINUTE = 0
    now = timezone.now()
    tickets = [
        make_ticket(kind="complaint", status="assigned", department="civil_affairs", unit_region_id="420111"),
        make_ticket(kind="enquiry", region="420102"),
        make_ticket(kind="report", subtype="fraud", confidential=True),
        make_ticket(kind="help", urgent=True, status="in_progress"),
        make_ticket(kind="complaint", status="closed", closed_at=now, reply="已解决", rating="satisfied"),
        make_ticket(kind="suggestion", submitted_at=now - timedelta(days=120)),
    ]
    __, key = open311_key_create(name="武汉市12345热线")
    return {"ids": [ticket.id for ticket in tickets], "key": key}


# --- services and their definitions --------------------------------------------------------------


@EXAMPLES
@given(code=st.one_of(st.sampled_from(KINDS), st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True)))
def test_services_and_their_definitions_answer_the_spec_in_both_formats(client, world, code):
    services = assert_parity(*get_both(client, "services"), root="services")
    assert {service["service_code"] for service in services} == set(KINDS)
    for service in services:
        assert set(service) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert service["type"] == "realtime" and isinstance(service["metadata"], bool)
    as_json, as_xml = get_both(client, f"services/{code}")
    if code in KINDS:
        definition = assert_parity(as_json, as_xml, root="service_definition")
        assert definition["service_code"] == code
        for order, attribute in enumerate(definition["attributes"], start=1):
            assert attribute["order"] == order and attribute["code"] and attribute["variable"] is True
            assert attribute["datatype"] in (
                "string",
                "number",
                "datetime",
                "text",
                "singlevaluelist",
                "multivaluelist",
            )
            assert isinstance(attribute["required"], bool) and attribute["description"]
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"] and all(
                    set(value) == {"key", "name"} for value in attribute["values"]
                )
    else:
        assert_parity(as_json, as_xml, root="errors")
        assert_spec_errors(as_json, 404)
        assert_spec_errors(as_xml, 404)


# --- GET requests, every filter ------------------------------------------------------------------


def _moment_text(days: int, style: str) -> tuple[str, datetime]:
    moment = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    if style == "local":
        return timezone.localtime(moment).isoformat(), moment
    if style == "zulu":
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), moment
    return moment.isoformat(), moment


# (text, the moment it names or None when it names none): a date is either one or the other.
dates = st.one_of(
    st.builds(_moment_text, st.integers(-200, 30), st.sampled_from(["local", "zulu", "utc"])),
    st.sampled_from(
        [
            ("0001-01-02T00:00:00+00:00", datetime(1, 1, 2, tzinfo=UTC)),
            ("9999-12-30T00:00:00+00:00", datetime(9999, 12, 30, tzinfo=UTC)),
        ]
    ),
    st.sampled_from(
        [
            "yesterday",
            "2026-02-30T00:00:00+08:00",
            "2026-13-01T00:00:00+08:00",
            "2026-01-01T25:00:00+08:00",
            "2026-01-01T00:00:00",
            "2026-01-01",
            "\x00",
            "²",
        ]
    ).map(lambda text: (text, None)),
)
statuses = st.one_of(
    st.sampled_from(["open", "closed", "open,closed", "closed, open", "OPEN", "pending", "open,,"]), junk
)


@st.composite
def queries(draw, ids: list[str]) -> tuple[dict[str, str], dict[str, datetime | None]]:
    params: dict[str, str] = {}
    moments: dict[str, datetime | None] = {}
    if draw(st.booleans()):
        chosen = draw(st.lists(st.one_of(st.sampled_from(ids), junk), max_size=4))
        params["service_request_id"] = draw(st.sampled_from([",", ", ", " , "])).join(chosen)
    if draw(st.booleans()):
        params["service_code"] = ",".join(draw(st.lists(st.one_of(st.sampled_from(KINDS), junk), max_size=3)))
    for name in ("start_date", "end_date"):
        if draw(st.booleans()):
            params[name], moments[name] = draw(dates)
    if draw(st.booleans()):
        params["status"] = draw(statuses)
    return params, moments


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def expected_window(params, moments):
    """The answer a query must get: ("ids", ids) | ("window", start, end) | ("refused",)."""
    if any("\x00" in value for value in params.values()):
        return ("refused",)
    ids = _list(params.get("service_request_id", ""))
    if ids:
        return ("ids", set(ids))
    given_moments = {}
    for name in ("start_date", "end_date"):
        if params.get(name, "").strip():
            if moments[name] is None:
                return ("refused",)
            given_moments[name] = moments[name]
    start, end = given_moments.get("start_date"), given_moments.get("end_date")
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - timedelta(days=90)
        elif start is None:
            start = end - timedelta(days=90)
        elif end is None:
            end = start + timedelta(days=90)
    except OverflowError:
        return ("refused",)
    if end < start or end - start > timedelta(days=90):
        return ("refused",)
    if set(_list(params.get("status", ""))) - {"open", "closed"}:
        return ("refused",)
    return ("window", start, end)


@EXAMPLES
@given(data=st.data())
def test_get_requests_with_every_filter_answers_what_was_asked(client, world, data):
    params, moments = data.draw(queries(world["ids"]))
    as_json, as_xml = get_both(client, "requests", params)
    expected = expected_window(params, moments)
    if expected[0] == "refused":
        assert_spec_errors(as_json, 400)
        assert_spec_errors(as_xml, 400)
        assert_parity(as_json, as_xml, root="errors")
        return
    assert as_json.status_code == 200, as_json.content
    rows = assert_parity(as_json, as_xml, root="service_requests")
    assert_no_contact(as_json)
    assert_no_contact(as_xml)
    for row in rows:
        assert set(row) == REQUEST_FIELDS and row["status"] in ("open", "closed")
        assert row["description"] is None
    if expected[0] == "ids":
        assert {row["service_request_id"] for row in rows} <= expected[1]
        assert {row["service_request_id"] for row in rows} == expected[1] & set(world["ids"])
        return
    __, start, end = expected
    codes = set(_list(params.get("service_code", "")))
    wanted = set(_list(params.get("status", "")))
    for row in rows:
        requested = parse_datetime(row["requested_datetime"])
        assert start - timedelta(seconds=1) <= requested <= end
        assert not codes or row["service_code"] in codes
        assert not wanted or row["status"] in wanted


# --- one request by its id -----------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_one_request_is_found_by_its_id_or_is_the_spec_404(client, world, data):
    wanted = data.draw(st.one_of(st.sampled_from(world["ids"]), junk.filter(lambda text: "/" not in text)))
    path = f"requests/{quote(wanted, safe='')}"
    as_json, as_xml = get_both(client, path)
    if wanted in world["ids"]:
        (row,) = assert_parity(as_json, as_xml, root="service_requests")
        assert row["service_request_id"] == wanted and set(row) == REQUEST_FIELDS
        assert_no_contact(as_json)
    else:
        assert_spec_errors(as_json, 404)
        assert_spec_errors(as_xml, 404)
        assert_parity(as_json, as_xml, root="errors")


# --- POST requests -------------------------------------------------------------------------------

descriptions = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=200,
).filter(lambda text: text.strip())
POST_FIELDS = (
    "api_key",
    "service_code",
    "description",
    "attribute[region]",
    "address_string",
    "attribute[subtype]",
    "attribute[urgent]",
    "attribute[confidential]",
    "attribute[publicity_list]",
    "email",
    "phone",
    "first_name",
    "last_name",
    "lat",
    "long",
)


@st.composite
def filings(draw, key: str) -> tuple[dict[str, str], bool]:
    """A request a client could file, and whether it was changed after being made valid."""
    kind = draw(st.sampled_from(KINDS))
    form = {"api_key": key, "service_code": kind, "description": draw(descriptions)}
    if draw(st.booleans()):
        form["attribute[region]"] = draw(st.sampled_from(REGIONS))
    else:
        form["address_string"] = draw(st.sampled_from(ADDRESSES))
    if kind == "report":
        form["attribute[subtype]"] = draw(st.sampled_from(ReportSubtype.values))
    if kind in URGENT_KINDS and draw(st.booleans()):
        form["attribute[urgent]"] = draw(st.sampled_from(["true", "false"]))
    if draw(st.booleans()):
        form["attribute[confidential]"] = draw(st.sampled_from(["true", "false"]))
    if draw(st.booleans()):
        form["email"] = draw(st.sampled_from([EMAIL, "wang.fang@example.com"]))
    if draw(st.booleans()):
        form["phone"] = draw(st.sampled_from([PHONE, "027-87654321", "+86 139 0714 1234"]))
    if draw(st.booleans()):
        form["last_name"], form["first_name"] = NAME[0], NAME[1:]
    changes = draw(st.dictionaries(st.sampled_from(POST_FIELDS), st.one_of(st.none(), junk), max_size=3))
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form, bool(changes)


def expected_filing(form: dict[str, str], changed: bool, key: str) -> set[int]:
    """The statuses the spec allows this filing: 403 without the key, then 400/404 for what is
    wrong; a valid filing is accepted (an objection needs a live publicity list: none here)."""
    if form.get("api_key", "").strip() != key:
        return {403}
    if any("\x00" in value for value in form.values()):
        return {400}
    code = form.get("service_code", "").strip()
    if not code:
        return {400}
    if code not in KINDS:
        return {404}
    if code == "objection" and not form.get("attribute[publicity_list]", "").strip():
        return {400}
    return {200, 400} if changed or code == "objection" else {200}


@EXAMPLES
@given(data=st.data())
def test_filing_answers_the_spec_statuses_and_errors_alike_in_both_formats(client, world, data):
    key = world["key"]
    form, changed = data.draw(filings(key))
    before = Ticket.objects.count()
    as_json = client.post(f"{BASE}requests.json", form)
    assert as_json.status_code in expected_filing(form, changed, key), (as_json.status_code, as_json.content)
    assert_no_contact(as_json)
    if as_json.status_code != 200:
        assert_spec_errors(as_json, as_json.status_code)
        assert Ticket.objects.count() == before
        as_xml = client.post(f"{BASE}requests.xml", form)
        assert_spec_errors(as_xml, as_json.status_code)
        assert_parity(as_json, as_xml, root="errors")
        assert Ticket.objects.count() == before
        return
    (answer,) = json_of(as_json)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    ticket = Ticket.objects.get(pk=answer["service_request_id"])
    assert ticket.channel == "open311" and ticket.kind_id == form["service_code"].strip()
    assert Ticket.objects.count() == before + 1
    (row,) = assert_parity(*get_both(client, f"requests/{ticket.id}"), root="service_requests")
    assert row["service_code"] == ticket.kind_id and row["status"] == "open"
    as_xml = client.post(f"{BASE}requests.xml", form)
    assert as_xml.status_code == 200
    filed = xml_of(as_xml)
    assert filed.tag == "service_requests" and [child.tag for child in filed] == ["request"]
    assert [child.tag for child in filed[0]] == list(answer)
    assert_no_contact(as_xml)
