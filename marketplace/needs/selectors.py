"""Reads of needs: the public list and detail, the caseworker's review queue."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import QUEUE_ROLES
from accounts.roles import Role
from accounts.scoping import scope_queryset
from core.backoffice import QueueCount, queue_count
from core.db import can_prepare, preparing_cursor
from marketplace.needs.filters import (
    DEFAULT_ORDERING,
    ORDERINGS,
    NeedFilterParams,
    apply_need_filters,
    need_filter_params,
)
from marketplace.needs.models import OPEN_FOR_CLAIMS, PUBLIC_STATUSES, Need, NeedStatus, SourceSystem


def need_public_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Need]:
    """Needs the public may see (published, claimed, fulfilled…), newest first.

    ``filters`` are the parameters of ``marketplace.needs.filters.NeedFilter`` (e.g. ``request.GET``):
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


def need_public_rows(*, filters: Mapping[str, Any] | None = None, columns: tuple[str, ...]) -> PublicNeedRows:
    """``need_public_list(filters=filters)`` as tuples of ``columns``, read a slice at a time.

    ``need_public_rows(filters=request.GET, columns=ROW_COLUMNS)[0:20]`` is the list of the
    first 20 rows, exactly what ``need_public_list(...).values_list(*columns)[0:20]`` gives,
    for the cost of one SQL statement: the statement of each distinct slice of each distinct
    set of filters is built once per process (``_compiled``). Building and compiling the
    queryset costs ~2 ms a request, more than the query itself. Raises
    ``django.core.exceptions.ValidationError`` like ``need_public_list``.
    """
    return PublicNeedRows(need_filter_params(filters), columns)


class PublicNeedRows:
    """Rows of the public list, sliced like a queryset (no count: the facets give it)."""

    def __init__(self, params: NeedFilterParams, columns: tuple[str, ...]):
        self.params, self.columns = params, columns

    def __getitem__(self, window: slice) -> list[tuple]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("PublicNeedRows are read a slice at a time, e.g. rows[0:20].")
        alias = router.db_for_read(Need)
        key = tuple(self.params.items())
        # The time zone makes the date filters' bounds (it changes only in tests).
        zone = timezone.get_default_timezone_name()
        statement = _compiled(alias, zone, key, self.columns, window.start, window.stop)
        if statement is None:
            return []
        sql, sql_params, compiler, converters, literal = statement
        connection = connections[alias]
        # Not while queries are logged (DEBUG, tests counting queries): the log shows a query's
        # text only when Django's own cursor sends it.
        if literal is not None and not connection.queries_logged and settings.NEED_LIST_PREPARED_STATEMENTS:
            with preparing_cursor(connection) as cursor:
                cursor.execute(literal)
                rows = cursor.fetchall()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]


@lru_cache(maxsize=512)
def _compiled(
    alias: str, zone: str, params: tuple, columns: tuple[str, ...], start: int | None, stop: int | None
):
    """The SQL, its parameters, its compiler, its column converters (JSON decoding…) and, on
    PostgreSQL, the same SQL with its values written in (``literal``), or None when the filters
    can match nothing. Only the SQL's text and values are kept from the queryset: nothing in
    them depends on the request or on the data."""
    needs = need_public_list(filters=NeedFilterParams(params)).values_list(*columns)[start:stop]
    connection = connections[alias]
    compiler = needs.query.get_compiler(using=alias)
    try:
        sql, sql_params = compiler.as_sql()
    except EmptyResultSet:
        return None
    converters = compiler.get_converters([select[0] for select in compiler.select[: compiler.col_count]])
    # The values are quoted exactly as Django's client-side binding sends them on every query.
    literal = connection.ops.compose_sql(sql, sql_params) if can_prepare(connection) else None
    return sql, sql_params, compiler, converters, literal


def need_public_get(*, code: str) -> Need:
    """One published need by its public code; raises ``Need.DoesNotExist``."""
    return need_public_list().get(code=code)


def need_review_queue(*, user) -> QuerySet[Need]:
    """Needs held for review inside the user's region scope, oldest first."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW).select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).order_by("created_at", "id")


def need_review_count(*, user) -> QueueCount:
    """The dashboard's count of the review queue in the caseworker's or supervisor's region."""
    needs = Need.objects.filter(status=NeedStatus.PENDING_REVIEW)
    return queue_count(scope_queryset(needs, user, roles=QUEUE_ROLES), waiting_since="created_at")


def needs_open_for_matching() -> QuerySet[Need]:
    """Needs open for claims (published or partially claimed), for matching's recommendations
    and allocation (marketplace.matching): unordered, so the caller sorts by its own score."""
    return Need.objects.filter(status__in=sorted(OPEN_FOR_CLAIMS))


def needs_waiting_unclaimed(*, published_before) -> QuerySet[Need]:
    """Published needs with nothing claimed yet, published before ``published_before``."""
    return Need.objects.filter(
        status=NeedStatus.PUBLISHED, claimed_amount=0, published_at__lt=published_before
    )


def need_for_caseworker(*, user, code: str) -> Need:
    """A need of any status by its code, inside the caseworker's region scope; raises
    ``Need.DoesNotExist`` for any other (matching's offers for a need)."""
    needs = Need.objects.select_related("region", "public_region")
    return scope_queryset(needs, user, roles=[Role.CASEWORKER]).get(code=code)


def source_system_named(name: str) -> SourceSystem | None:
    """The source system of that name (the demo data's), or None."""
    return SourceSystem.objects.filter(name=name).first()


def needs_by_pk(*, pks) -> dict[int, Need]:
    """``{pk: need}`` of these needs, with their published place, in one query."""
    return Need.objects.select_related("public_region").in_bulk(list(pks))
