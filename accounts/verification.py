"""A verified e-mail address: the one-time link mailed at sign-up, resending it, changing the address.

An account must have a verified address before it joins an organization, registers one or
registers as a volunteer (``require_verified_email``, called by those services): an address is
how the portal, the organization and the caseworkers reach the person, and unverified it could
be anybody's.

The link carries ``<user id>:<digest>`` signed with a timestamp (``django.core.signing``, salted
for this purpose only), valid ``VERIFICATION_LINK_DAYS``. The digest is a keyed hash of the
address and of the verification state, so a link works once, only for the address it was sent
to, and not after the address changed; it does not show the address itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import EMAIL_TAKEN, User, normalize_email
from core.errors import DomainError

VERIFICATION_LINK_DAYS = 3
# A new verification mail at most this often per account: enough to retry a lost mail, too
# rarely to turn the portal into a mail cannon against the address.
RESEND_INTERVAL = timedelta(minutes=2)
_SALT = "accounts.verification.email"

EMAIL_UNVERIFIED = gettext_lazy(
    "Verify your e-mail address first: open the link in the message we sent to it. Then you can "
    "join or register an organization and register as a volunteer."
)


class VerificationLinkInvalid(DomainError):
    """The link is tampered with, expired, used, or meant for an address the account no longer
    has (HTTP 400: it will never work). ``code`` is ``expired`` or ``invalid``."""

    http_status = 400

    def __init__(self, *, expired: bool = False):
        super().__init__(
            _("The link is too old: verification links work for a few days only.")
            if expired
            else _("The link is not complete, or belongs to an address the account no longer has."),
            code="expired" if expired else "invalid",
        )
        self.expired = expired


class ResendTooSoon(DomainError):
    """A verification mail was sent less than ``RESEND_INTERVAL`` ago (HTTP 429)."""

    code = "resend_too_soon"
    http_status = 429

    def __init__(self, seconds: int):
        super().__init__(
            _("A link was sent a moment ago. Wait %(seconds)d seconds before asking for another.")
            % {"seconds": seconds}
        )
        self.seconds = seconds


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another account has ``email``, in any letter case."""
    if not email:
        return False
    others = User.objects.annotate(email_lower=Lower("email")).filter(email_lower=email.lower())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _digest(user: User) -> str:
    state = f"{user.email.lower()}|{user.email_verified_at.isoformat() if user.email_verified_at else ''}"
    return salted_hmac(_SALT, state).hexdigest()[:24]


def verification_token(user: User) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{user.pk}:{_digest(user)}")


def verification_url(user: User) -> str:
    # The configured base address, never the request's Host header (which a caller chooses).
    path = reverse("account:verify-email", args=[verification_token(user)])
    return f"{settings.WAGTAILADMIN_BASE_URL}{path}"


@transaction.atomic
def email_verification_send(*, user: User, force: bool = False) -> None:
    """Mail ``user`` a verification link, once the transaction commits.

    Raises ``ResendTooSoon`` within ``RESEND_INTERVAL`` of the previous mail unless ``force``
    (sign-up and a changed address always send), and ``ValidationError`` when the account has
    no address or it is verified already.
    """
    if not user.email:
        raise ValidationError(_("Your account has no e-mail address. Add one first."), code="no_email")
    if user.email_verified:
        raise ValidationError(_("Your e-mail address is already verified."), code="verified")
    now = timezone.now()
    # Locked, so that two quick clicks send one mail.
    locked = User.objects.select_for_update().get(pk=user.pk)
    sent = locked.email_verification_sent_at
    if not force and sent is not None and now - sent < RESEND_INTERVAL:
        raise ResendTooSoon(int((sent + RESEND_INTERVAL - now).total_seconds()) + 1)
    User.objects.filter(pk=user.pk).update(email_verification_sent_at=now)
    user.email_verification_sent_at = now
    context = {
        "username": user.get_username(),
        "url": verification_url(user),
        "days": VERIFICATION_LINK_DAYS,
        "site_name": settings.PORTAL_NAME,
    }
    subject = " ".join(render_to_string("accounts/email/verify_email_subject.txt", context).split())
    body = render_to_string("accounts/email/verify_email.txt", context)
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)
    )


@dataclass(frozen=True)
class Verified:
    user: User
    already: bool  # the link had been used before; the address is verified all the same


@transaction.atomic
def email_verify(*, token: str) -> Verified:
    """Mark the address the link was sent to as verified.

    Raises ``VerificationLinkInvalid`` (``expired=True`` past ``VERIFICATION_LINK_DAYS``) for a
    tampered or expired link, or one for an address the account no longer has.
    """
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=timedelta(days=VERIFICATION_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise VerificationLinkInvalid(expired=True) from None
    except signing.BadSignature:
        raise VerificationLinkInvalid() from None
    pk, _sep, digest = value.partition(":")
    user = User.objects.select_for_update().filter(pk=pk, is_active=True).first() if pk.isdigit() else None
    if user is None or not user.email:
        raise VerificationLinkInvalid()
    if not constant_time_compare(digest, _digest(user)):
        # Used already? Then the same address is verified: say so rather than "invalid".
        if user.email_verified_at is not None:
            unverified = User(pk=user.pk, email=user.email, email_verified_at=None)
            if constant_time_compare(digest, _digest(unverified)):
                return Verified(user=user, already=True)
        raise VerificationLinkInvalid()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return Verified(user=user, already=False)


@transaction.atomic
def user_change_email(*, user: User, email: str, password: str) -> User:
    """Give ``user`` a new address (asking their password), unverified, and mail it a link.

    Raises ``ValidationError`` (field ``password`` or ``email``) for a wrong password, an address
    another account has, or the same address.
    """
    if not check_password(password or "", user.password):
        raise ValidationError({"password": _("The password is not correct.")}, code="password")
    email = normalize_email(email)
    if email.lower() == user.email.lower():
        raise ValidationError({"email": _("This is your current address.")}, code="same")
    if email_taken(email, exclude_pk=user.pk):
        raise ValidationError({"email": EMAIL_TAKEN}, code="email_taken")
    previous = (user.email, user.email_verified_at)
    user.email, user.email_verified_at = email, None
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:  # another account took it meanwhile (the constraint decides)
        user.email, user.email_verified_at = previous
        raise ValidationError({"email": EMAIL_TAKEN}, code="email_taken") from None
    email_verification_send(user=user, force=True)
    return user


def require_verified_email(user: User) -> None:
    """Raise ``PermissionDenied`` (with ``EMAIL_UNVERIFIED``) unless ``user``'s address is verified."""
    if not getattr(user, "email_verified", False):
        raise PermissionDenied(EMAIL_UNVERIFIED)
