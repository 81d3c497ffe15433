"""The Open311 services (one per ticket kind) and their definitions (the attributes a client
sends as ``attribute[code]``).

Every kind takes ``region`` (a GB/T 2260 code; optional when ``address_string`` names the
place) and ``confidential``. A kind has ``metadata = true`` when it takes more: ``subtype``
for a report (举报: what it is about, required), ``urgent`` for the kinds that may be urgent
(急难: help requests and referrals), ``publicity_list`` for an objection (the list objected to,
required).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Department
from supervision.models import OBJECTION, REPORT, ReportSubtype, TicketKind

BOOLEAN_VALUES = ("true", "false")


def active_kinds() -> list[TicketKind]:
    return list(TicketKind.objects.filter(active=True))


def active_kind(code: str) -> TicketKind | None:
    return TicketKind.objects.filter(active=True, code=code).first()


def _boolean_values() -> list[dict[str, str]]:
    return [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]


def extra_attributes(kind: TicketKind) -> list[dict[str, Any]]:
    """The attributes of ``kind`` beyond the ones every kind takes (``region``, ``confidential``)."""
    attributes = []
    if kind.code == REPORT:
        attributes.append(
            {
                "variable": True,
                "code": "subtype",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "description": _("What the report is about."),
                "values": [{"key": value, "name": str(label)} for value, label in ReportSubtype.choices],
            }
        )
    if kind.may_be_urgent:
        attributes.append(
            {
                "variable": True,
                "code": "urgent",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": None,
                "description": _(
                    "Urgent (急难): the person needs help at once. Urgent requests go straight to the "
                    "county civil affairs caseworkers and are due within 24 hours."
                ),
                "values": _boolean_values(),
            }
        )
    if kind.code == OBJECTION:
        attributes.append(
            {
                "variable": True,
                "code": "publicity_list",
                "datatype": "number",
                "required": True,
                "datatype_description": _(
                    "The number of the publicity list, as in its address on this site."
                ),
                "description": _("The publicity list you object to (while its publicity period runs)."),
            }
        )
    return attributes


def service_dict(kind: TicketKind) -> dict[str, Any]:
    return {
        "service_code": kind.code,
        "service_name": kind.name,
        "description": kind.description or kind.name,
        "metadata": bool(extra_attributes(kind)),
        "type": "realtime",
        "keywords": kind.name,
        "group": Department(kind.default_department).label if kind.default_department else "",
    }


def service_definition(kind: TicketKind) -> dict[str, Any]:
    common = [
        {
            "variable": True,
            "code": "region",
            "datatype": "string",
            "required": False,
            "datatype_description": _("A six-digit GB/T 2260 region code of Hubei, e.g. 420111."),
            "description": _(
                "Where it happened, as a region code (county or city). Required unless "
                "address_string names a county or city of Hubei."
            ),
        },
        {
            "variable": True,
            "code": "confidential",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "description": _("Confidential: the handling unit does not see who filed it."),
            "values": _boolean_values(),
        },
    ]
    attributes = common + extra_attributes(kind)
    for order, attribute in enumerate(attributes, start=1):
        attribute["order"] = order
    return {"service_code": kind.code, "attributes": attributes}


def service_notice(kind: TicketKind, *, urgent: bool = False) -> str:
    if urgent:
        return _("Urgent: the county civil affairs caseworkers handle it within 24 hours.")
    return _("Accepted within %(accept)s working day(s) and handled within %(handle)s working days.") % {
        "accept": kind.acceptance_days,
        "handle": kind.handling_days,
    }
