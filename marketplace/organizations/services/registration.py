"""Registering an organization (慈善组织登记) and the checks of what it registers.

Anyone logged in registers an organization, which starts ``pending`` and becomes theirs to
administer; the caseworkers of its region are told. The pure checks (unified social credit
code, phone, certificate file, region codes) are used by the forms too.

Raises ``PermissionDenied`` when the actor may not act and ``ValidationError`` (with field
errors where a field is at fault) when the request cannot be carried out.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import holds_office
from accounts.roles import OFFICE_HOLDERS, Role
from accounts.selectors import caseworkers_for
from accounts.verification import require_verified_email
from core.evidence import CheckedEvidence, EvidenceError, check_evidence
from core.phrases import Phrase
from marketplace.needs.choices import NeedType
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    OrganizationTransition,
)
from marketplace.organizations.services.common import _add_role
from marketplace.organizations.services.membership import membership_record_made
from regions.models import Region, code_prefix

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
    founder = Membership.objects.create(
        organization=organization, user=user, role=MembershipRole.ADMIN, status=MembershipStatus.ACTIVE
    )
    membership_record_made(founder, actor=user)
    _add_role(user, Role.CHARITY_ADMIN)
    notify(
        users=caseworkers_for(region),
        subject=Phrase(gettext_noop("New organization to verify: %(name)s"), name=organization.name),
        body=Phrase(
            gettext_noop("%(name)s registered in %(region)s and waits for verification."),
            name=organization.name,
            region=region.name,
        ),
        url=reverse("organizations_admin:detail", args=[organization.pk]),
    )
    return Registration(organization=organization, warnings=uscc_warnings(kind=kind, uscc=uscc))
