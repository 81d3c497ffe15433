"""HTTP API of claims and transfers: parse, call one service, answer.

Authentication is the API's default (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``: the
browser session and the personal API token). Anonymous writers get 401; a refusal of who may
act is 403, a conflict with the need's state (over-allocation, a second claim…) is 409 with
``{"code": "conflict", "message": …, "reason": <refusal code>}``: the services raise a
``ClaimRefused`` (a ``core.errors.DomainError``) and the API's exception handler
(``config.api``) answers it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import FieldsBuiltOnce
from marketplace.claims.errors import ClaimRefused
from marketplace.claims.hooks import claim_warnings
from marketplace.claims.models import Claim, TransferRequest
from marketplace.claims.selectors import claims_public_history
from marketplace.claims.services.claims import (
    MAX_NOTE,
    claim_renew,
    claim_resolve_holder,
    claim_status_label,
    claim_withdraw,
    holder_label,
    need_claim,
)
from marketplace.claims.services.transfers import transfer_accept, transfer_decline, transfer_request
from marketplace.needs.api import NonAtomicApi
from marketplace.needs.cleaning import clean_amount
from marketplace.needs.models import Need
from marketplace.needs.selectors import need_public_get
from marketplace.organizations.models import Organization

# --- serializers ------------------------------------------------------------------------------


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClaimSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A claim as its holder sees it."""

    need = serializers.CharField(source="need.code", read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    holder = serializers.SerializerMethodField()
    amount_kind = serializers.CharField(source="need.amount_kind", read_only=True)
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id", "need", "organization", "holder", "amount", "amount_kind", "status", "status_label",
            "lease_expires_at", "transferred_from", "note", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_holder(self, claim: Claim) -> str:
        return holder_label(claim)

    def get_status_label(self, claim: Claim) -> str:
        return claim_status_label(claim.status)


class PublicClaimSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A claim in a need's public history: who (organization, or a volunteer's masked name),
    how much, when and its status; never the claimant user."""

    holder = serializers.SerializerMethodField()
    date = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["holder", "amount", "date", "status", "status_label"]
        read_only_fields = fields

    def get_holder(self, claim: Claim) -> str:
        return holder_label(claim)

    def get_date(self, claim: Claim) -> str:
        return timezone.localtime(claim.created_at).date().isoformat()

    def get_status_label(self, claim: Claim) -> str:
        return claim_status_label(claim.status)


# What ``clean_amount`` accepts: 0.01 to 9,999,999,999.99 in whole fen, as text in the digits
# 0-9 (surrounding spaces and trailing zeros allowed) or as a JSON number.
AMOUNT_SCHEMA = {
    "anyOf": [
        {
            "type": "string",
            "maxLength": 40,
            "pattern": r"^\s*(?:0*[1-9][0-9]{0,9}(?:\.[0-9]{1,2}0*)?|0+\.(?:0[1-9]|[1-9][0-9]?)0*)\s*$",
            "example": "100.00",
        },
        {"type": "number", "minimum": 0.01, "maximum": 9999999999.99, "multipleOf": 0.01},
    ]
}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountField(serializers.Field):
    """An amount read by ``clean_amount`` from what was sent: DRF's DecimalField would already
    have read "١٢٣" as 123 and could round 0.005 up to a fen nobody gave."""

    def to_internal_value(self, data):
        try:
            return clean_amount(data)
        except ValidationError as invalid:
            raise serializers.ValidationError(invalid.message_dict["amount"]) from None

    def to_representation(self, value):
        return str(value)


# What a text field of the API takes, written out for the schema (RegexValidator → ``pattern``):
# no NUL character (DRF refuses one), and, when required, something besides the whitespace that
# is trimmed away (Python's, which differs from a regex's ``\s``).
TRIMMED = r"\x00\t-\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
ANY_TEXT = RegexValidator(r"^[^\x00]*$")
SOME_TEXT = RegexValidator(rf"^[^\x00]*[^{TRIMMED}][^\x00]*$")


def _reason_field(help_text: str) -> serializers.CharField:
    """A required reason: some text (blank is refused), stored, so it must not identify anyone."""
    return serializers.CharField(
        max_length=MAX_NOTE,
        validators=[SOME_TEXT],
        help_text=f"{help_text} No ID number, phone number or address: those are refused.",
    )


def _note_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_NOTE,
        validators=[ANY_TEXT],
        help_text="Optional. No ID number, phone number or address: those are refused.",
    )


class ClaimCreateSerializer(serializers.Serializer):
    amount = AmountField(
        help_text="Amount (CNY, units or hours): digits 0-9, at least 0.01, at most two decimals."
    )
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The claiming organization; optional when you belong to exactly one verified organization.",
    )
    volunteer = serializers.BooleanField(
        required=False, default=False, help_text="Claim as a volunteer (service needs, in hours)."
    )
    note = _note_field()


class ReasonSerializer(serializers.Serializer):
    reason = _reason_field("Why the claim is withdrawn.")


class NoteSerializer(serializers.Serializer):
    note = _note_field()


class TransferCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The organization asking; optional when you belong to exactly one verified organization.",
    )
    reason = _reason_field("Why your organization should take the claim over.")


class TransferSerializer(serializers.ModelSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True)
    need = serializers.CharField(source="claim.need.code", read_only=True)
    requested_by = OrganizationRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TransferRequest
        fields = [
            "id", "claim", "need", "requested_by", "reason", "status", "status_label", "answer_due_at",
            "decided_at", "decision_note", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


# The error body is the API's one ``Error`` (config.api.document_errors adds it to every error).
REFUSALS = {
    401: OpenApiResponse(description="Not logged in (session or `Authorization: Token <key>`)"),
    403: OpenApiResponse(description="Not eligible: `reason` is not_eligible or not_verified"),
    404: OpenApiResponse(description="No such (public) need, claim or transfer"),
    409: OpenApiResponse(
        description="Conflict with the current state: `reason` is over_remaining, not_open, "
        "already_claimed, not_active, own_claim, transfer_open or not_pending",
    ),
}
INVALID = {400: OpenApiResponse(description="Invalid input; `errors` per field")}


class ClaimApiView(APIView):
    """Writes need a logged-in user; an anonymous one gets 401, never 403. Bodies are JSON (the
    site's forms post to the pages, not here); another content type is answered 415."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]


def _public_need(code: str) -> Need:
    try:
        return need_public_get(code=code)
    except Need.DoesNotExist:
        raise exceptions.NotFound(_("No published need has this code.")) from None


def _claim(pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("need", "organization", "volunteer"), pk=pk)


def _transfer(pk: int) -> TransferRequest:
    return get_object_or_404(
        TransferRequest.objects.select_related("claim__need", "claim__organization", "requested_by"), pk=pk
    )


class NeedClaimsApi(NonAtomicApi, ClaimApiView):
    """Claiming runs in ``need_claim``'s own transaction, not the request's: the need's lock is
    released when the claim is stored, before the answer is built, and the claim's tasks are
    sent as soon as it has committed."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        responses={200: PublicClaimSerializer(many=True), 404: REFUSALS[404]},
        summary="Public claim history of a need (holder, amount, date, status)",
        tags=["claims"],
    )
    def get(self, request, code: str):
        need = _public_need(code)
        return Response(PublicClaimSerializer(claims_public_history(need=need), many=True).data)

    @extend_schema(
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer, **INVALID, **REFUSALS},
        summary="Claim an amount (or hours) of a need, no larger than its remaining gap",
        tags=["claims"],
    )
    def post(self, request, code: str):
        need = _public_need(code)
        data = _valid(ClaimCreateSerializer, request)
        organization, volunteer = claim_resolve_holder(
            user=request.user, organization_id=data.get("organization"), as_volunteer=data["volunteer"]
        )
        claim = need_claim(
            need=need,
            amount=data["amount"],
            actor=request.user,
            organization=organization,
            volunteer=volunteer,
            note=data["note"],
        )
        body = ClaimSerializer(claim).data
        # Names no one: only that the household had the same help recently.
        body["warning"] = next(filter(None, claim_warnings.call(need=need)), None)
        return Response(body, status=status.HTTP_201_CREATED)


class ClaimRenewApi(ClaimApiView):
    @extend_schema(
        request=None,
        responses={200: ClaimSerializer, **REFUSALS},
        summary="Renew a claim's lease for another lease period from now",
        tags=["claims"],
    )
    def post(self, request, pk: int):
        claim = claim_renew(claim=_claim(pk), actor=request.user)
        return Response(ClaimSerializer(claim).data)


class ClaimWithdrawApi(ClaimApiView):
    @extend_schema(
        request=ReasonSerializer,
        responses={200: ClaimSerializer, **INVALID, **REFUSALS},
        summary="Withdraw a claim, with a reason; its amount is open again",
        tags=["claims"],
    )
    def post(self, request, pk: int):
        data = _valid(ReasonSerializer, request)
        claim = claim_withdraw(claim=_claim(pk), actor=request.user, reason=data["reason"])
        return Response(ClaimSerializer(claim).data)


class ClaimTransfersApi(ClaimApiView):
    @extend_schema(
        request=TransferCreateSerializer,
        responses={201: TransferSerializer, **INVALID, **REFUSALS},
        summary="Ask a claim's holder to hand the claim over to your organization",
        tags=["claims"],
    )
    def post(self, request, pk: int):
        claim = _claim(pk)
        data = _valid(TransferCreateSerializer, request)
        organization_id = data.get("organization")
        if organization_id is None:
            organization, _volunteer = claim_resolve_holder(user=request.user)
            if organization is None:
                raise ClaimRefused("not_eligible")
        else:
            organization = get_object_or_404(Organization, pk=organization_id)
        transfer = transfer_request(
            claim=claim, organization=organization, actor=request.user, reason=data["reason"]
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class TransferAcceptApi(ClaimApiView):
    @extend_schema(
        request=None,
        responses={200: ClaimSerializer, **REFUSALS},
        summary="Hand the claim over (the holder's administrator); returns the requester's new claim",
        tags=["claims"],
    )
    def post(self, request, pk: int):
        claim = transfer_accept(transfer=_transfer(pk), actor=request.user)
        return Response(ClaimSerializer(claim).data)


class TransferDeclineApi(ClaimApiView):
    @extend_schema(
        request=NoteSerializer,
        responses={200: TransferSerializer, **INVALID, **REFUSALS},
        summary="Keep the claim (the holder's administrator)",
        tags=["claims"],
    )
    def post(self, request, pk: int):
        data = _valid(NoteSerializer, request)
        transfer = transfer_decline(transfer=_transfer(pk), actor=request.user, note=data["note"])
        return Response(TransferSerializer(transfer).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
