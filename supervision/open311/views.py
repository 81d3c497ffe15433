"""Open311 GeoReport v2 endpoints under /open311/v2/: the format is the path's extension.

GETs need no key and are rate-limited per client address; POST requests needs ``api_key`` and
is rate-limited per key. Every refusal is the spec's error list with its HTTP status.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cms.selectors import publicity_list
from core.http import client_address
from core.ratelimit import attempt
from supervision.models import Channel
from supervision.open311 import catalogue, formats
from supervision.open311.keys import open311_key_allows, open311_key_for
from supervision.open311.requests import (
    Open311Error,
    new_request,
    refuse_nul,
    request_dict,
    request_get,
    requests_query,
)
from supervision.services import ticket_submit

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the list of services or their definitions last changed in a way clients should notice.
CHANGESET = "2026-12-03T00:00:00+08:00"


def _throttled(request: HttpRequest) -> bool:
    limit = settings.OPEN311_ANONYMOUS_REQUESTS_PER_MINUTE
    return limit > 0 and not attempt("open311-read", client_address(request) or "", limit=limit, window=60)


def _too_many(fmt: str) -> HttpResponse:
    response = formats.errors(fmt, 429, [_("Too many requests: wait a minute and try again.")])
    response["Retry-After"] = "60"
    return response


def public_get(view):
    """A GET anyone may make, counted per client address."""

    @require_GET
    def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        if _throttled(request):
            return _too_many(fmt)
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            return formats.errors(fmt, error.status, error.descriptions)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return transaction.non_atomic_requests(wrapper)


@public_get
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the GeoReport v2 endpoint is and which formats it speaks (Service Discovery)."""
    endpoint = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    return formats.respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.OPEN311_CONTACT,
            "key_service": _(
                "API keys are issued by the portal's administrators "
                "(back office: Settings → Open311 API keys)."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": endpoint,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@public_get
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """One service per ticket kind offered on the forms."""
    return formats.respond(
        fmt, "services", [catalogue.service_dict(kind) for kind in catalogue.active_kinds()]
    )


@public_get
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """The attributes a client sends with a request of this kind."""
    kind = catalogue.active_kind(service_code)
    if kind is None:
        raise Open311Error(404, _("No service has the code %(code)s.") % {"code": service_code})
    return formats.respond(fmt, "service_definition", catalogue.service_definition(kind))


@public_get
def service_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    """One ticket's status by its number."""
    ticket = request_get(service_request_id)
    if ticket is None:
        raise Open311Error(404, _("No service request has the id %(id)s.") % {"id": service_request_id})
    return formats.respond(fmt, "service_requests", [request_dict(ticket)])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the tickets a query asks for. POST: file a ticket (needs ``api_key``)."""
    try:
        if request.method == "POST":
            return _create(request, fmt)
        if _throttled(request):
            return _too_many(fmt)
        return formats.respond(
            fmt, "service_requests", [request_dict(ticket) for ticket in requests_query(request.GET)]
        )
    except Open311Error as error:
        return formats.errors(fmt, error.status, error.descriptions)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = data.get("api_key", "").strip()
    if not key:
        raise Open311Error(
            403, _("api_key is missing: filing a request needs the key your administrator gave you.")
        )
    record = open311_key_for(key)
    if record is None:
        raise Open311Error(403, _("Invalid api_key: no active key matches it."))
    if not open311_key_allows(record):
        response = _too_many(fmt)
        return response
    refuse_nul(data)
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required (see services.%(fmt)s).") % {"fmt": fmt})
    kind = catalogue.active_kind(code)
    if kind is None:
        raise Open311Error(404, _("No service has the code %(code)s.") % {"code": code})
    checked = new_request(data, kind, publicity_list_for=publicity_list)
    try:
        with transaction.atomic():
            submitted = ticket_submit(
                kind=kind,
                region=checked.region,
                content=checked.content,
                channel=Channel.OPEN311,
                subtype=checked.subtype,
                urgent=checked.urgent,
                contact_name=checked.contact_name,
                contact_phone=checked.contact_phone,
                contact_email=checked.contact_email,
                anonymous=True,
                confidential=checked.confidential,
                publicity_list=checked.publicity_list,
            )
    except ValidationError as invalid:
        raise Open311Error(400, *invalid.messages) from None
    ticket = submitted.ticket
    notice = _("%(notice)s Query code for /complaints/track/: %(code)s") % {
        "notice": catalogue.service_notice(kind, urgent=ticket.urgent),
        "code": submitted.code,
    }
    return formats.respond(
        fmt,
        "service_requests",
        [{"service_request_id": ticket.id, "service_notice": notice, "account_id": None}],
    )


def not_found(request: HttpRequest, address: str) -> HttpResponse:
    """Any other address under /open311/v2/: the spec's 404, in JSON when it asked for JSON."""
    fmt = formats.JSON if address.endswith(".json") else formats.XML
    return formats.errors(fmt, 404, [_("There is no Open311 resource at this address.")])
