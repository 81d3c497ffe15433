"""HTTP API of needs: intake for source systems, public reads for everyone, and the feedback
pull (a source system reads its own events after a cursor; pulling marks nothing, so webhook
dispatch and pull are independent and a platform deduplicates on ``event_id``)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.needs.authentication import IsSourceSystem, SourceSystemKeyAuthentication
from marketplace.needs.batch import MalformedBody, load_batch
from marketplace.needs.facets import FACETS, KnownCountPaginator, facet_options, need_facets
from marketplace.needs.filters import NeedFilter, NeedFilterParams, need_filter_params
from marketplace.needs.intake import MAX_TEXT, SOURCE_REF, source_ref_may_exist
from marketplace.needs.models import FeedbackEvent, Need, NeedStatus
from marketplace.needs.selectors import need_public_list, need_public_rows
from marketplace.needs.serializers import (
    ROW_COLUMNS,
    IntakeResultSerializer,
    PublicNeedSerializer,
    public_need_dicts,
)
from marketplace.needs.services.feedback_dispatch import (
    PULL_MAX_LIMIT,
    feedback_event_document,
    feedback_events_after,
)
from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.status import need_withdraw

# What intake accepts as a source_ref (docs/decisions/0008-intake-bounds.md), for the schema.
SOURCE_REF_PATTERN = f"^{SOURCE_REF.pattern}$"
SOURCE_REF_MAX_LENGTH = MAX_TEXT["source_ref"]


def _error(code: str, message: str, http_status: int) -> Response:
    return Response({"code": code, "message": message}, status=http_status)


class IntakeNeedsApi(APIView):
    """Source systems push needs: ``{"records": [...]}``, at most INTAKE_MAX_RECORDS per request."""

    authentication_classes = [SourceSystemKeyAuthentication]
    permission_classes = [IsSourceSystem]
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "IntakeRequest",
            {
                "records": serializers.ListField(
                    child=serializers.DictField(),
                    min_length=1,
                    help_text="The records, at most INTAKE_MAX_RECORDS (500) a request: more is a 413.",
                )
            },
        ),
        responses={
            200: inline_serializer("IntakeResponse", {"results": IntakeResultSerializer(many=True)}),
            400: OpenApiResponse(
                description="Malformed JSON (`malformed_json`, `too_deep`) or no records list (`invalid`)"
            ),
            401: OpenApiResponse(description="Missing, unknown or inactive API key"),
            413: OpenApiResponse(description="Body or number of records over the limit"),
        },
        summary="Push assistance needs (one result per record)",
    )
    def post(self, request):
        # The body is read here, not by a parser (bounded first); it must still say it is JSON.
        if request.content_type.split(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(request.content_type)
        declared = request.META.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > settings.INTAKE_MAX_BODY_BYTES:
            return self._too_large()
        try:
            body = request.body
        except RequestDataTooBig:
            return self._too_large()
        try:
            payload = load_batch(body)
        except MalformedBody as malformed:
            message = (
                _("The body is nested too deeply to be read.")
                if malformed.code == "too_deep"
                else _("The body is not valid JSON.")
            )
            return _error(malformed.code, message, status.HTTP_400_BAD_REQUEST)
        records = payload.get("records") if isinstance(payload, dict) else None
        if not isinstance(records, list) or not records:
            return _error(
                "invalid",
                _("The body must be an object with a non-empty “records” list."),
                status.HTTP_400_BAD_REQUEST,
            )
        if len(records) > settings.INTAKE_MAX_RECORDS:
            return _error(
                "too_many_records",
                _("At most %(n)d records per request.") % {"n": settings.INTAKE_MAX_RECORDS},
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        results = needs_intake(source_system=request.auth, records=records)
        return Response({"results": [result.as_dict() for result in results]})

    def _too_large(self) -> Response:
        return _error(
            "too_large",
            _("The body is larger than %(n)d bytes; send fewer records per request.")
            % {"n": settings.INTAKE_MAX_BODY_BYTES},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


class WithdrawResultSerializer(serializers.Serializer):
    source_ref = serializers.CharField()
    status = serializers.ChoiceField(choices=[NeedStatus.WITHDRAWN.value])
    need_code = serializers.CharField()


class IntakeNeedWithdrawApi(APIView):
    authentication_classes = [SourceSystemKeyAuthentication]
    permission_classes = [IsSourceSystem]

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "source_ref",
                {"type": "string", "pattern": SOURCE_REF_PATTERN, "maxLength": SOURCE_REF_MAX_LENGTH},
                OpenApiParameter.PATH,
                description="The source_ref the need was pushed with.",
            )
        ],
        responses={
            200: WithdrawResultSerializer,
            404: OpenApiResponse(description="No need of yours with this source_ref"),
            409: OpenApiResponse(description="The need is closed otherwise (rejected, expired, fulfilled)"),
        },
        summary="Withdraw a need by its source_ref",
    )
    def delete(self, request, source_ref: str):
        # No stored source_ref holds a control character (PostgreSQL would refuse the query).
        need = (
            Need.objects.filter(source_system=request.auth, source_ref=source_ref).first()
            if source_ref_may_exist(source_ref)
            else None
        )
        if need is None:
            return _error("not_found", _("No need with this source_ref."), status.HTTP_404_NOT_FOUND)
        # A need closed otherwise (rejected, expired) raises NeedTransitionRefused: the API's
        # exception handler answers 409.
        need = need_withdraw(need=need, source_system=request.auth)
        return Response({"source_ref": source_ref, "status": need.status, "need_code": need.code})


class PublicNeedPagination(PageNumberPagination):
    """``page`` and ``page_size`` (up to 100). The count is the view's ``known_count`` when it has
    one (the cached facet total), so a page costs no ``COUNT(*)`` over the table."""

    page_size_query_param = "page_size"
    max_page_size = 100
    known_count: int | None = None

    def get_page_size(self, request):
        """``page_size`` when given: a whole number from 1 (more than 100 gives 100); else 400."""
        given = request.query_params.get(self.page_size_query_param, "")
        if given and not (given.isascii() and given.isdigit() and int(given) >= 1):
            raise serializers.ValidationError(
                {self.page_size_query_param: [_("Give a whole number of needs per page, at least 1.")]}
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.known_count = getattr(view, "known_count", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page, **kwargs):
        if self.known_count is None:
            return Paginator(object_list, per_page, **kwargs)
        return KnownCountPaginator(object_list, per_page, count=self.known_count, **kwargs)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        option = {
            "type": "object",
            "properties": {
                "value": {"type": "string", "example": "medical"},
                "label": {"type": "string", "example": "医疗"},
                "count": {"type": "integer", "example": 12},
                "selected": {"type": "boolean"},
            },
        }
        response["properties"]["facets"] = {
            "type": "object",
            "description": (
                "Only with `facets=1`: per facet (need_type, urgency, state, city) every option with "
                "the number of needs choosing it would give, the other filters applied. Counts may be "
                "up to a minute old."
            ),
            "properties": {facet: {"type": "array", "items": option} for facet in FACETS},
        }
        return response


class NonAtomicApi(APIView):
    """A view outside the request transaction (ATOMIC_REQUESTS): what it writes, its services
    write in their own transactions."""

    @classmethod
    def as_view(cls, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def handle_exception(self, exc):
        # DRF marks any open transaction for rollback when it answers an error (it cannot tell
        # that this view opened none: encode/django-rest-framework#6921). One opened around
        # the request, as a test's, is not this view's to roll back.
        kept = {
            db.alias: db.get_rollback() for db in connections.all(initialized_only=True) if db.in_atomic_block
        }
        try:
            return super().handle_exception(exc)
        finally:
            for alias, rollback in kept.items():
                transaction.set_rollback(rollback, using=alias)


class PublicReadApi(NonAtomicApi):
    """A public read outside a request transaction: it runs one SELECT (consistent on its own),
    and ATOMIC_REQUESTS would add a BEGIN and a COMMIT round trip to it (~0.6 ms a request)."""


class PublicNeedListApi(PublicReadApi, generics.ListAPIView):
    """Published needs, anonymized: only the allow-listed fields. ``page_size`` up to 100.

    The same filters and sorts as the ``/needs/`` page; ``facets=1`` adds the facet counts.
    """

    pagination_class = PublicNeedPagination
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicNeedSerializer
    # The selector applies the filters (and refuses bad ones); the backend documents them.
    filter_backends = [DjangoFilterBackend]
    filterset_class = NeedFilter
    filter_params: NeedFilterParams | None = None
    known_count: int | None = None
    FACETS_TRUE, FACETS_FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")

    def get_queryset(self):
        params = self.filter_params
        return need_public_list(filters=params if params is not None else self.request.query_params)

    def filter_queryset(self, queryset):
        return queryset

    @extend_schema(
        summary="List published needs, with filters, sorting and facet counts",
        description=(
            "Every filter is optional and an empty value is the same as none. A `county` given "
            "with a `city` must lie in that city, or the request is refused (400)."
        ),
        parameters=[
            OpenApiParameter(
                "facets",
                OpenApiTypes.BOOL,
                description="`1` adds `facets`: counts per need type, urgency, state and city.",
            ),
        ],
        responses={
            200: PublicNeedSerializer(many=True),
            400: OpenApiResponse(
                description='A filter is not valid: `{"code": "invalid", "message": …, "errors": {…}}`.'
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        wanted = request.query_params.get("facets", "").strip().lower()
        if wanted not in self.FACETS_TRUE + self.FACETS_FALSE:
            raise serializers.ValidationError({"facets": [_("Use facets=1 to get the facet counts.")]})
        key, seconds = self._response_cache_key(request)
        if key is not None and (body := cache.get(key)) is not None:
            response = HttpResponse(body, content_type="application/json")
            patch_vary_headers(response, ["Accept", "Accept-Language"])
            return response
        self.filter_params = need_filter_params(request.query_params)
        facets = need_facets(filters=self.filter_params)
        self.known_count = facets.total
        # The page's rows as plain values, shaped by the serializer's own builder: model
        # instances and DRF's per-field machinery cost ~10 ms for 20 rows, this ~0.3 ms.
        rows = self.paginate_queryset(need_public_rows(filters=self.filter_params, columns=ROW_COLUMNS))
        response = self.get_paginated_response(public_need_dicts(rows))
        if wanted in self.FACETS_TRUE:
            response.data["facets"] = facet_options(facets, self.filter_params)
        if key is not None:
            cache.set(key, JSONRenderer().render(response.data), timeout=seconds)
        return response

    def _response_cache_key(self, request) -> tuple[str | None, int]:
        """Opt-in micro-cache of whole JSON answers (``NEED_LIST_CACHE_SECONDS``, off by default).

        The list is public and the same for everyone (no authentication here), so an answer may
        be served again for a few seconds to anyone asking the same URL in the same language; the
        rows are then up to that old. Off, every request reads the rows live.
        """
        seconds = int(getattr(settings, "NEED_LIST_CACHE_SECONDS", 0))
        if seconds <= 0 or request.accepted_renderer.format != "json":
            return None, 0
        address = (
            f"{request.scheme}://{request.get_host()}{request.path}?{sorted(request.query_params.lists())}"
        )
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        return f"needs:list:1:{translation.get_language()}:{digest}", seconds


class PublicNeedDetailApi(PublicReadApi, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicNeedSerializer
    lookup_field = "code"

    def get_queryset(self):
        return need_public_list()


class FeedbackPullQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0, default=0, help_text="Cursor: the next_cursor of your previous pull (0 to start)."
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=PULL_MAX_LIMIT, default=100, help_text="Events per page."
    )


class FeedbackEventSerializer(serializers.Serializer):
    cursor = serializers.IntegerField(help_text="Position of the event in your feed.")
    event_id = serializers.UUIDField(help_text="Stable id of the event: deduplicate on it.")
    kind = serializers.ChoiceField(choices=[(kind, kind) for kind in FeedbackEvent.KINDS])
    created_at = serializers.DateTimeField()
    need_code = serializers.CharField()
    source_ref = serializers.CharField()
    payload = serializers.DictField(help_text="Amounts, dates and organization names; never identity.")


class FeedbackPageSerializer(serializers.Serializer):
    events = FeedbackEventSerializer(many=True)
    next_cursor = serializers.IntegerField(
        help_text="Pass as ?after= next time; equal to the cursor you sent when there was nothing new."
    )


class FeedbackPullApi(APIView):
    """The calling source system's feedback events after ``after``, oldest first."""

    authentication_classes = [SourceSystemKeyAuthentication]
    permission_classes = [IsSourceSystem]

    @extend_schema(
        parameters=[FeedbackPullQuerySerializer],
        responses={
            200: FeedbackPageSerializer,
            400: OpenApiResponse(description="Invalid cursor or limit"),
            401: OpenApiResponse(description="Missing, unknown or inactive API key"),
        },
        operation_id="feedback_pull",
        summary="Pull feedback events (claims, deliveries, verifications, expiry, transfers)",
        description=(
            "Events of your source system with a cursor above `after`, oldest first. Pulling does "
            "not mark events delivered: webhook delivery and pull are independent, and an event may "
            "reach you both ways, so deduplicate on `event_id`."
        ),
    )
    def get(self, request):
        query = FeedbackPullQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data["after"]
        events = feedback_events_after(
            source_system=request.auth, after=after, limit=query.validated_data["limit"]
        )
        return Response(
            {
                "events": [{"cursor": event.pk, **feedback_event_document(event)} for event in events],
                "next_cursor": events[-1].pk if events else after,
            }
        )
