"""Service requests: tickets as Open311 shows them, the GET filters, and reading a POST.

What leaves the portal is an allow-list (``request_dict``): the ticket number, open/closed, the
status in words, the kind, the handling unit, the dates and the region. Never the complainant's
name, phone or e-mail, never the ticket's free text (``description`` is always null: no one has
checked a complaint's text for personal details before it would be published), never the
reply or the reason a ticket was not accepted (the complainant reads those on
/complaints/track/ with their query code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Department
from regions.models import Region
from supervision.models import FINAL_STATUSES, ReportSubtype, Ticket, TicketKind, TicketStatus
from supervision.open311.catalogue import BOOLEAN_VALUES, service_notice

# The spec's default and longest window of a GET requests query.
WINDOW = timedelta(days=90)
DESCRIPTION_MAX = 4000
OPEN, CLOSED = "open", "closed"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s()-]{5,20}$")


class Open311Error(Exception):
    """Refusals answered in the spec's error format: HTTP ``status`` and each description."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status, self.descriptions = status, [str(text) for text in descriptions]


def _address(region: Region) -> str:
    """The region's names, most specific first as the spec asks: 洪山区, 武汉市, 湖北省."""
    names = [region.name]
    node = region.parent
    while node is not None:
        names.append(node.name)
        node = node.parent
    return ", ".join(names)


def _agency(ticket: Ticket) -> str:
    if ticket.department and ticket.unit_region is not None:
        return f"{ticket.unit_region.name} {Department(ticket.department).label}"
    if ticket.kind.default_department:
        return str(Department(ticket.kind.default_department).label)
    return ""


def _status_notes(ticket: Ticket) -> str:
    if ticket.merged_into_id:
        return _("Merged with another ticket about the same matter.")
    return str(TicketStatus(ticket.status).label)


def request_dict(ticket: Ticket) -> dict[str, Any]:
    """One ticket as a GeoReport v2 service request (the allow-list of the module docstring)."""
    closed = ticket.status in FINAL_STATUSES
    return {
        "service_request_id": ticket.id,
        "status": CLOSED if closed else OPEN,
        "status_notes": _status_notes(ticket),
        "service_name": ticket.kind.name,
        "service_code": ticket.kind_id,
        "description": None,
        "agency_responsible": _agency(ticket),
        "service_notice": service_notice(ticket.kind, urgent=ticket.urgent),
        "requested_datetime": ticket.submitted_at,
        "updated_datetime": (ticket.closed_at if closed and ticket.closed_at else ticket.updated_at),
        "expected_datetime": ticket.due_at,
        "address": _address(ticket.region),
        "address_id": ticket.region_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _tickets() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("kind", "region__parent__parent", "unit_region").order_by(
        "-submitted_at", "-pk"
    )


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def refuse_nul(data: Any) -> None:
    """Refuse (400) a parameter holding the NUL character, which the database can neither store
    nor compare: the one input no check further down would catch before the query."""
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise Open311Error(400, _("Parameters may not contain the NUL character."))


def _moment(name: str, value: str) -> datetime:
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:  # well formed but no such date: 2026-02-30
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Open311Error(
            400,
            _("%(name)s must be a W3C date-time with its time zone, e.g. 2026-01-01T00:00:00+08:00.")
            % {"name": name},
        )
    return moment


def requests_query(params: Any, *, now: datetime | None = None) -> list[Ticket]:
    """The tickets a GET requests query asks for, newest first, at most OPEN311_MAX_REQUESTS.

    ``service_request_id`` (comma-separated) overrides every other filter and finds tickets
    of any kind. Otherwise the window is ``start_date``..``end_date`` (the last 90 days by
    default, at most 90 days), ``service_code`` and ``status`` (open, closed) are
    comma-separated, and only kinds public in the statistics are listed. Raises
    ``Open311Error`` (400) for a malformed date, a window over 90 days, an unknown status.
    """
    refuse_nul(params)
    tickets = _tickets()
    numbers = _list(params.get("service_request_id", ""))
    if numbers:
        return list(tickets.filter(pk__in=numbers[: settings.OPEN311_MAX_REQUESTS]))
    now = now or timezone.now()
    start_text, end_text = params.get("start_date", "").strip(), params.get("end_date", "").strip()
    start = _moment("start_date", start_text) if start_text else None
    end = _moment("end_date", end_text) if end_text else None
    try:
        if start is None and end is None:
            end, start = now, now - WINDOW
        elif start is None:
            start = end - WINDOW
        elif end is None:
            end = start + WINDOW
    except OverflowError:  # 90 days before the year 1 or after the year 9999
        raise Open311Error(400, _("start_date or end_date is out of range.")) from None
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    tickets = tickets.filter(submitted_at__gte=start, submitted_at__lte=end, kind__public_in_statistics=True)
    codes = _list(params.get("service_code", ""))
    if codes:
        tickets = tickets.filter(kind_id__in=codes)
    statuses = set(_list(params.get("status", "")))
    if statuses - {OPEN, CLOSED}:
        raise Open311Error(400, _("status may be open, closed or both (comma-separated)."))
    if statuses == {OPEN}:
        tickets = tickets.exclude(status__in=FINAL_STATUSES)
    elif statuses == {CLOSED}:
        tickets = tickets.filter(status__in=FINAL_STATUSES)
    return list(tickets[: settings.OPEN311_MAX_REQUESTS])


def request_get(number: str) -> Ticket | None:
    if "\x00" in number:  # no ticket number holds one, and the database cannot compare it
        return None
    return _tickets().filter(pk=number).first()


# --- POST ----------------------------------------------------------------------------------


@dataclass
class NewRequest:
    """What a POST requests.[format] asks to file, checked."""

    kind: TicketKind
    region: Region
    content: str
    subtype: str = ""
    urgent: bool = False
    confidential: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    publicity_list: dict[str, Any] | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _attribute(data: Any, code: str) -> str:
    value = data.get(f"attribute[{code}]")
    if value is None:
        value = data.get(f"attribute[{code}][]", "")
    return value.strip()


def _boolean(data: Any, code: str, problems: list[str]) -> bool:
    value = _attribute(data, code).lower()
    if value and value not in BOOLEAN_VALUES:
        problems.append(_("attribute[%(code)s] must be true or false.") % {"code": code})
    return value == "true"


def _region_suffixless(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "市区县州" else name


def region_from_address(address: str) -> Region | list[Region] | None:
    """The most specific region of Hubei that ``address`` names: 武汉市洪山区… → 洪山区.

    A name counts with or without its last character 市/区/县/州 (洪山 → 洪山区). Returns the
    region, None when no region is named, or the candidates when two different places are.
    """
    named = [
        region
        for region in Region.objects.select_related("parent")
        if region.name in address or _region_suffixless(region.name) in address
    ]
    if not named:
        return None
    # Drop a region when a region inside it is also named (the city of a named county).
    deepest = [
        region
        for region in named
        if not any(other.code != region.code and other.code.startswith(region.prefix) for other in named)
    ]
    return deepest[0] if len(deepest) == 1 else deepest


def new_request(data: Any, kind: TicketKind, *, publicity_list_for) -> NewRequest:
    """Check a POST's fields for ``kind``; every problem at once in one ``Open311Error`` (400).

    ``publicity_list_for(page_id)`` gives a live publicity list's summary or None (the notices'
    selector, passed in so this module reads the notices only where the views say so).
    """
    problems: list[str] = []
    description = data.get("description", "").strip()
    if not description:
        problems.append(_("description is required: say what happened or what is needed."))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(_("description may be at most 4,000 characters."))
    address = data.get("address_string", "").strip()
    code = _attribute(data, "region")
    region = None
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            problems.append(_("attribute[region] is not a region code of Hubei (six digits, e.g. 420111)."))
    elif address:
        found = region_from_address(address)
        if found is None:
            problems.append(
                _("address_string names no county or city of Hubei: add it, or send attribute[region].")
            )
        elif isinstance(found, list):
            problems.append(
                _("address_string names several places (%(names)s): send attribute[region].")
                % {"names": "、".join(region.name for region in found)}
            )
        else:
            region = found
    elif data.get("lat") or data.get("long"):
        problems.append(
            _("Locations are given as address_string or attribute[region] here, not as lat/long.")
        )
    else:
        problems.append(_("A location is required: address_string or attribute[region]."))
    subtype = _attribute(data, "subtype")
    if kind.code == "report":
        if not subtype:
            problems.append(_("attribute[subtype] is required: what the report is about."))
        elif subtype not in ReportSubtype.values:
            problems.append(_("attribute[subtype] is not one of the listed values."))
    urgent = _boolean(data, "urgent", problems) if kind.may_be_urgent else False
    confidential = _boolean(data, "confidential", problems)
    publicity_list = None
    if kind.code == "objection":
        page_id = _attribute(data, "publicity_list")
        well_formed = page_id.isascii() and page_id.isdigit() and len(page_id) < 10  # not "²"
        publicity_list = publicity_list_for(int(page_id)) if well_formed else None
        if publicity_list is None:
            problems.append(_("attribute[publicity_list] is not the number of a published publicity list."))
        elif not publicity_list["objection_open"]:
            problems.append(_("The publicity period of this list is over: objections are closed."))
    email = data.get("email", "").strip()
    if email and not _EMAIL.match(email):
        problems.append(_("email is not an e-mail address."))
    phone = data.get("phone", "").strip()
    if phone and not _PHONE.match(phone):
        problems.append(_("phone is not a phone number."))
    if problems:
        raise Open311Error(400, *problems)
    content = description if not address else f"{description}\n\n{_('Place')}: {address}"
    name = " ".join(
        part for part in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if part
    )
    return NewRequest(
        kind=kind,
        region=region,
        content=content,
        subtype=subtype,
        urgent=urgent,
        confidential=confidential,
        contact_name=name[:100],
        contact_phone=phone,
        contact_email=email,
        publicity_list=publicity_list,
    )
