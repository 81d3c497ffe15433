"""Organizations, their members and volunteers (社会组织、成员与志愿者).

* Registration: anyone logged in registers an organization, which starts ``pending`` and
  becomes theirs to administer; the caseworkers of its region are told.
* Verification: caseworkers of the organization's region move it through ``TRANSITIONS``
  (one table, one service: ``organization_set_status``).
* Membership: the organization's administrators invite people; people ask to join a verified
  organization; ``MEMBERSHIP_TRANSITIONS`` is the table of those moves.
* Volunteers: real-name registration, stored encrypted, shown masked, one per person.

Services raise ``PermissionDenied`` when the actor may not act and ``ValidationError`` (with
field errors where a field is at fault) when the request cannot be carried out.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import holds_office, is_organization_admin, may_verify_organization
from accounts.roles import OFFICE_HOLDERS, Role
from accounts.selectors import caseworkers_for
from accounts.verification import EMAIL_UNVERIFIED, require_verified_email
from core.errors import DomainError
from core.evidence import CheckedEvidence, EvidenceError, check_evidence
from marketplace.needs.choices import NeedType
from marketplace.needs.keys import token_for, tokens_for
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    OrganizationTransition,
    Volunteer,
)
from privacy.generalize import mask_id_number, mask_name
from privacy.identity import InvalidIdNumber, normalize_id_number, validate_id_number
from regions.models import Region, code_prefix

# --- verification: the status table ------------------------------------------------------------

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

# Codes of charities registered with civil affairs start with 5 (civil affairs) and then
# 1 (social organization), 2 (private non-enterprise unit) or 3 (foundation).
CIVIL_AFFAIRS_USCC_PREFIXES = ("51", "52", "53")

CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
# Magic bytes of the accepted certificate files: the content decides, never the file name.
CERTIFICATE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)
CERTIFICATE_CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}

_PHONE = re.compile(r"\+?[0-9][0-9\- ]{5,28}[0-9]")
# A person's name: Chinese characters, Latin letters, the middle dot of minority names, spaces.
_PERSON_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z·•・ ]{2,30}")


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


# --- pure checks ----------------------------------------------------------------------------------


def uscc_clean(value: str) -> str:
    """The unified social credit code in its compact form (upper case, no spaces or dashes).

    Raises ``ValidationError`` (code ``uscc``) when it is not 18 characters of the code's
    alphabet with a right check character.
    """
    try:
        return stdnum_uscc.validate(unicodedata.normalize("NFKC", value or ""))
    except StdnumValidationError:
        raise ValidationError(
            _(
                "This is not a valid unified social credit code: it has 18 characters (digits and "
                "capital letters) and its last character is a check character."
            ),
            code="uscc",
        ) from None


def uscc_warnings(*, kind: str, uscc: str) -> list[str]:
    """Reasons to double-check a valid code; a warning, never a refusal."""
    if kind == OrganizationKind.CHARITY and not uscc.startswith(CIVIL_AFFAIRS_USCC_PREFIXES):
        return [
            _(
                "The unified social credit code of a charity registered with civil affairs usually "
                "starts with 51, 52 or 53; this one starts with %(prefix)s. Please check it: the "
                "caseworker will compare it with your certificate."
            )
            % {"prefix": uscc[:2]}
        ]
    return []


def contact_phone_clean(value: str) -> str:
    """A phone number with spaces collapsed; raises ``ValidationError`` (code ``phone``)."""
    phone = " ".join((value or "").split())
    if not _PHONE.fullmatch(phone):
        raise ValidationError(
            _("Give a phone number: digits, with an area code for a landline."), code="phone"
        )
    return phone


def certificate_kind(head: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpg`` from a file's first bytes; ``None`` for anything else."""
    for signature, kind in CERTIFICATE_SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


# Evidence codes that mean "not a certificate file" keep the certificate form's code.
_CERTIFICATE_CODES = {
    "unsupported_type": "certificate_type",
    "corrupt_image": "certificate_type",
    "corrupt_pdf": "certificate_type",
    "too_large": "certificate_size",
}


def certificate_check(upload: UploadedFile) -> CheckedEvidence:
    """Check an uploaded certificate by its content and size; return the bytes to store.

    The file goes through the evidence check (``core.evidence``), as delivery evidence
    does: images are decoded within the pixel limits and re-encoded without EXIF, PDFs parsed
    and refused with active content, and the stored copy is the checked one. Raises
    ``ValidationError`` with code ``certificate_type`` (not a readable PDF, PNG or JPEG file),
    ``certificate_size``, or the evidence check's ``image_too_large``, ``busy``,
    ``pdf_encrypted`` or ``pdf_active_content``.
    """
    if upload.size is not None and upload.size > CERTIFICATE_MAX_BYTES:
        raise ValidationError(
            _("The certificate file is larger than %(size)d MB.")
            % {"size": CERTIFICATE_MAX_BYTES // (1024 * 1024)},
            code="certificate_size",
        )
    upload.seek(0)
    data = upload.read(CERTIFICATE_MAX_BYTES + 1)
    upload.seek(0)
    if certificate_kind(data[:16]) is None:  # a WebP photo is evidence, not a certificate
        raise ValidationError(
            _("The certificate must be a PDF file or a PNG or JPEG image."), code="certificate_type"
        )
    try:
        return check_evidence(data, max_bytes=CERTIFICATE_MAX_BYTES)
    except EvidenceError as refused:
        code = _CERTIFICATE_CODES.get(refused.code, refused.code)
        raise ValidationError(refused.message, code=code) from None


def certificate_store(upload: File, *, kind: str) -> str:
    """Save a checked certificate under ``private/certificates/`` and return its storage name.

    ``upload`` holds the checked content (``ContentFile(certificate_check(...).content)``). The
    name is random, not the model's ``upload_to`` (which derives it from the public credit
    code): wherever MEDIA_URL is served (``make run`` serves it), a guessable path would be a
    public link. The extension comes from the content, never from the uploaded file's name.
    """
    upload.seek(0)
    return default_storage.save(f"private/certificates/{secrets.token_urlsafe(24)}.{kind}", upload)


def region_codes_clean(codes: Iterable[str]) -> list[str]:
    """Known region codes, deduplicated, without those already inside another one, sorted.

    Raises ``ValidationError`` (code ``unknown_region``) naming the unknown codes.
    """
    wanted = {code.strip() for code in codes if code and code.strip()}
    known = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = sorted(wanted - known)
    if unknown:
        raise ValidationError(
            _("Unknown region code: %(codes)s") % {"codes": ", ".join(unknown)}, code="unknown_region"
        )
    kept = [
        code
        for code in known
        if not any(other != code and code.startswith(code_prefix(other)) for other in known)
    ]
    return sorted(kept)


# --- who may do what ---------------------------------------------------------------------------


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


# --- registration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A registered organization and the warnings to show its registrant (not refusals)."""

    organization: Organization
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def organization_register(
    *,
    user: User,
    name: str,
    kind: str,
    uscc: str,
    registration_authority: str,
    region_code: str,
    service_regions: Iterable[str],
    need_types: Iterable[str],
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
    description: str = "",
    certificate: UploadedFile | None = None,
) -> Registration:
    """Register an organization, ``pending`` verification, with ``user`` as its administrator.

    Records the first transition, gives ``user`` the charity-administrator role and tells the
    caseworkers of the organization's region. Raises ``PermissionDenied`` for an anonymous or
    inactive user, an office holder or one without a verified e-mail address, and
    ``ValidationError`` with field errors for invalid data (unknown kind, region or need type,
    an invalid or already registered code, a certificate that is not a PDF/PNG/JPEG file of at
    most 5 MB, or one the evidence check refuses).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Log in to register an organization."))
    if holds_office(user):
        raise PermissionDenied(OFFICE_HOLDERS)
    require_verified_email(user)
    errors: dict[str, list] = {}

    def fail(name_: str, error) -> None:
        errors.setdefault(name_, []).append(error)

    name = " ".join((name or "").split())
    if not name:
        fail("name", _("Give the organization's registered name."))
    if kind not in OrganizationKind.values:
        fail("kind", _("Choose the type of organization."))
    try:
        uscc = uscc_clean(uscc)
    except ValidationError as exc:
        fail("uscc", exc)
    else:
        if Organization.objects.filter(uscc=uscc).exists():
            fail("uscc", _("An organization with this unified social credit code is already registered."))
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        fail("region", _("Choose the region where the organization is registered."))
    try:
        service_regions = region_codes_clean(service_regions)
    except ValidationError as exc:
        fail("service_regions", exc)
    else:
        if not service_regions:
            fail("service_regions", _("Choose at least one region the organization serves."))
    need_types = sorted(set(need_types))
    if not need_types or set(need_types) - set(NeedType.values):
        fail("need_types", _("Choose the kinds of need the organization helps with."))
    contact_name = (contact_name or "").strip()
    if not contact_name:
        fail("contact_name", _("Give a contact person."))
    try:
        contact_phone = contact_phone_clean(contact_phone)
    except ValidationError as exc:
        fail("contact_phone", exc)
    checked_certificate = None
    if certificate is not None:
        try:
            checked_certificate = certificate_check(certificate)
        except ValidationError as exc:
            fail("certificate", exc)
    if errors:
        raise ValidationError(errors)

    organization = Organization(
        name=name,
        kind=kind,
        uscc=uscc,
        registration_authority=(registration_authority or "").strip(),
        region=region,
        service_regions=service_regions,
        need_types=need_types,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=(contact_email or "").strip(),
        description=(description or "").strip(),
        status=OrganizationStatus.PENDING,
    )
    if checked_certificate is not None:
        # The checked copy (re-encoded image, rewritten PDF), never the uploaded bytes.
        organization.certificate = certificate_store(
            ContentFile(checked_certificate.content), kind=checked_certificate.extension
        )
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:  # registered meanwhile by a concurrent request
        raise ValidationError(
            {"uscc": _("An organization with this unified social credit code is already registered.")}
        ) from None
    OrganizationTransition.objects.create(
        organization=organization, from_status="", to_status=OrganizationStatus.PENDING, actor=user
    )
    Membership.objects.create(
        organization=organization, user=user, role=MembershipRole.ADMIN, status=MembershipStatus.ACTIVE
    )
    _add_role(user, Role.CHARITY_ADMIN)
    notify(
        users=caseworkers_for(region),
        subject=_("New organization to verify: %(name)s") % {"name": organization.name},
        body=_("%(name)s registered in %(region)s and waits for verification.")
        % {"name": organization.name, "region": region.name},
        url=reverse("organizations_admin:detail", args=[organization.pk]),
    )
    return Registration(organization=organization, warnings=uscc_warnings(kind=kind, uscc=uscc))


# --- verification --------------------------------------------------------------------------------

STATUS_SUBJECTS = {
    OrganizationStatus.VERIFIED: gettext_lazy("%(name)s is verified"),
    OrganizationStatus.REJECTED: gettext_lazy("The registration of %(name)s was rejected"),
    OrganizationStatus.SUSPENDED: gettext_lazy("%(name)s is suspended"),
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
        subject=str(STATUS_SUBJECTS[to_status]) % {"name": locked.name},
        body=note,
        url=MINE_URL,
    )
    organization.status = locked.status
    organization.status_reason = locked.status_reason
    organization.verified_at = locked.verified_at
    return locked


# --- membership ----------------------------------------------------------------------------------

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


def _membership_move(membership: Membership, to_status: str, **changes) -> Membership:
    """Lock, check the table, change; keep role groups and the volunteer's team in step."""
    locked = (
        Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    )
    check_membership_transition(locked.status, to_status)
    was_active = locked.status == MembershipStatus.ACTIVE
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
    elif existing.status == MembershipStatus.ACTIVE:
        raise ValidationError({"username": _("%(user)s is already a member.") % {"user": user.username}})
    elif existing.status == MembershipStatus.INVITED:
        raise ValidationError({"username": _("%(user)s is already invited.") % {"user": user.username}})
    elif existing.status == MembershipStatus.REQUESTED:
        membership = _membership_move(existing, MembershipStatus.ACTIVE, role=role, invited_by=actor)
    else:
        membership = _membership_move(existing, MembershipStatus.INVITED, role=role, invited_by=actor)
    if membership.status == MembershipStatus.ACTIVE:
        subject = _("You are now a member of %(name)s") % {"name": organization.name}
    else:
        subject = _("%(name)s invites you to join") % {"name": organization.name}
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
        membership, MembershipStatus.ACTIVE if accept else MembershipStatus.DECLINED
    )
    organization = membership.organization
    template = _("%(user)s joined %(name)s") if accept else _("%(user)s declined to join %(name)s")
    notify(
        users=_organization_admins(organization),
        subject=template % {"user": user.username, "name": organization.name},
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
    elif existing.status == MembershipStatus.ACTIVE:
        raise ValidationError(_("You are already a member of this organization."), code="already_member")
    elif existing.status == MembershipStatus.REQUESTED:
        raise ValidationError(_("You have already asked to join; wait for the answer."), code="already_asked")
    elif existing.status == MembershipStatus.INVITED:
        membership = _membership_move(existing, MembershipStatus.ACTIVE)
    else:
        membership = _membership_move(existing, MembershipStatus.REQUESTED, role=MembershipRole.MEMBER)
    if membership.status == MembershipStatus.ACTIVE:
        subject = _("%(user)s joined %(name)s")
    else:
        subject = _("%(user)s asks to join %(name)s")
    notify(
        users=_organization_admins(organization),
        subject=subject % {"user": user.username, "name": organization.name},
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
        membership, MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    )
    if approve:
        subject = _("You are now a member of %(name)s") % {"name": organization.name}
    else:
        subject = _("%(name)s declined your request to join") % {"name": organization.name}
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
    membership = _membership_move(membership, MembershipStatus.REMOVED)
    if own:
        notify(
            users=_organization_admins(organization),
            subject=_("%(user)s left %(name)s") % {"user": actor.username, "name": organization.name},
            url=MINE_URL,
        )
    else:
        notify(
            users=[membership.user],
            subject=_("You are no longer a member of %(name)s") % {"name": organization.name},
            url=MINE_URL,
        )
    return membership


# --- volunteers ----------------------------------------------------------------------------------


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
