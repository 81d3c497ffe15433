"""Roles are Django groups, created by a data migration. The public is anonymous."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    CHARITY_MEMBER = "charity_member", _("Charity member")
    CHARITY_ADMIN = "charity_admin", _("Charity administrator")
    CASEWORKER = "caseworker", _("Caseworker")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Government staff act only inside their region scope; they need one to be saved.
REGION_SCOPED_ROLES = frozenset(
    {
        Role.CASEWORKER,
        Role.DEPARTMENT_HANDLER,
        Role.HOTLINE_OPERATOR,
        Role.SUPERVISOR,
    }
)
# Roles that use the Wagtail back office.
STAFF_ROLES = REGION_SCOPED_ROLES | {Role.ADMINISTRATOR}

OFFICE_HOLDERS = _(
    "Government staff and platform administrators cannot register, join, volunteer or claim for "
    "a charity on the portal: they review and verify its work (conflict of interest)."
)
