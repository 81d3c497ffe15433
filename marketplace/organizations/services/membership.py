"""Membership of organizations (成员): invitations, requests to join, decisions and leaving.

The organization's administrators invite people; people ask to join a verified organization;
``MEMBERSHIP_TRANSITIONS`` is the table of those moves, and one function (``_membership_move``)
performs each of them, keeping the role groups and the volunteer's team in step.

Services raise ``PermissionDenied`` when the actor may not act and ``ValidationError`` when
the request cannot be carried out.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import holds_office
from accounts.roles import OFFICE_HOLDERS, Role
from accounts.verification import EMAIL_UNVERIFIED
from core.phrases import Phrase
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    MembershipTransition,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from marketplace.organizations.services.common import (
    MINE_URL,
    _add_role,
    _drop_role,
    _organization_admins,
    _require_organization_admin,
)

MEMBERSHIP_TRANSITIONS: dict[str, frozenset[str]] = {
    MembershipStatus.INVITED: frozenset(
        {MembershipStatus.ACTIVE, MembershipStatus.DECLINED, MembershipStatus.REMOVED}
    ),
    MembershipStatus.REQUESTED: frozenset(
        {MembershipStatus.ACTIVE, MembershipStatus.DECLINED, MembershipStatus.REMOVED}
    ),
    MembershipStatus.ACTIVE: frozenset({MembershipStatus.REMOVED}),
    MembershipStatus.DECLINED: frozenset({MembershipStatus.INVITED, MembershipStatus.REQUESTED}),
    MembershipStatus.REMOVED: frozenset({MembershipStatus.INVITED, MembershipStatus.REQUESTED}),
}
ROLE_GROUPS = {MembershipRole.ADMIN: Role.CHARITY_ADMIN, MembershipRole.MEMBER: Role.CHARITY_MEMBER}


def check_membership_transition(from_status: str, to_status: str) -> None:
    """Raise ``ValidationError`` (code ``illegal_membership_move``) unless the table allows the move.

    A ``ValidationError``, not a ``DomainError``, like every refusal of this module: the
    membership pages show it beside the invitation form or as a message.
    """
    if to_status not in MEMBERSHIP_TRANSITIONS[from_status]:
        raise ValidationError(
            _("This membership cannot go from “%(from)s” to “%(to)s”.")
            % {"from": MembershipStatus(from_status).label, "to": MembershipStatus(to_status).label},
            code="illegal_membership_move",
        )


def membership_record_made(membership: Membership, *, actor: User | None) -> None:
    """Record a new membership's first move (from nothing to its status)."""
    MembershipTransition.objects.create(
        membership=membership, from_status="", to_status=membership.status, actor=actor
    )


def _membership_move(membership: Membership, to_status: str, *, actor: User | None, **changes) -> Membership:
    """Lock, check the table, change and record the move (with ``actor``); keep role groups and
    the volunteer's team in step."""
    locked = (
        Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    )
    check_membership_transition(locked.status, to_status)
    was_active = locked.status == MembershipStatus.ACTIVE
    MembershipTransition.objects.create(
        membership=locked, from_status=locked.status, to_status=to_status, actor=actor
    )
    locked.status = to_status
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    user, organization = locked.user, locked.organization
    if to_status == MembershipStatus.ACTIVE:
        _add_role(user, ROLE_GROUPS[locked.role])
        if organization.kind == OrganizationKind.VOLUNTEER_TEAM:
            Volunteer.objects.filter(user=user, team__isnull=True).update(team=organization)
    elif was_active:
        still = Membership.objects.filter(user=user, role=locked.role, status=MembershipStatus.ACTIVE)
        if not still.exists():
            _drop_role(user, ROLE_GROUPS[locked.role])
        Volunteer.objects.filter(user=user, team=organization).update(team=None)
    membership.status, membership.role, membership.invited_by_id = (
        locked.status,
        locked.role,
        locked.invited_by_id,
    )
    return locked


@transaction.atomic
def membership_invite(
    *, organization: Organization, username: str, actor: User, role: str = MembershipRole.MEMBER
) -> Membership:
    """An organization administrator invites a user (by username) to join; the user is told.

    Inviting someone who asked to join accepts them. Raises ``PermissionDenied`` unless
    ``actor`` administers the organization, ``ValidationError`` (field ``username``) for an
    unknown user, a member or a pending invitation, or a rejected organization.
    """
    _require_organization_admin(actor, organization)
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    if organization.status == OrganizationStatus.REJECTED:
        raise ValidationError(_("A rejected organization cannot take members."), code="rejected")
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"username": _("No active user has this username.")}, code="unknown_user")
    if holds_office(user):
        raise ValidationError({"username": OFFICE_HOLDERS}, code="office_holder")
    existing = Membership.objects.select_for_update().filter(organization=organization, user=user).first()
    if existing is None:
        membership = Membership.objects.create(
            organization=organization, user=user, role=role, status=MembershipStatus.INVITED, invited_by=actor
        )
        membership_record_made(membership, actor=actor)
    elif existing.status == MembershipStatus.ACTIVE:
        raise ValidationError({"username": _("%(user)s is already a member.") % {"user": user.username}})
    elif existing.status == MembershipStatus.INVITED:
        raise ValidationError({"username": _("%(user)s is already invited.") % {"user": user.username}})
    elif existing.status == MembershipStatus.REQUESTED:
        membership = _membership_move(
            existing, MembershipStatus.ACTIVE, actor=actor, role=role, invited_by=actor
        )
    else:
        membership = _membership_move(
            existing, MembershipStatus.INVITED, actor=actor, role=role, invited_by=actor
        )
    if membership.status == MembershipStatus.ACTIVE:
        subject = Phrase(gettext_noop("You are now a member of %(name)s"), name=organization.name)
    else:
        subject = Phrase(gettext_noop("%(name)s invites you to join"), name=organization.name)
    notify(users=[user], subject=subject, url=MINE_URL)
    return membership


@transaction.atomic
def membership_respond(*, membership: Membership, user: User, accept: bool) -> Membership:
    """The invited user accepts or declines; the organization's administrators are told.

    Raises ``PermissionDenied`` for anyone but the invited user and ``ValidationError`` when
    the membership is not an open invitation, or (code ``email_unverified``) when accepting
    without a verified e-mail address.
    """
    if membership.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This invitation is not yours."))
    if membership.status != MembershipStatus.INVITED:
        raise ValidationError(_("This invitation is no longer open."), code="not_invited")
    if accept and not user.email_verified:
        raise ValidationError(EMAIL_UNVERIFIED, code="email_unverified")
    membership = _membership_move(
        membership, MembershipStatus.ACTIVE if accept else MembershipStatus.DECLINED, actor=user
    )
    organization = membership.organization
    template = (
        gettext_noop("%(user)s joined %(name)s")
        if accept
        else gettext_noop("%(user)s declined to join %(name)s")
    )
    notify(
        users=_organization_admins(organization),
        subject=Phrase(template, user=user.username, name=organization.name),
        url=MINE_URL,
    )
    return membership


@transaction.atomic
def membership_request(*, organization: Organization, user: User) -> Membership:
    """``user`` asks to join a verified organization; its administrators are told.

    Asking to join after an invitation accepts it. Raises ``PermissionDenied`` for an
    anonymous user and ``ValidationError`` when the user's e-mail address is not verified
    (code ``email_unverified``), the organization is not verified or the user is already a
    member or has already asked.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Log in to ask to join."))
    if holds_office(user):
        raise ValidationError(OFFICE_HOLDERS, code="office_holder")
    if not user.email_verified:
        raise ValidationError(EMAIL_UNVERIFIED, code="email_unverified")
    if organization.status != OrganizationStatus.VERIFIED:
        raise ValidationError(_("Only verified organizations take requests to join."), code="not_verified")
    existing = Membership.objects.select_for_update().filter(organization=organization, user=user).first()
    if existing is None:
        membership = Membership.objects.create(
            organization=organization,
            user=user,
            role=MembershipRole.MEMBER,
            status=MembershipStatus.REQUESTED,
        )
        membership_record_made(membership, actor=user)
    elif existing.status == MembershipStatus.ACTIVE:
        raise ValidationError(_("You are already a member of this organization."), code="already_member")
    elif existing.status == MembershipStatus.REQUESTED:
        raise ValidationError(_("You have already asked to join; wait for the answer."), code="already_asked")
    elif existing.status == MembershipStatus.INVITED:
        membership = _membership_move(existing, MembershipStatus.ACTIVE, actor=user)
    else:
        membership = _membership_move(
            existing, MembershipStatus.REQUESTED, actor=user, role=MembershipRole.MEMBER
        )
    if membership.status == MembershipStatus.ACTIVE:
        subject = gettext_noop("%(user)s joined %(name)s")
    else:
        subject = gettext_noop("%(user)s asks to join %(name)s")
    notify(
        users=_organization_admins(organization),
        subject=Phrase(subject, user=user.username, name=organization.name),
        url=MINE_URL,
    )
    return membership


@transaction.atomic
def membership_decide(*, membership: Membership, actor: User, approve: bool) -> Membership:
    """An organization administrator approves or declines a request to join; the user is told.

    Raises ``PermissionDenied`` unless ``actor`` administers the organization and
    ``ValidationError`` when the membership is not an open request.
    """
    organization = membership.organization
    _require_organization_admin(actor, organization)
    if membership.status != MembershipStatus.REQUESTED:
        raise ValidationError(_("This request is no longer open."), code="not_requested")
    membership = _membership_move(
        membership, MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED, actor=actor
    )
    if approve:
        subject = Phrase(gettext_noop("You are now a member of %(name)s"), name=organization.name)
    else:
        subject = Phrase(gettext_noop("%(name)s declined your request to join"), name=organization.name)
    notify(users=[membership.user], subject=subject, url=MINE_URL)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> Membership:
    """Remove a member, withdraw an invitation or a request; members may also leave.

    An organization administrator may remove anyone; a user may remove only their own
    membership. Raises ``PermissionDenied`` otherwise, and ``ValidationError`` when the
    membership is already over or it is the organization's last administrator.
    """
    organization = membership.organization
    own = membership.user_id == getattr(actor, "pk", None)
    if not own:
        _require_organization_admin(actor, organization)
    if (
        membership.status not in MEMBERSHIP_TRANSITIONS
        or MembershipStatus.REMOVED not in (MEMBERSHIP_TRANSITIONS[membership.status])
    ):
        raise ValidationError(_("This membership has already ended."), code="ended")
    if membership.status == MembershipStatus.ACTIVE and membership.role == MembershipRole.ADMIN:
        admins = Membership.objects.select_for_update().filter(
            organization=organization, role=MembershipRole.ADMIN, status=MembershipStatus.ACTIVE
        )
        if admins.count() <= 1:
            raise ValidationError(
                _(
                    "The organization's last administrator cannot leave: make someone else an "
                    "administrator first."
                ),
                code="last_admin",
            )
    membership = _membership_move(membership, MembershipStatus.REMOVED, actor=actor)
    if own:
        notify(
            users=_organization_admins(organization),
            subject=Phrase(
                gettext_noop("%(user)s left %(name)s"), user=actor.username, name=organization.name
            ),
            url=MINE_URL,
        )
    else:
        notify(
            users=[membership.user],
            subject=Phrase(gettext_noop("You are no longer a member of %(name)s"), name=organization.name),
            url=MINE_URL,
        )
    return membership
