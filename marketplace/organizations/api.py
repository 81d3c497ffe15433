"""HTTP API of the public directory of verified organizations: an allow-list of fields.

Every model field of ``Organization`` is classified in ``PUBLIC_FIELDS`` or ``PRIVATE_FIELDS``;
a test fails when a field is added to the model without being classified.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from marketplace.needs.choices import NeedType
from marketplace.organizations.forms import DirectoryFilterForm
from marketplace.organizations.models import Organization, OrganizationKind
from marketplace.organizations.selectors import organization_public_list, region_names

PUBLIC_FIELDS = frozenset(
    {"id", "name", "kind", "service_regions", "need_types", "description", "verified_at"}
)
PRIVATE_FIELDS = frozenset(
    {
        "uscc", "registration_authority", "region", "contact_name", "contact_phone", "contact_email",
        "certificate", "status", "status_reason", "created_at",
    }
)  # fmt: skip


class PublicRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PublicNeedTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class PublicOrganizationSerializer(serializers.ModelSerializer):
    """What anyone may read of a verified organization."""

    # Pass context={"region_names": {code: name}} to avoid a query per organization.

    kind_label = serializers.SerializerMethodField()
    service_regions = serializers.SerializerMethodField()
    need_types = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id", "name", "kind", "kind_label", "service_regions", "need_types", "description", "verified_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_kind_label(self, organization: Organization) -> str:
        return str(OrganizationKind(organization.kind).label)

    @extend_schema_field(PublicRegionSerializer(many=True))
    def get_service_regions(self, organization: Organization) -> list[dict]:
        names = self.context.get("region_names")
        if names is None:
            names = region_names(organization.service_regions)
        return [{"code": code, "name": names.get(code, code)} for code in organization.service_regions]

    @extend_schema_field(PublicNeedTypeSerializer(many=True))
    def get_need_types(self, organization: Organization) -> list[dict]:
        return [
            {"code": code, "label": str(NeedType(code).label)}
            for code in organization.need_types
            if code in NeedType.values
        ]


def serialize_public(organizations) -> list[dict]:
    """Organizations as the public sees them, with the region names read in one query."""
    organizations = list(organizations)
    names = region_names(code for organization in organizations for code in organization.service_regions)
    return PublicOrganizationSerializer(organizations, many=True, context={"region_names": names}).data


class PublicOrganizationListApi(generics.ListAPIView):
    """Verified organizations, by name: ``city`` (a city-level region code) and ``need_type`` filter."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicOrganizationSerializer

    def get_queryset(self):
        form = DirectoryFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return organization_public_list(
            city=form.cleaned_data["city"] or None, need_type=form.cleaned_data["need_type"] or None
        )

    def get_serializer(self, *args, **kwargs):
        if args:
            items = list(args[0])
            names = region_names(code for organization in items for code in organization.service_regions)
            kwargs.setdefault("context", self.get_serializer_context())["region_names"] = names
            args = (items, *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "city",
                {"type": "string", "x-region-level": "city"},
                description="City-level region code, e.g. 420100",
            ),
            OpenApiParameter("need_type", OpenApiTypes.STR, enum=NeedType.values),
        ],
        summary="Verified organizations (public directory)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicOrganizationDetailApi(generics.RetrieveAPIView):
    """One verified organization; any other is not found (404)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicOrganizationSerializer

    def get_queryset(self):
        return organization_public_list()

    @extend_schema(summary="One verified organization")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
