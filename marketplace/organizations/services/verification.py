"""Verifying organizations (慈善组织认证): the status table and the one service that moves it.

Caseworkers of the organization's region move it through ``TRANSITIONS`` (one table, one
service: ``organization_set_status``); the organization's administrators are told.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import may_verify_organization
from core.errors import DomainError
from core.phrases import Phrase
from marketplace.organizations.models import Organization, OrganizationStatus, OrganizationTransition
from marketplace.organizations.services.common import MINE_URL, _organization_admins

TRANSITIONS: dict[str, frozenset[str]] = {
    OrganizationStatus.PENDING: frozenset({OrganizationStatus.VERIFIED, OrganizationStatus.REJECTED}),
    OrganizationStatus.VERIFIED: frozenset({OrganizationStatus.SUSPENDED}),
    # Reinstatement: a suspension is a measure until the problem is put right, not an end. A
    # rejection is final: the organization is told why and may contact the caseworker.
    OrganizationStatus.SUSPENDED: frozenset({OrganizationStatus.VERIFIED}),
    OrganizationStatus.REJECTED: frozenset(),
}
# Moves that must say why: the organization reads the reason.
REASON_REQUIRED = frozenset({OrganizationStatus.REJECTED, OrganizationStatus.SUSPENDED})
MAX_REASON = 1000


class OrganizationTransitionRefused(DomainError):
    """A move the organization status table does not allow (HTTP 409)."""

    code = "illegal_organization_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("An organization cannot go from “%(from)s” to “%(to)s”.")
            % {"from": OrganizationStatus(from_status).label, "to": OrganizationStatus(to_status).label}
        )


def check_organization_transition(from_status: str, to_status: str) -> None:
    """Raise ``OrganizationTransitionRefused`` unless ``TRANSITIONS`` allows the move."""
    if to_status not in TRANSITIONS[from_status]:
        raise OrganizationTransitionRefused(from_status, to_status)


# --- the move ------------------------------------------------------------------------------------

STATUS_SUBJECTS = {
    OrganizationStatus.VERIFIED: gettext_noop("%(name)s is verified"),
    OrganizationStatus.REJECTED: gettext_noop("The registration of %(name)s was rejected"),
    OrganizationStatus.SUSPENDED: gettext_noop("%(name)s is suspended"),
}


@transaction.atomic
def organization_set_status(
    *, organization: Organization, to_status: str, actor: User | None, note: str = ""
) -> Organization:
    """Move an organization to ``to_status`` under a row lock, recording the transition.

    ``actor`` must be a caseworker whose scope holds the organization's region (or an
    administrator); ``None`` is the system itself (demo data), which is not checked. The
    organization's administrators are told. Raises ``PermissionDenied``, ``OrganizationTransitionRefused``
    for a move ``TRANSITIONS`` does not allow, and ``ValidationError`` (field ``note``) when a
    rejection or suspension has no reason.
    """
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if actor is not None and not may_verify_organization(actor, locked):
        raise PermissionDenied(_("Only caseworkers of the organization's region may do this."))
    check_organization_transition(locked.status, to_status)
    note = (note or "").strip()
    if to_status in REASON_REQUIRED and not note:
        raise ValidationError({"note": _("Give the reason: the organization will read it.")}, code="required")
    if len(note) > MAX_REASON:
        raise ValidationError(
            {"note": _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON}}, code="max_length"
        )
    from_status = locked.status
    locked.status = to_status
    locked.status_reason = note if to_status in REASON_REQUIRED else ""
    if to_status == OrganizationStatus.VERIFIED:
        locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "verified_at"])
    OrganizationTransition.objects.create(
        organization=locked, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    notify(
        users=_organization_admins(locked),
        subject=Phrase(STATUS_SUBJECTS[to_status], name=locked.name),
        body=note,
        url=MINE_URL,
    )
    organization.status = locked.status
    organization.status_reason = locked.status_reason
    organization.verified_at = locked.verified_at
    return locked
