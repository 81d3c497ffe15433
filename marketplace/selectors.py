"""Reads of needs: the public list and detail, the caseworker's review queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from accounts.roles import Role
from accounts.scoping import scope_queryset
from marketplace.filters import DEFAULT_ORDERING, ORDERINGS, apply_need_filters, need_filter_params
from marketplace.models import Need, NeedStatus
from marketplace.services.needs import PUBLIC_STATUSES


def need_public_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Need]:
    """Needs the public may see (published, claimed, fulfilled…), newest first.

    ``filters`` are the parameters of ``marketplace.filters.NeedFilter`` (e.g. ``request.GET``):
    city, county, need type, category, urgency, state, remaining-gap range, publication dates
    and ``ordering``; other keys are ignored. Raises ``django.core.exceptions.ValidationError``
    (one entry per bad parameter) when a value is not valid.
    """
    needs = (
        Need.objects.filter(status__in=sorted(PUBLIC_STATUSES))
        .select_related("public_region")
        .order_by(*ORDERINGS[DEFAULT_ORDERING])
    )
    if not filters:
        return needs
    return apply_need_filters(needs, need_filter_params(filters))


def need_public_get(*, code: str) -> Need:
    """One published need by its public code; raises ``Need.DoesNotExist``."""
    return need_public_list().get(code=code)


def need_review_queue(*, user) -> QuerySet[Need]:
    """Needs held for review inside the user's region scope, oldest first."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW).select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).order_by("created_at", "id")
