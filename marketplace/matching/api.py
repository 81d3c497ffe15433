"""HTTP API of offers and their recommendations.

``GET /api/v1/offers/`` and ``/api/v1/offers/<id>/``: open offers of verified organizations, an
allow-list of fields (``PUBLIC_FIELDS``; every model field is classified). ``GET
/api/v1/offers/<id>/recommendations/``: the open needs the offer fits best, paginated
(``page``), each with its score and the parts of the score in words; only the offer's
organization's active members and caseworkers (and administrators) may read it: a duplicate-aid
signal is not public. Anonymous: 401; others: 403; an unknown or closed offer: 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated

from accounts.permissions import is_active_member, may_review_needs
from marketplace.matching.models import Offer, OfferKind
from marketplace.matching.scoring import (
    COUNT_CAP,
    RankedNeeds,
    RankedPaginator,
    planner_without_jit,
    recommend_needs,
)
from marketplace.matching.selectors import offers_public
from marketplace.needs.choices import NeedType

PUBLIC_FIELDS = frozenset(
    {
        "id",
        "organization",
        "kind",
        "title",
        "description",
        "unit",
        "quantity",
        "allocated",
        "need_types",
        "categories",
        "region_prefixes",
        "available_from",
        "available_until",
        "max_per_need",
        "max_per_household",
        "project",
        "status",
    }
)
PRIVATE_FIELDS = frozenset({"created_by", "created_at"})  # fmt: skip


class OfferSerializer(serializers.ModelSerializer):
    """What anyone may read of an open offer."""

    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_label = serializers.SerializerMethodField()
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    need_types = serializers.ListField(child=serializers.ChoiceField(choices=NeedType.values), read_only=True)
    region_prefixes = serializers.ListField(child=serializers.CharField(), read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True, allow_null=True)

    class Meta:
        model = Offer
        fields = [
            "id", "organization", "organization_name", "kind", "kind_label", "title", "description", "unit",
            "quantity", "allocated", "remaining", "need_types", "categories", "region_prefixes",
            "available_from", "available_until", "max_per_need", "max_per_household", "project", "status",
        ]  # fmt: skip
        read_only_fields = fields

    def get_kind_label(self, offer: Offer) -> str:
        return str(OfferKind(offer.kind).label)


class ScorePartSerializer(serializers.Serializer):
    part = serializers.CharField(
        help_text="type, category, region, urgency, waiting, gap, duplicate, statutory"
    )
    title = serializers.CharField(help_text="The part's name in the reader's language.")
    code = serializers.CharField(help_text="Which case of the part applied, e.g. county, city, province.")
    points = serializers.IntegerField()
    words = serializers.CharField(help_text="Why, in words.")


class RecommendationSerializer(serializers.Serializer):
    need = serializers.CharField(help_text="The need's public code (/needs/<code>/).")
    title = serializers.CharField()
    need_type = serializers.CharField()
    urgency = serializers.CharField()
    region = serializers.CharField(help_text="Published place (county or city code).")
    region_name = serializers.CharField()
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_kind = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    suggested_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    score = serializers.IntegerField()
    parts = ScorePartSerializer(many=True)


def _row(recommendation) -> dict:
    need = recommendation.need
    return {
        "need": need.code,
        "title": need.title,
        "need_type": need.need_type,
        "urgency": need.urgency,
        "region": need.public_region_id,
        "region_name": need.public_region.name,
        "remaining": need.target_amount - need.claimed_amount,
        "amount_kind": need.amount_kind,
        "published_at": need.published_at,
        "suggested_amount": recommendation.suggested_amount,
        "score": recommendation.score,
        "parts": [part.as_dict() for part in recommendation.parts],
    }


class OfferListApi(generics.ListAPIView):
    """Open offers of verified organizations, newest first."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = OfferSerializer

    def get_queryset(self):
        return offers_public()

    @extend_schema(summary="Open resource offers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OfferDetailApi(generics.RetrieveAPIView):
    """One open offer; any other is not found (404)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = OfferSerializer

    def get_queryset(self):
        return offers_public()

    @extend_schema(summary="One open resource offer")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RecommendationPagination(PageNumberPagination):
    """Pages of one statement each; ``count`` stops at ``COUNT_CAP`` and ``count_capped`` says
    there are more (the pages stop there too)."""

    django_paginator_class = RankedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"More candidates than count (which stops at {COUNT_CAP}).",
        }
        return schema


class OfferRecommendationsApi(generics.ListAPIView):
    """The open needs an offer fits best, with the score's parts; paginated with ``page``."""

    permission_classes = [IsAuthenticated]
    serializer_class = RecommendationSerializer
    pagination_class = RecommendationPagination

    def get_queryset(self):
        offer = generics.get_object_or_404(offers_public(), pk=self.kwargs["pk"])
        user = self.request.user
        if not (is_active_member(user, offer.organization) or may_review_needs(user)):
            raise exceptions.PermissionDenied
        self.offer = offer
        return RankedNeeds(offer)

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        with planner_without_jit():
            page = self.paginate_queryset(queryset)
            rows = [_row(rec) for rec in recommend_needs(self.offer, page)]
        return self.get_paginated_response(RecommendationSerializer(rows, many=True).data)

    @extend_schema(
        summary="Recommended needs for an offer, with the score's parts",
        responses={
            200: RecommendationSerializer(many=True),
            403: OpenApiResponse(description="Neither a member of the offer's organization nor a caseworker"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
