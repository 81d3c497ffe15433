"""API error format: JSON with a stable ``code``, field errors per field, never a stack trace."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from regions.models import Region, RegionLevel

logger = logging.getLogger(__name__)


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, (dict, list)) else _field_errors(item) for item in detail]
    return [str(detail)]


def exception_handler(exc, context):
    """Turn every error raised in an API view into ``{"code", "message", "errors"?}``.

    A refusal of the domain (``core.errors.DomainError``) answers its own ``http_status`` with
    ``{"code": <from the status>, "message", "reason": <its stable code>}``: API views never
    catch one themselves.
    """
    if isinstance(exc, DomainError):
        return Response(
            {"code": exc.api_code, "message": exc.message, "reason": exc.code}, status=exc.http_status
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {
                "code": "server_error",
                "message": _("Something went wrong on our side. Please try again later."),
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Some fields are not valid; see errors."),
            "errors": _field_errors(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {"code": code if isinstance(code, str) else "error", "message": str(detail)}
    response.data = body
    return response


def only_public_api(endpoints):
    """Schema preprocessing hook: document the portal's API, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


@csrf_exempt
@transaction.non_atomic_requests
def not_found(request, *args, **kwargs):
    """Any /api/v1/ path no operation serves: the API's JSON 404, never the site's HTML page."""
    return JsonResponse(
        {"code": "not_found", "message": _("There is no API operation at this address.")}, status=404
    )


# --- The error responses in the schema ------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every error answer of the API. `code` is stable, for programs: invalid (with `errors`), "
        "not_found, not_authenticated, authentication_failed, permission_denied, conflict (with "
        "`reason`), parse_error, unsupported_media_type, method_not_allowed, not_acceptable, "
        "too_large, too_many_records, malformed_json, too_deep. `message` is for people, in the "
        "request's language (Chinese by default)."
    ),
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string", "example": "部分字段填写有误，请查看错误信息。"},
        "errors": {
            "type": "object",
            "description": "Only with code invalid: the messages of each field that is not valid.",
            "additionalProperties": {},
            "example": {"amount": ["请输入一个有效的金额。"]},
        },
        "reason": {
            "type": "string",
            "description": "Only for a refusal of the domain (409, some 403): its stable code.",
            "example": "over_remaining",
        },
    },
    "required": ["code", "message"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
UNSAFE_METHODS = ("post", "put", "patch", "delete")
# What each error status means when a view says nothing more specific.
ERROR_DESCRIPTIONS = {
    400: "Invalid parameters or body: `code` invalid, `errors` per field.",
    401: "No credentials, or a key or token that is unknown, revoked or of another kind.",
    403: "Not allowed; with a browser session, an unsafe request also needs its CSRF token.",
    404: "Nothing with this identifier (or no such page of the list).",
    415: "A body in a content type the operation does not read.",
}


def document_errors(result, generator, request, public):
    """Schema postprocessing hook: every operation lists the error answers it can give, each
    with the one error body (``Error``), so generated clients know every status and its shape.

    A view documents the errors only it gives (409 with its reasons, 413…); the ones every
    operation of a kind gives are added here: 400 where there are query parameters or a body,
    401 wherever credentials are read, 403 for unsafe requests that a browser session may make
    (CSRF), 404 where a path names an object or a list has pages, 415 where there is a body.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status_code in _error_statuses(method, operation):
                responses.setdefault(str(status_code), {"description": ERROR_DESCRIPTIONS[status_code]})
            for status_code, response in responses.items():
                if int(status_code) >= 400:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            operation["responses"] = dict(sorted(responses.items()))
    return result


# A Hubei region code (GB/T 2260), for a schema made where the region tree cannot be read.
HUBEI_REGION_CODE = "^42[0-9]{4}$"


def _region_codes(regions) -> list[str]:
    """The codes, or none when there is no database to read them from: ``check --deploy``
    builds the schema (drf-spectacular's system check) before any migration has run."""
    try:
        return list(regions.order_by("code").values_list("code", flat=True))
    except DatabaseError:
        return []


def document_parameters(result, generator, request, public):
    """Schema postprocessing hook: what the API reads in query parameters, exactly.

    Every query parameter of the API reads an empty value as not given (``allowEmptyValue``);
    pages count from 1; a region parameter (``x-region-level`` in its schema, set by the app
    that declares it) lists the codes of the region tree it accepts, read from the database so
    the schema follows a change of the tree.
    """
    regions = {
        "city": Region.objects.city_level(),
        "county": Region.objects.filter(level=RegionLevel.COUNTY),
        "any": Region.objects.all(),
    }
    codes: dict[str, list[str]] = {}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                level = schema.pop("x-region-level", None)
                if level is not None:
                    if level not in codes:
                        codes[level] = _region_codes(regions[level])
                    if codes[level]:
                        schema["enum"] = codes[level]
                    else:
                        schema["pattern"] = HUBEI_REGION_CODE
                if parameter["in"] != "query":
                    continue
                parameter["allowEmptyValue"] = True
                if parameter["name"] in ("page", "page_size"):
                    schema["minimum"] = 1
    return result


def _error_statuses(method: str, operation: dict) -> list[int]:
    parameters = operation.get("parameters", [])
    schemes = {name for requirement in operation.get("security", [{}]) for name in requirement}
    statuses = []
    if "requestBody" in operation or any(parameter["in"] == "query" for parameter in parameters):
        statuses.append(400)
    if schemes:
        statuses.append(401)
    if method in UNSAFE_METHODS and "cookieAuth" in schemes:
        statuses.append(403)
    if any(parameter["in"] == "path" or parameter["name"] == "page" for parameter in parameters):
        statuses.append(404)
    if "requestBody" in operation:
        statuses.append(415)
    return statuses
