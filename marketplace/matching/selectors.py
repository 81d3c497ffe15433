"""Reads of matching: offers, invitations, projects and pledges; upper apps read through these."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from marketplace.matching.models import (
    AllocationLine,
    AllocationProposal,
    CharityProject,
    LineStatus,
    Offer,
    OfferStatus,
    Pledge,
    ProjectStatus,
    VolunteerAvailability,
)
from marketplace.organizations.models import OrganizationStatus


def offers_public() -> QuerySet[Offer]:
    """Open offers of verified organizations still available, newest first."""
    return (
        Offer.objects.filter(
            status=OfferStatus.OPEN,
            organization__status=OrganizationStatus.VERIFIED,
            available_until__gte=timezone.localdate(),
        )
        .select_related("organization")
        .order_by("-created_at", "-pk")
    )


def offers_of_organizations(*, organization_ids) -> QuerySet[Offer]:
    return Offer.objects.filter(organization_id__in=list(organization_ids)).select_related("organization")


def offers_open() -> QuerySet[Offer]:
    """Every open offer, for a caseworker ranking offers for one need."""
    return Offer.objects.filter(status=OfferStatus.OPEN).select_related("organization").order_by("pk")


def invitations_for(*, organization_ids) -> QuerySet[AllocationLine]:
    """Invitations waiting for an answer from these organizations, oldest first."""
    return (
        AllocationLine.objects.filter(
            status=LineStatus.INVITED, offer__organization_id__in=list(organization_ids)
        )
        .select_related("offer__organization", "need__public_region")
        .order_by("updated_at", "pk")
    )


def invitations_for_volunteer(*, volunteer) -> QuerySet[AllocationLine]:
    """Invitations to a volunteer (their stated hours), waiting for their answer, oldest first."""
    return (
        AllocationLine.objects.filter(status=LineStatus.INVITED, volunteer=volunteer)
        .select_related("volunteer", "need__public_region")
        .order_by("updated_at", "pk")
    )


def latest_proposal(*, region_code: str) -> AllocationProposal | None:
    return AllocationProposal.objects.filter(region_id=region_code).order_by("-created_at", "-pk").first()


def projects_public() -> QuerySet[CharityProject]:
    return CharityProject.objects.select_related("organization", "region").order_by(
        "status", "-created_at", "-pk"
    )


def activity_of_organization(*, organization) -> tuple[list[Offer], list[CharityProject]]:
    """What an organization's public page lists: its open offers still available and its charity
    projects open for pledges (verified organizations only, as the public sees them)."""
    offers = list(offers_public().filter(organization=organization)[:50])
    today = timezone.localdate()
    projects = list(
        CharityProject.objects.filter(
            organization=organization, status=ProjectStatus.OPEN, ends_on__gte=today
        ).order_by("ends_on", "pk")[:50]
    )
    return offers, projects


def projects_of_organizations(*, organization_ids) -> QuerySet[CharityProject]:
    return CharityProject.objects.filter(organization_id__in=list(organization_ids)).order_by("-created_at")


def pledges_to_answer(*, organization_ids) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(project__organization_id__in=list(organization_ids), status="pledged")
        .select_related("project", "user")
        .order_by("created_at", "pk")
    )


def pledges_public(*, project: CharityProject) -> QuerySet[Pledge]:
    """A project's pledges as the public sees them (not those that did not arrive)."""
    return project.pledges.exclude(status="lapsed").select_related("user").order_by("-created_at", "-pk")


def project_open_for_pledges(project: CharityProject) -> bool:
    today = timezone.localdate()
    return project.status == ProjectStatus.OPEN and project.starts_on <= today <= project.ends_on


def volunteers_available_for(*, need) -> list[VolunteerAvailability]:
    """Volunteers whose stated availability covers a service need's type and county, most hours
    first (the caseworker's "offers for a need" page)."""
    rows = VolunteerAvailability.objects.select_related("volunteer").order_by("-hours_per_week", "pk")
    return [
        row
        for row in rows
        if need.need_type in row.need_types and any(need.region_id.startswith(p) for p in row.region_prefixes)
    ][:20]
