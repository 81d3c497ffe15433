"""Offers and volunteer availability: validated, written by an organization's administrator."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import is_organization_admin
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import PLACE_KINDS, Offer, OfferStatus, VolunteerAvailability
from marketplace.needs.choices import NeedType
from marketplace.organizations.models import OrganizationStatus


def clean_offer_fields(data: dict) -> dict:
    """The cross-field rules of an offer. Raises ``ValidationError`` per field."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind in PLACE_KINDS and set(data.get("need_types") or []) - {NeedType.EMPLOYMENT}:
        errors["need_types"] = [_("Job and training places serve employment needs only.")]
    if kind == "goods" and not data.get("unit"):
        errors["unit"] = [_("Say the unit of the goods (件, 箱, 套…).")]
    start, end = data.get("available_from"), data.get("available_until")
    if start and end and end < start:
        errors["available_until"] = [_("Must not be before the start.")]
    if not data.get("region_prefixes"):
        errors["region_prefixes"] = [_("Choose at least one region.")]
    if errors:
        raise ValidationError(errors)
    if kind in PLACE_KINDS:
        data["need_types"] = [NeedType.EMPLOYMENT.value]
    return data


def _check_admin(actor, organization) -> None:
    if organization.status != OrganizationStatus.VERIFIED or not is_organization_admin(actor, organization):
        raise MatchingRefused("not_admin")


def offer_create(*, organization, actor, data: dict) -> Offer:
    """Post an offer for ``organization``. Raises ``MatchingRefused("not_admin")`` (403) unless
    ``actor`` administers it and it is verified; ``ValidationError`` per field."""
    _check_admin(actor, organization)
    data = clean_offer_fields(dict(data))
    return Offer.objects.create(organization=organization, created_by=actor, **data)


def offer_close(*, offer: Offer, actor) -> Offer:
    """Close an offer: it is no longer recommended nor allocated; accepted invitations stand."""
    _check_admin(actor, offer.organization)
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        locked.status = OfferStatus.CLOSED
        locked.save(update_fields=["status"])
    return locked


def availability_save(*, volunteer, data: dict) -> VolunteerAvailability:
    """Create or replace the volunteer's availability."""
    availability, _created = VolunteerAvailability.objects.update_or_create(
        volunteer=volunteer, defaults=data
    )
    return availability
