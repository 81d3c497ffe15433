"""The account API: who the caller is (a browser session or a personal API token)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField(), help_text="Role codes, e.g. charity_member")
    region = serializers.CharField(allow_null=True, help_text="GB/T 2260 code of the region scope")
    department = serializers.CharField(allow_blank=True)


class MeApi(APIView):
    """The authenticated user, as the API sees them: the roles and scope a token acts with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: MeSerializer, 401: OpenApiResponse(description="No, invalid or revoked token")},
        summary="The calling user: roles and region scope",
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "username": user.get_username(),
                "roles": sorted(user.role_names),
                "region": user.region_id,
                "department": user.department,
            }
        )
