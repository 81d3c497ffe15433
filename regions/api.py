"""Public, cached API over the region tree."""

from __future__ import annotations

from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from regions.models import RegionLevel
from regions.selectors import region_list
from regions.serializers import RegionSerializer

# The tree changes only through a migration, so an hour is safe for browsers and proxies alike.
CACHE_SECONDS = 60 * 60


@method_decorator(cache_page(CACHE_SECONDS), name="dispatch")
class RegionListApi(ListAPIView):
    """The Hubei region tree (GB/T 2260), at most ~120 rows, so never paginated."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return region_list(
            parent=self.request.query_params.get("parent"),
            level=self.request.query_params.get("level"),
        )

    @extend_schema(
        summary="List regions",
        description=(
            "Hubei's GB/T 2260 regions ordered by code. `level=city` gives the 17 city-level units "
            "and `level=county` the 103 county-level units; the four units administered directly "
            "by the province (429004, 429005, 429006, 429021) are in both."
        ),
        parameters=[
            OpenApiParameter(
                "parent",
                {"type": "string", "x-region-level": "any"},
                description="Six-digit code of a region: only its direct children, e.g. 420000.",
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                description="Only regions at this level.",
                enum=RegionLevel.values,
            ),
        ],
        responses={
            200: RegionSerializer(many=True),
            400: OpenApiResponse(description='Bad parameter: `{"code": "invalid", "errors": {...}}`.'),
        },
        tags=["regions"],
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response
