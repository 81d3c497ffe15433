"""Volunteers (志愿者): real-name registration, stored encrypted, shown masked, one per person.

Choosing a volunteer team asks to join it (``membership.membership_request``); the team itself
changes when the team's administrator accepts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from accounts.permissions import holds_office
from accounts.roles import OFFICE_HOLDERS, Role
from accounts.verification import require_verified_email
from marketplace.needs.keys import token_for, tokens_for
from marketplace.organizations.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from marketplace.organizations.services.common import _add_role
from marketplace.organizations.services.membership import membership_remove, membership_request
from privacy.generalize import mask_id_number, mask_name
from privacy.identity import InvalidIdNumber, normalize_id_number, validate_id_number

# A person's name: Chinese characters, Latin letters, the middle dot of minority names, spaces.
_PERSON_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z·•・ ]{2,30}")


def _service_types_clean(need_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(need_types))
    if not chosen or set(chosen) - set(Volunteer.SERVICE_NEED_TYPES):
        raise ValidationError(
            {"need_types": _("Choose the services you offer: visits and care, counselling or both.")}
        )
    return chosen


def _team_check(team: Organization | None) -> None:
    if team is not None and (
        team.kind != OrganizationKind.VOLUNTEER_TEAM or team.status != OrganizationStatus.VERIFIED
    ):
        raise ValidationError({"team": _("Choose a verified volunteer team.")}, code="team")


@sensitive_variables("real_name", "id_number", "number", "name")
@transaction.atomic
def volunteer_register(
    *,
    user: User,
    real_name: str,
    id_number: str,
    need_types: Iterable[str],
    team: Organization | None = None,
) -> Volunteer:
    """Register ``user`` as a volunteer under their real name and ID number.

    The name and number are stored encrypted and shown only masked; a keyed token of the
    number makes one volunteer per person. Gives ``user`` the volunteer role; choosing a team
    asks to join it (``membership_request``). Raises ``PermissionDenied`` for an anonymous user,
    an office holder or one without a verified e-mail address, and ``ValidationError`` (codes
    ``already_registered``, ``duplicate_person`` or field errors) otherwise. No message ever
    contains the name or the number.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Log in to register as a volunteer."))
    if holds_office(user):
        raise PermissionDenied(OFFICE_HOLDERS)
    require_verified_email(user)
    if Volunteer.objects.filter(user=user).exists():
        raise ValidationError(_("You are already registered as a volunteer."), code="already_registered")
    errors: dict[str, list] = {}
    name = " ".join(unicodedata.normalize("NFKC", real_name or "").split())
    if not _PERSON_NAME.fullmatch(name):
        errors["real_name"] = [_("Give your real name as on your ID card.")]
    number = normalize_id_number(id_number or "")
    try:
        validate_id_number(number, today=timezone.localdate())
    except InvalidIdNumber as exc:
        errors["id_number"] = [ValidationError(exc.message, code=exc.code)]
    try:
        need_types = _service_types_clean(need_types)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _team_check(team)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    duplicate = ValidationError(
        {
            "id_number": ValidationError(
                _("A volunteer with this ID number is already registered. One person registers once."),
                code="duplicate_person",
            )
        }
    )
    if Volunteer.objects.filter(id_token__in=tokens_for(number)).exists():
        raise duplicate
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=user,
                real_name=name,
                id_number=number,
                masked_name=mask_name(name),
                masked_id_number=mask_id_number(number),
                id_token=token_for(number),
                need_types=need_types,
            )
    except IntegrityError:  # the same person, or the same user, registered meanwhile
        raise duplicate from None
    _add_role(user, Role.VOLUNTEER)
    if team is not None:
        membership_request(organization=team, user=user)
    return volunteer


@transaction.atomic
def volunteer_update(
    *, volunteer: Volunteer, need_types: Iterable[str], team: Organization | None
) -> Volunteer:
    """Change the services a volunteer offers; choosing another team asks to join it, choosing
    none leaves the current one.

    The team itself changes when the team's administrator accepts. Raises ``ValidationError``.
    """
    volunteer.need_types = _service_types_clean(need_types)
    volunteer.save(update_fields=["need_types"])
    _team_check(team)
    if team is None and volunteer.team_id is not None:
        current = Membership.objects.filter(
            organization_id=volunteer.team_id, user=volunteer.user, status=MembershipStatus.ACTIVE
        ).first()
        if current is not None:
            membership_remove(membership=current, actor=volunteer.user)
        else:
            Volunteer.objects.filter(pk=volunteer.pk).update(team=None)
        volunteer.team = None
    if team is not None and team.pk != volunteer.team_id:
        existing = Membership.objects.filter(organization=team, user=volunteer.user).first()
        if existing is None or existing.status != MembershipStatus.REQUESTED:
            membership_request(organization=team, user=volunteer.user)
    return volunteer
