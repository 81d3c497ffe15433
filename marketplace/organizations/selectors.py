"""Reads of organizations, memberships and volunteers.

The public directory lists verified organizations only; the back-office list is scoped to the
caseworker's region here, once. ``organizations_for_claiming`` and ``volunteer_for`` are what
the claims code asks: on whose behalf may this user claim?
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from django.db import connections, router
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.scoping import scope_queryset
from core.db import fixed_query, instance_from, select_list
from marketplace.needs.choices import NeedType
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from regions.models import Region, code_prefix

PROVINCE_CODE = "420000"


def _serves_region(code: str) -> Q:
    """Organizations serving region ``code``: a service region inside it, or one containing it.

    ``service_regions`` is a JSON list of codes; its text form (``["420111", "420100"]``, the
    same on SQLite and PostgreSQL) is searched for ``"<prefix>`` so that any code inside the
    region matches, and for each enclosing region's exact code. Needs the ``_regions_text``
    annotation.
    """
    condition = Q(_regions_text__contains=f'"{code_prefix(code)}')
    region = Region.objects.filter(code=code).first()
    enclosing = [ancestor.code for ancestor in region.ancestors()] if region else [PROVINCE_CODE]
    for ancestor in enclosing:
        condition |= Q(_regions_text__contains=f'"{ancestor}"')
    return condition


def organization_public_list(
    *, city: str | None = None, need_type: str | None = None
) -> QuerySet[Organization]:
    """Verified organizations, by name; optionally serving ``city`` (a region code) and
    ``need_type`` (an organization with no need types listed serves every type)."""
    organizations = Organization.objects.filter(status=OrganizationStatus.VERIFIED).select_related("region")
    if city:
        organizations = organizations.annotate(
            _regions_text=Cast("service_regions", output_field=TextField())
        ).filter(_serves_region(city))
    if need_type and need_type in NeedType.values:
        organizations = organizations.annotate(
            _types_text=Cast("need_types", output_field=TextField())
        ).filter(Q(_types_text__contains=f'"{need_type}"') | Q(need_types=[]))
    return organizations.order_by("name", "pk")


def organization_public_get(*, pk: int) -> Organization:
    """One verified organization; raises ``Organization.DoesNotExist``."""
    return organization_public_list().get(pk=pk)


def organization_public_documents(*, pks: Iterable[int] | None = None) -> Iterator[dict]:
    """What anyone may read of each verified organization (or of those among ``pks``), in the
    public shape of the directory's API (``PublicOrganizationSerializer``), plus its page's ``url``."""
    from marketplace.organizations.api import PublicOrganizationSerializer

    organizations = organization_public_list().order_by("pk")
    if pks is not None:
        organizations = organizations.filter(pk__in=list(pks))
    organizations = list(organizations)
    names = region_names(code for organization in organizations for code in organization.service_regions)
    serializer = PublicOrganizationSerializer(organizations, many=True, context={"region_names": names})
    for organization, data in zip(organizations, serializer.data, strict=True):
        yield {**data, "url": reverse("organizations:detail", args=[organization.pk])}


def organization_public_ids() -> QuerySet:
    """The ids of every verified organization (a flat values list)."""
    return Organization.objects.filter(status=OrganizationStatus.VERIFIED).values_list("pk", flat=True)


def organization_review_list(*, user, status: str | None = None) -> QuerySet[Organization]:
    """Organizations the user may verify (caseworkers of their region), pending first, oldest first."""
    organizations = Organization.objects.select_related("region")
    if status:
        organizations = organizations.filter(status=status)
    organizations = scope_queryset(organizations, user, roles=[Role.CASEWORKER], region_field="region__code")
    return organizations.order_by("created_at", "pk")


def organization_transitions(*, organization: Organization):
    return organization.transitions.select_related("actor").order_by("created_at", "pk")


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """Everyone with a membership of any status, active first."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("status", "-role", "user__username")
    )


def memberships_of(*, user) -> QuerySet[Membership]:
    """The user's memberships (any status) with their organizations."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .exclude(status__in=[MembershipStatus.DECLINED, MembershipStatus.REMOVED])
        .select_related("organization", "organization__region")
        .order_by("organization__name", "pk")
    )


def membership_of(*, user, organization: Organization) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organization=organization).first()


def organizations_administered(*, user) -> QuerySet[Organization]:
    """Organizations (any status) the user administers."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user,
        memberships__role=MembershipRole.ADMIN,
        memberships__status=MembershipStatus.ACTIVE,
    ).order_by("name", "pk")


def organizations_for_claiming(*, user) -> QuerySet[Organization]:
    """Verified organizations in which ``user`` is an active member (any role): those the user
    may claim needs for. Empty for anonymous users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        status=OrganizationStatus.VERIFIED,
        memberships__user=user,
        memberships__status=MembershipStatus.ACTIVE,
    ).order_by("name", "pk")


def organizations_for_claiming_first(*, user, limit: int = 2) -> list[Organization]:
    """The first ``limit`` of ``organizations_for_claiming(user=user)``, in one fixed statement
    (``core.db``): a claim request resolves its holder with it. Each carries
    ``active_member_id``, the user whose active membership it was read through, so the claim
    need not ask again."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    alias = router.db_for_read(Organization)
    rows = fixed_query(
        _claiming_sql(alias),
        [user.pk, MembershipStatus.ACTIVE.value, OrganizationStatus.VERIFIED.value, limit],
        using=alias,
    )
    organizations = [instance_from(Organization, row, using=alias) for row in rows]
    for organization in organizations:
        organization.active_member_id = user.pk
    return organizations


@lru_cache(maxsize=4)
def _claiming_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    organizations, memberships = qn(Organization._meta.db_table), qn(Membership._meta.db_table)
    return (
        f"SELECT {select_list(Organization, 'o', using=alias)} FROM {organizations} o "  # noqa: S608 - names from the models' meta
        f"JOIN {memberships} m ON m.organization_id = o.id "
        "WHERE m.user_id = %s AND m.status = %s AND o.status = %s ORDER BY o.name, o.id LIMIT %s"
    )


def volunteer_for(*, user) -> Volunteer | None:
    """The user's volunteer profile, or ``None`` (also for anonymous users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Volunteer.objects.select_related("team").filter(user=user).first()


def volunteer_pending_team(*, user) -> Membership | None:
    """The user's open request to join a volunteer team, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(
            user=user, status=MembershipStatus.REQUESTED, organization__kind=OrganizationKind.VOLUNTEER_TEAM
        )
        .select_related("organization")
        .first()
    )


def volunteer_teams() -> QuerySet[Organization]:
    """Verified volunteer teams a volunteer may ask to join."""
    return Organization.objects.filter(
        kind=OrganizationKind.VOLUNTEER_TEAM, status=OrganizationStatus.VERIFIED
    ).order_by("name", "pk")


def region_names(codes) -> dict[str, str]:
    """``{code: name}`` for the given region codes, in one query."""
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def organization_names(*, ids) -> dict[int, str]:
    """{organization id: name} for ``ids`` (e.g. the organizations on a report's scorecards)."""
    return dict(Organization.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def organization_admins(*, organization_ids) -> list[User]:
    """The users holding an active administrator membership of any of ``organization_ids``."""
    ids = list(organization_ids)
    if not ids:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=ids,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role=MembershipRole.ADMIN,
        ).distinct()
    )


def organization_region_code(*, pk: int) -> str | None:
    """The registered region code of organization ``pk``, or None when there is none."""
    return Organization.objects.filter(pk=pk).values_list("region_id", flat=True).first()


def organization_exists(*, pk: int) -> bool:
    """Whether organization ``pk`` exists and is verified (a complaint may cite it)."""
    return Organization.objects.filter(pk=pk, status=OrganizationStatus.VERIFIED).exists()


def verified_organization_count() -> int:
    """How many organizations are verified now (the home page's key figure)."""
    return Organization.objects.filter(status=OrganizationStatus.VERIFIED).count()
