"""HTTP API of delivery: claimants report deliveries; the monitoring platform confirms receipt.

A refusal (``DeliveryConflict``, a ``core.errors.DomainError``) is answered by the API's
exception handler (``config.api``): 409 ``{"code": "conflict", "message", "reason"}``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.evidence import MAX_FILES
from marketplace.claims.api import SOME_TEXT, AmountField
from marketplace.claims.models import Claim
from marketplace.delivery.models import Delivery
from marketplace.delivery.selectors import claim_deliveries, claim_for_reporter
from marketplace.delivery.services.closing import delivery_confirm_receipt
from marketplace.delivery.services.reports import delivery_report
from marketplace.needs.authentication import IsSourceSystem, SourceSystemKeyAuthentication


def _error(code: str, message: str, http_status: int) -> Response:
    return Response({"code": code, "message": message}, status=http_status)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, evidence) -> str:
        return reverse("delivery:evidence", args=[evidence.pk])


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim_id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    delivered_on = serializers.DateField()
    description = serializers.CharField()
    status = serializers.CharField()
    verification_note = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)
    platform_confirmed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True, source="evidence.all")


EVIDENCE_REQUIRED = gettext_lazy("Attach at least one photo or PDF as evidence.")


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1, "maxItems": MAX_FILES}
)
class EvidenceFilesField(serializers.ListField):
    """Uploaded files: binary parts of a multipart body."""


class DeliveryReportSerializer(serializers.Serializer):
    """The form's shape only; the rules (amount left, date, evidence content) are the service's."""

    amount = AmountField(help_text="Amount delivered: digits 0-9, at least 0.01, at most two decimals.")
    delivered_on = serializers.DateField(help_text="Not in the future, not before the claim was made.")
    description = serializers.CharField(max_length=2000, validators=[SOME_TEXT])
    files = EvidenceFilesField(
        child=serializers.FileField(),
        allow_empty=False,
        max_length=MAX_FILES,
        error_messages={"required": EVIDENCE_REQUIRED, "empty": EVIDENCE_REQUIRED},
        help_text="1 to 5 photos (JPEG, PNG, WebP) or PDFs, each one part named `files`.",
    )


NOT_LOGGED_IN = OpenApiResponse(description="Not logged in (session or `Authorization: Token <key>`)")
NOT_YOURS = OpenApiResponse(description="No claim of yours with this id")


class ClaimDeliveriesApi(APIView):
    """``GET``: the claim's deliveries. ``POST`` (multipart): report a delivery with evidence ``files``.

    Only the claimant's organization members (or the volunteer) see the claim; others get 404.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def _claim(self, request, pk: int) -> Claim:
        try:
            return claim_for_reporter(user=request.user, pk=pk)
        except Claim.DoesNotExist:
            raise NotFound(_("No claim of yours with this id.")) from None

    @extend_schema(
        responses={200: DeliverySerializer(many=True), 401: NOT_LOGGED_IN, 404: NOT_YOURS},
        summary="A claim's deliveries",
    )
    def get(self, request, pk: int):
        claim = self._claim(request, pk)
        return Response(DeliverySerializer(claim_deliveries(claim=claim), many=True).data)

    @extend_schema(
        request={"multipart/form-data": DeliveryReportSerializer},
        responses={
            201: DeliverySerializer,
            400: OpenApiResponse(description="Invalid amount, date, description or evidence file"),
            401: NOT_LOGGED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(description="The claim is no longer active"),
        },
        summary="Report a delivery on a claim (multipart, evidence in `files`)",
    )
    def post(self, request, pk: int):
        claim = self._claim(request, pk)
        shape = DeliveryReportSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        delivery = delivery_report(
            claim=claim,
            actor=request.user,
            amount=data["amount"],
            delivered_on=data["delivered_on"],
            description=data["description"],
            files=data.get("files") or [],
        )
        delivery = Delivery.objects.prefetch_related("evidence").get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class IntakeConfirmationApi(APIView):
    """The monitoring platform confirms a household received a claim's deliveries (idempotent)."""

    authentication_classes = [SourceSystemKeyAuthentication]
    permission_classes = [IsSourceSystem]
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "ConfirmationRequest",
            {
                "source_ref": serializers.CharField(
                    validators=[SOME_TEXT], help_text="The need's source_ref."
                ),
                "claim_id": serializers.IntegerField(),
            },
        ),
        responses={
            200: inline_serializer(
                "ConfirmationResponse",
                {
                    "source_ref": serializers.CharField(),
                    "need_code": serializers.CharField(),
                    "need_status": serializers.CharField(),
                    "claim_id": serializers.IntegerField(),
                    "newly_confirmed": serializers.IntegerField(),
                    "deliveries": inline_serializer(
                        "ConfirmedDelivery",
                        {
                            "id": serializers.IntegerField(),
                            "amount": serializers.DecimalField(max_digits=12, decimal_places=2),
                            "delivered_on": serializers.DateField(),
                            "status": serializers.CharField(),
                            "platform_confirmed_at": serializers.DateTimeField(),
                        },
                        many=True,
                    ),
                },
            ),
            400: OpenApiResponse(description="source_ref or claim_id missing"),
            401: OpenApiResponse(description="Missing, unknown or inactive API key"),
            404: OpenApiResponse(description="No such need of this system, or no such claim on it"),
            409: OpenApiResponse(description="No delivery reported on this claim yet"),
        },
        summary="Confirm receipt of a claim's deliveries",
    )
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        source_ref = body.get("source_ref")
        claim_id = body.get("claim_id")
        errors = {}
        if not isinstance(source_ref, str) or not source_ref.strip() or "\x00" in source_ref:
            errors["source_ref"] = [_("This field is required.")]
        if isinstance(claim_id, bool) or not isinstance(claim_id, int):
            errors["claim_id"] = [_("A claim id (an integer) is required.")]
        if errors:
            return Response(
                {"code": "invalid", "message": _("Some fields are not valid; see errors."), "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # Only needs this system pushed: any other need, or a claim on another need, is not found.
        claim = (
            Claim.objects.select_related("need", "organization", "volunteer")
            .filter(pk=claim_id, need__source_system=request.auth, need__source_ref=source_ref.strip())
            .first()
        )
        if claim is None:
            return _error(
                "not_found", _("No claim with this id on a need of yours with this source_ref."), 404
            )
        result = delivery_confirm_receipt(claim=claim, source_system=request.auth)
        return Response(
            {
                "source_ref": result.need.source_ref,
                "need_code": result.need.code,
                "need_status": result.need.status,
                "claim_id": claim.pk,
                "newly_confirmed": result.newly_confirmed,
                "deliveries": [
                    {
                        "id": delivery.pk,
                        "amount": str(delivery.amount),
                        "delivered_on": delivery.delivered_on.isoformat(),
                        "status": delivery.status,
                        "platform_confirmed_at": delivery.platform_confirmed_at.isoformat(),
                    }
                    for delivery in result.deliveries
                ],
            }
        )
