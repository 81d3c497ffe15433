"""Reads of needs: the public list and detail, the caseworker's review queue."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.roles import Role
from accounts.scoping import scope_queryset
from marketplace.models import Need, NeedStatus
from marketplace.services.needs import PUBLIC_STATUSES


def need_public_list() -> QuerySet[Need]:
    """Needs the public may see (published, claimed, fulfilled…), newest first."""
    return (
        Need.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("public_region")
        .order_by("-published_at", "-id")
    )


def need_public_get(*, code: str) -> Need:
    """One published need by its public code; raises ``Need.DoesNotExist``."""
    return need_public_list().get(code=code)


def need_review_queue(*, user) -> QuerySet[Need]:
    """Needs held for review inside the user's region scope, oldest first."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW).select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).order_by("created_at", "id")
