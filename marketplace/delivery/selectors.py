"""Reads of deliveries: the caseworker's verification queue, a claimant's claim and its
deliveries, one evidence file, the expired needs report.

The queue and the report scope once, by region; a claim or an evidence file the user may not
see is simply not found (``DoesNotExist``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.permissions import EXPIRED_REPORT_ROLES, QUEUE_ROLES, is_claim_holder, may_view_evidence
from accounts.roles import Role
from accounts.scoping import scope_queryset
from core.backoffice import QueueCount, queue_count
from marketplace.claims.models import Claim
from marketplace.delivery.models import (
    COUNTED_DELIVERY_STATUSES,
    AssistanceRecord,
    Delivery,
    DeliveryStatus,
    DuplicateAidAlert,
    Evidence,
)
from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.selectors import need_dimension_annotations


def delivery_queue(*, user, status: str | None = DeliveryStatus.REPORTED) -> QuerySet[Delivery]:
    """Deliveries in the caseworker's scope with ``status`` (any, for None): waiting ones first."""
    deliveries = (
        Delivery.objects.filter(**({"status": status} if status else {}))
        .select_related(
            "claim__need__region",
            "claim__organization",
            "claim__volunteer",
            "reported_by",
            "verified_by",
        )
        .prefetch_related("evidence")
    )
    deliveries = scope_queryset(
        deliveries, user, roles=[Role.CASEWORKER], region_field="claim__need__region__code"
    )
    if status == DeliveryStatus.REPORTED:
        return deliveries.order_by("created_at", "pk")
    return deliveries.order_by("-verified_at", "-pk")


def delivery_queue_count(*, user) -> QueueCount:
    """The dashboard's count of deliveries awaiting verification in the user's region."""
    deliveries = scope_queryset(
        Delivery.objects.filter(status=DeliveryStatus.REPORTED),
        user,
        roles=QUEUE_ROLES,
        region_field="claim__need__region__code",
    )
    return queue_count(deliveries, waiting_since="created_at")


def claim_for_reporter(*, user, pk: int) -> Claim:
    """The claim ``user`` may report deliveries on; ``Claim.DoesNotExist`` for any other."""
    claim = Claim.objects.select_related("need", "organization", "volunteer").get(pk=pk)
    if not is_claim_holder(user, claim):
        raise Claim.DoesNotExist
    return claim


def claims_delivery_sums(*, claims) -> dict[int, dict[str, Decimal]]:
    """The sum of the deliveries of each of ``claims`` by status: {claim pk: {status: sum}}."""
    sums: dict[int, dict[str, Decimal]] = {}
    rows = (
        Delivery.objects.filter(claim__in=claims)
        .values("claim_id", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        sums.setdefault(row["claim_id"], {})[row["status"]] = row["total"]
    return sums


def claim_deliveries(*, claim: Claim) -> QuerySet[Delivery]:
    return claim.deliveries.prefetch_related("evidence").order_by("-created_at", "-pk")


def evidence_for_user(*, user, pk: int) -> Evidence:
    """One evidence file ``user`` may see; ``Evidence.DoesNotExist`` for any other."""
    evidence = Evidence.objects.select_related(
        "delivery__claim__need", "delivery__claim__volunteer", "delivery__claim__organization"
    ).get(pk=pk)
    if not may_view_evidence(user, evidence):
        raise Evidence.DoesNotExist
    return evidence


def expired_needs_report(*, user, since: date) -> QuerySet[Need]:
    """Needs that expired on or after ``since`` in the user's scope, newest first.

    Each carries ``expired_at`` (when it expired) and ``gap`` (target minus verified
    deliveries: what the household did not get). Department handlers see their department's.
    """
    expired_at = (
        NeedTransition.objects.filter(need=OuterRef("pk"), to_status=NeedStatus.EXPIRED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    needs = (
        Need.objects.filter(status=NeedStatus.EXPIRED)
        .select_related("region")
        .annotate(
            expired_at=Subquery(expired_at),
            gap=ExpressionWrapper(
                F("target_amount") - F("verified_amount"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .filter(expired_at__gte=start)
    )
    needs = scope_queryset(needs, user, roles=EXPIRED_REPORT_ROLES, department_field="department")
    return needs.order_by("-expired_at", "-pk")


# --- facts for performance reports (reports.kpis aggregates them in SQL) -----------------------


def claim_facts(*, region_prefix: str = "", start=None, end=None, today: date | None = None) -> QuerySet:
    """Claims made in [start, end) on needs in the region (by the need's true county), as
    unevaluated values rows: id, need_id, organization_id (None for a volunteer), volunteer_id,
    amount, amount_kind, status, created_at, region_code, need_type, categories, department,
    needed_by, and two flags:

    * ``due``: the claim is completed, or its need's needed-by date is before ``today`` (default:
      today in Asia/Shanghai), so its delivery can be judged on time or late;
    * ``delivered_on_time``: it has a counted delivery (reported or verified) dated on or before
      the need's needed-by date.
    """
    today = today or timezone.localdate()
    on_time = Delivery.objects.filter(
        claim_id=OuterRef("id"),
        status__in=COUNTED_DELIVERY_STATUSES,
        delivered_on__lte=OuterRef("need__needed_by"),
    )
    claims = Claim.objects.filter(need__region__code__startswith=region_prefix)
    if start is not None:
        claims = claims.filter(created_at__gte=start)
    if end is not None:
        claims = claims.filter(created_at__lt=end)
    return (
        claims.annotate(
            **need_dimension_annotations(),
            amount_kind=F("need__amount_kind"),
            needed_by=F("need__needed_by"),
            due=ExpressionWrapper(
                Q(status="completed") | Q(need__needed_by__lt=today), output_field=BooleanField()
            ),
            delivered_on_time=Exists(on_time),
        )
        .values(
            "id",
            "need_id",
            "organization_id",
            "volunteer_id",
            "amount",
            "amount_kind",
            "status",
            "created_at",
            "region_code",
            "need_type",
            "categories",
            "department",
            "needed_by",
            "due",
            "delivered_on_time",
        )
        .order_by()
    )


def delivery_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Deliveries reported in [start, end) on needs in the region, as unevaluated values rows: id,
    claim_id, organization_id (None for a volunteer), amount, amount_kind (money, goods, hours),
    status (reported, verified, disputed), delivered_on, created_at, verified_at, region_code,
    need_type, categories, department."""
    deliveries = Delivery.objects.filter(claim__need__region__code__startswith=region_prefix)
    if start is not None:
        deliveries = deliveries.filter(created_at__gte=start)
    if end is not None:
        deliveries = deliveries.filter(created_at__lt=end)
    return (
        deliveries.annotate(
            organization_id=F("claim__organization_id"),
            amount_kind=F("claim__need__amount_kind"),
            **need_dimension_annotations("claim__need__"),
        )
        .values(
            "id",
            "claim_id",
            "organization_id",
            "amount",
            "amount_kind",
            "status",
            "delivered_on",
            "created_at",
            "verified_at",
            "region_code",
            "need_type",
            "categories",
            "department",
        )
        .order_by()
    )


def duplicate_alert_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """Duplicate-aid alerts raised in [start, end) on needs in the region, as unevaluated values
    rows: id, region_code, need_type, categories, department, created_at, resolved_at."""
    alerts = DuplicateAidAlert.objects.filter(need__region__code__startswith=region_prefix)
    if start is not None:
        alerts = alerts.filter(created_at__gte=start)
    if end is not None:
        alerts = alerts.filter(created_at__lt=end)
    return (
        alerts.annotate(
            region_code=F("need__region_id"),
            categories=F("need__categories"),
            department=F("need__department"),
        )
        .values("id", "region_code", "need_type", "categories", "department", "created_at", "resolved_at")
        .order_by()
    )


def duplicate_aid_signal(*, since: date) -> Q:
    """For a queryset of needs (``OuterRef`` to the need): whether it has an open duplicate-aid
    alert, or its household received the same kind of help since ``since`` (the assistance
    chain). Matching lowers such a need in its recommendations and says why."""
    open_alert = DuplicateAidAlert.objects.filter(need_id=OuterRef("pk"), resolved_at__isnull=True)
    recent = AssistanceRecord.objects.filter(
        household_token=OuterRef("household_token"), need_type=OuterRef("need_type"), delivered_on__gte=since
    )
    return Q(Exists(open_alert)) | Q(Exists(recent))


def delivered_on_claims(*, claim_ids) -> Decimal:
    """What was reported or verified as delivered on these claims, in their needs' units."""
    total = Delivery.objects.filter(
        claim_id__in=list(claim_ids), status__in=[DeliveryStatus.REPORTED, DeliveryStatus.VERIFIED]
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)
