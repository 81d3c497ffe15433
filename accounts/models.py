"""The portal's user: a Django user with a region scope and, for handlers, a department."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


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


class User(AbstractUser):
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

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

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
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
