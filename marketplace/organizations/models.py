"""Charities, volunteer teams and volunteers: who may claim needs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.needs.choices import NeedType
from marketplace.organizations.hooks import organizations_changed
from privacy.fields import EncryptedTextField


class OrganizationKind(models.TextChoices):
    CHARITY = "charity", _("Charity")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    FOUNDATION = "foundation", _("Foundation")
    ENTERPRISE = "enterprise", _("Enterprise")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


def certificate_path(instance, filename: str) -> str:
    # A random name: the original may carry a person's name, and a guessable one invites probing.
    return f"private/certificates/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1][:5].lower()}"


class Organization(models.Model):
    """慈善组织: a charity, foundation, enterprise or volunteer team that claims needs."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=OrganizationKind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    registration_authority = models.CharField(_("registration authority"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("registered in"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Caseworkers of this region verify the organization."),
    )
    service_regions = models.JSONField(
        _("service regions"), default=list, help_text=_("Region codes the organization serves.")
    )
    need_types = models.JSONField(_("need types served"), default=list)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    description = models.TextField(_("about"), blank=True)
    certificate = models.FileField(_("registration certificate"), upload_to=certificate_path, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.PENDING
    )
    status_reason = models.TextField(_("reason"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrganizationStatus.values), name="org_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Whatever changed, upper apps (search) re-read what the public sees of it after commit.
        organizations_changed.call(organization_ids=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.status == OrganizationStatus.VERIFIED

    def serves(self, need_type: str) -> bool:
        return not self.need_types or need_type in self.need_types


class OrganizationTransition(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=OrganizationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrganizationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.from_status or '—'} → {self.to_status}"


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")


class MembershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed")


class Membership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    status = models.CharField(_("status"), max_length=10, choices=MembershipStatus.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} ({self.status})"


class MembershipTransition(models.Model):
    """One move of a membership (invited, asked, joined, declined, removed): who, when."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=MembershipStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=MembershipStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_status or '—'} → {self.to_status}"


class Volunteer(models.Model):
    """志愿者: a person who gives service hours; real-name data encrypted, shown masked."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer")
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("ID number"))
    masked_name = models.CharField(_("name (masked)"), max_length=20)
    masked_id_number = models.CharField(_("ID number (masked)"), max_length=20)
    id_token = models.CharField(max_length=64, unique=True, help_text=_("Keyed token of the ID number."))
    team = models.ForeignKey(
        Organization,
        verbose_name=_("volunteer team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    need_types = models.JSONField(_("services offered"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    SERVICE_NEED_TYPES = (NeedType.CARE_SERVICE, NeedType.COUNSELLING)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.masked_name
