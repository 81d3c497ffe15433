"""The portal's user: a Django user with a region scope and, for handlers, a department."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.phrases import render_json


class Department(models.TextChoices):
    """部门: the bodies that push needs and handle assistance (DESIGN §2)."""

    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EDUCATION = "education", _("Education")
    FINANCE = "finance", _("Finance")
    HRSS = "hrss", _("Human resources and social security")
    HOUSING = "housing", _("Housing and urban-rural development")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    HEALTH = "health", _("Health")
    EMERGENCY = "emergency", _("Emergency management")
    MEDICAL_SECURITY = "medical_security", _("Medical security")
    DATA = "data", _("Data bureau")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    TRADE_UNION = "trade_union", _("Federation of trade unions")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League")


EMAIL_TAKEN = _(
    "Another account already uses this e-mail address. If it is yours, reset that account's "
    "password instead of opening a second account."
)


def normalize_email(value: str) -> str:
    """The form in which an e-mail address is stored: blanks stripped, the domain lower-cased.

    The local part keeps the letter case the person typed (it is theirs to spell, and mail is
    delivered to it as typed), but two addresses that differ only in letter case anywhere count
    as the same address: the unique constraint below compares ``Lower(email)``. No provider's
    rules beyond that are applied (dots and ``+tags`` are kept): they are not universal, and
    treating distinct mailboxes as one would refuse real people.
    """
    local, at, domain = (value or "").strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else (value or "").strip()


class User(AbstractUser):
    """A portal user. ``email`` is unique regardless of letter case (empty for staff made without
    one); ``email_verified_at`` is set when its owner followed the link mailed to it, and cleared
    whenever the address changes (``accounts.verification``)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Staff act only on objects inside this region (its code prefix)."),
    )
    department = models.CharField(_("department"), max_length=32, choices=Department.choices, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    # When the last verification mail went out: resending is rate-limited from it.
    email_verification_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # One account per address, in any letter case; staff may have none.
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="accounts_user_email_unique_ci",
                violation_error_message=EMAIL_TAKEN,
                violation_error_code="email_taken",
            ),
        ]

    @property
    def email_verified(self) -> bool:
        """Whether the current address was verified (an account without one never is)."""
        return bool(self.email and self.email_verified_at)

    @property
    def role_names(self) -> frozenset[str]:
        """The user's roles, read once per request and kept on the instance."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) & set(Role.values)
            self._role_names = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("_role_names", None)  # re-read the roles too
        super().refresh_from_db(*args, **kwargs)


class ApiToken(models.Model):
    """A personal API token (``Authorization: Token <key>``): acts as its user, revocable.

    Only the SHA-256 of the key is stored; the key is shown once when created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portal_api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"


class Notification(models.Model):
    """An in-portal message to a user (a copy may also go by e-mail)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # The subject and body as ``core.phrases`` keeps them ({"subject": [...], "body": [...]}),
    # worded in the reader's language when shown; ``subject`` and ``body`` hold them in the
    # portal's default language (e-mail, the admin, messages written before phrases).
    phrases = models.JSONField(_("message in every language"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject_text(self) -> str:
        """The subject in the active language."""
        return render_json(self.phrases["subject"])[:200] if self.phrases.get("subject") else self.subject

    @property
    def body_text(self) -> str:
        """The body in the active language."""
        return render_json(self.phrases["body"]) if self.phrases.get("body") else self.body
