"""Reads of claims and transfer requests: querysets for pages, the API and the back office."""

from __future__ import annotations

from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet

from accounts.permissions import QUEUE_ROLES
from accounts.roles import Role
from accounts.scoping import scope_queryset
from core.backoffice import QueueCount, queue_count
from marketplace.claims.models import (
    Claim,
    SituationReport,
    SituationReportStatus,
    TransferRequest,
    TransferStatus,
)
from marketplace.needs.models import Need
from marketplace.needs.selectors import need_facts
from marketplace.organizations.models import Membership, MembershipRole, MembershipStatus


def claims_public_history(*, need: Need) -> QuerySet[Claim]:
    """Every claim on a need, oldest first, for the public history (holder, amount, date, status)."""
    return (
        Claim.objects.filter(need=need)
        .select_related("organization", "volunteer")
        .order_by("created_at", "pk")
    )


def claims_of_user(*, user) -> QuerySet[Claim]:
    """Claims held by the user's organizations (active memberships) or by them as a volunteer,
    newest first."""
    if not getattr(user, "is_authenticated", False):
        return Claim.objects.none()
    organizations = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "organization_id"
    )
    return (
        Claim.objects.filter(Q(organization_id__in=organizations) | Q(volunteer__user=user))
        .select_related("need", "organization", "volunteer")
        .order_by("-created_at", "-pk")
    )


def transfers_to_answer(*, user) -> QuerySet[TransferRequest]:
    """Pending transfer requests on claims the user answers for, as ``services.claims.holder_admins``
    names them: an active administrator of the holding organization (any active member of one
    that has no administrator), or the volunteer."""
    if not getattr(user, "is_authenticated", False):
        return TransferRequest.objects.none()
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    answers_for = active.filter(user=user).filter(
        Q(role=MembershipRole.ADMIN)
        | ~Exists(active.filter(organization_id=OuterRef("organization_id"), role=MembershipRole.ADMIN))
    )
    return (
        TransferRequest.objects.filter(status=TransferStatus.PENDING)
        .filter(
            Q(claim__organization_id__in=answers_for.values("organization_id"))
            | Q(claim__volunteer__user=user)
        )
        .select_related("claim__need", "claim__organization", "requested_by")
        .order_by("answer_due_at", "pk")
    )


def transfers_requested_by_user(*, user) -> QuerySet[TransferRequest]:
    """Transfer requests made by the user's organizations, newest first."""
    if not getattr(user, "is_authenticated", False):
        return TransferRequest.objects.none()
    organizations = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "organization_id"
    )
    return (
        TransferRequest.objects.filter(requested_by_id__in=organizations)
        .select_related("claim__need", "claim__organization", "claim__volunteer", "requested_by")
        .order_by("-created_at", "-pk")
    )


def transfers_escalated_for(*, user) -> QuerySet[TransferRequest]:
    """Escalated transfer requests the caseworker may decide (inside their scope), oldest first."""
    transfers = TransferRequest.objects.filter(status=TransferStatus.ESCALATED).select_related(
        "claim__need__region", "claim__organization", "claim__volunteer", "requested_by"
    )
    return scope_queryset(
        transfers, user, roles=[Role.CASEWORKER], region_field="claim__need__region__code"
    ).order_by("answer_due_at", "pk")


def situation_reports_for(*, user, status: str | None = None) -> QuerySet[SituationReport]:
    """Household situation reports on the needs in the caseworker's scope (of one status when
    given): open ones oldest first, the others most recently handled first."""
    reports = SituationReport.objects.select_related(
        "claim__need__region", "claim__organization", "claim__volunteer", "handled_by"
    )
    if status is not None:
        reports = reports.filter(status=status)
    scoped = scope_queryset(reports, user, roles=[Role.CASEWORKER], region_field="claim__need__region__code")
    if status == SituationReportStatus.OPEN:
        return scoped.order_by("reported_at", "pk")
    return scoped.order_by(F("handled_at").desc(nulls_first=True), "-pk")


def situation_reports_of_claim(*, claim: Claim) -> QuerySet[SituationReport]:
    """What the claim's holder reported on the household, newest first."""
    return SituationReport.objects.filter(claim=claim).order_by("-reported_at", "-pk")


def transfers_escalated_count(*, user) -> QueueCount:
    """The dashboard's count of transfers to decide in the user's region; a transfer waits from
    the moment its holder's answer was due (when it was escalated)."""
    transfers = scope_queryset(
        TransferRequest.objects.filter(status=TransferStatus.ESCALATED),
        user,
        roles=QUEUE_ROLES,
        region_field="claim__need__region__code",
    )
    return queue_count(transfers, waiting_since="answer_due_at")


def situation_reports_open_count(*, user) -> QueueCount:
    """The dashboard's count of household situation reports waiting in the user's region."""
    reports = scope_queryset(
        SituationReport.objects.filter(status=SituationReportStatus.OPEN),
        user,
        roles=QUEUE_ROLES,
        region_field="claim__need__region__code",
    )
    return queue_count(reports, waiting_since="reported_at")


def need_claim_facts(*, region_prefix: str = "", start=None, end=None) -> QuerySet:
    """``marketplace.needs.selectors.need_facts`` (needs published in [start, end)) with
    ``first_claim_at``: when the first claim on the need was made, whatever became of it (None
    when nobody claimed it). Unevaluated values rows, for the reports' SQL aggregates.

    ``first_claim_at`` is ``MIN`` over a join grouped by need, not a correlated subquery: the
    reports test it several times per need (claimed? within 72 hours? how long?), and the
    database computes one aggregate once where it would run a subquery at every mention."""
    return need_facts(region_prefix=region_prefix, start=start, end=end).annotate(
        first_claim_at=Min("claims__created_at")
    )


def claiming_organization_ids(*, need_code: str) -> list[int]:
    """The organizations holding an active or completed claim on the need ``need_code``."""
    return list(
        Claim.objects.filter(
            need__code=need_code, organization__isnull=False, status__in=("active", "completed")
        )
        .values_list("organization_id", flat=True)
        .distinct()
    )
