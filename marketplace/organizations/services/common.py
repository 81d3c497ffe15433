"""What the organization services share: the refusal of non-administrators, whom to tell
(the organization's administrators), and the role groups that follow a membership.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_organization_admin
from accounts.roles import Role
from marketplace.organizations.models import MembershipRole, MembershipStatus, Organization


def _acts_everywhere(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def _require_organization_admin(user, organization: Organization) -> None:
    if not (is_organization_admin(user, organization) or (user.is_active and _acts_everywhere(user))):
        raise PermissionDenied(_("Only the organization's administrators may do this."))


def _organization_admins(organization: Organization) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization=organization,
            memberships__role=MembershipRole.ADMIN,
            memberships__status=MembershipStatus.ACTIVE,
        )
    )


def _add_role(user: User, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop("_role_names", None)


def _drop_role(user: User, role: str) -> None:
    user.groups.remove(Group.objects.get(name=role))
    user.__dict__.pop("_role_names", None)


MINE_URL = "/organizations/mine/"
