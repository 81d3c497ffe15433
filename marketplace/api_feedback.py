"""Feedback pull API: a source system reads its own events after a cursor.

Pulling marks nothing: webhook delivery and pull are independent, so a platform may use
either or both (and deduplicate on ``event_id``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.authentication import IsSourceSystem, SourceSystemKeyAuthentication
from marketplace.models import FeedbackEvent
from marketplace.services.feedback_delivery import (
    PULL_MAX_LIMIT,
    feedback_event_document,
    feedback_events_after,
)


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
