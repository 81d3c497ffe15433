"""``GET /api/v1/search/?q=&kind=``: the results of ``/search/`` as JSON (same backend, same order)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from search.backends import KINDS, get_backend
from search.backends.base import SORTS
from search.forms import MAX_PAGE, SearchForm


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    id = serializers.CharField(help_text="The need's code, or the notice's or organization's id.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The public page of the document.")
    title_html = serializers.CharField(help_text="The title, HTML-escaped, the matched words in <mark>.")
    snippet_html = serializers.CharField(
        help_text="A passage of the text, HTML-escaped, the matched words in <mark>."
    )
    region = serializers.CharField(help_text="City-level region code (420000: the whole province).")
    region_name = serializers.CharField()
    type = serializers.CharField(help_text="Need type, notice type or organization kind.")
    type_label = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField()


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    at_least = serializers.BooleanField(help_text="The count is a lower bound (more matches than the limit).")


class SearchResponseSerializer(serializers.Serializer):
    q = serializers.CharField()
    kind = serializers.CharField()
    total = serializers.IntegerField()
    total_is_lower_bound = serializers.BooleanField(
        help_text="More documents match than the backend counts: `total` is the limit + 1 (10,001)."
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    kind_counts = serializers.DictField(child=serializers.IntegerField())
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    results = SearchHitSerializer(many=True)


class SearchApi(APIView):
    """Search the published needs, notices and verified organizations."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Search needs, notices and organizations",
        description=(
            "Every word of `q` must match (Chinese is segmented into words: `武汉 教育`); exact "
            "phrase matches come first. `kind` picks one tab; `region`, `need_type`, `notice_type` "
            "and `year` narrow like the facets, whose counts come back in `facets`."
        ),
        parameters=[
            OpenApiParameter(
                "q", {"type": "string", "maxLength": 100}, description="Search words (up to 100 characters)."
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS), description="One kind only."),
            OpenApiParameter(
                "region",
                {"type": "string", "pattern": r"^42\d{4}$"},
                description="City-level region code, e.g. 420100 (420000: province-wide).",
            ),
            OpenApiParameter(
                "need_type",
                {"type": "string", "maxLength": 40},
                description="A need type code, e.g. medical.",
            ),
            OpenApiParameter(
                "notice_type",
                {"type": "string", "maxLength": 40},
                description="policy, interpretation, publicity or news.",
            ),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                description="Year of publication, e.g. 2026.",
            ),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=list(SORTS),
                description="relevance (default with words) or newest.",
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                description=f"1 to {MAX_PAGE}; 20 results a page.",
            ),
        ],
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(
                description='A parameter is not valid: `{"code": "invalid", "message": …, "errors": {…}}`.'
            ),
        },
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        query = form.search_query()
        result = get_backend().search(query)
        return Response(
            {
                "q": query.text,
                "kind": query.kind,
                "total": result.total,
                "total_is_lower_bound": result.total_is_lower_bound,
                "page": query.page,
                "pages": result.pages,
                "kind_counts": result.kind_counts,
                "facets": {
                    name: [
                        {"value": v.value, "label": v.label, "count": v.count, "at_least": v.at_least}
                        for v in values
                    ]
                    for name, values in result.facets.items()
                },
                "results": [hit.as_dict() for hit in result.hits],
            }
        )
