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
