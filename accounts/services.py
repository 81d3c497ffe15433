"""Writes on users: creation with roles and scope, the rules the back-office form also applies."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import EMAIL_TAKEN, Department, User, normalize_email
from accounts.roles import REGION_SCOPED_ROLES, Role
from regions.models import Region


def scope_errors(*, roles: Iterable[str], region: Region | None, department: str) -> dict[str, str]:
    """Field errors for a user's roles, region scope and department; empty when consistent."""
    roles = set(roles)
    errors: dict[str, str] = {}
    if roles & REGION_SCOPED_ROLES and region is None:
        errors["region"] = _("Staff roles need a region scope: choose the region this user works in.")
    if Role.DEPARTMENT_HANDLER in roles and not department:
        errors["department"] = _("A department handler needs a department.")
    return errors


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: Iterable[str] = (),
    region_code: str | None = None,
    department: str = "",
    email: str = "",
    first_name: str = "",
    is_superuser: bool = False,
    email_verified: bool = False,
) -> User:
    """Create a user with roles (groups), region scope and department.

    Raises ``ValidationError`` for an unknown role, region or department, a scope that does not
    fit the roles, an e-mail address another account has, or a password Django's validators
    refuse. ``email_verified`` marks the address verified (for addresses the caller vouches for,
    such as the demo accounts'); otherwise its owner verifies it (``accounts.verification``).
    """
    roles = list(roles)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    if department and department not in Department.values:
        raise ValidationError({"department": _("Unknown department.")})
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError({"region": _("Unknown region code.")})
    errors = scope_errors(roles=roles, region=region, department=department)
    email = normalize_email(email)
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = EMAIL_TAKEN
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        email=email,
        email_verified_at=timezone.now() if email and email_verified else None,
        first_name=first_name,
        region=region,
        department=department,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    return user
