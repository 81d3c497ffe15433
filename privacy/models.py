"""The access log of sensitive reads (DESIGN §3: every read of sensitive data is recorded:
who, when, what, from where). Written by ``privacy.access.record_read``; never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SensitiveKind(models.TextChoices):
    EVIDENCE = "evidence", _("Delivery evidence")
    CERTIFICATE = "certificate", _("Organization certificate")
    ASSISTANCE_CHAIN = "assistance_chain", _("Household assistance chain")
    REPORT = "report", _("Performance report")
    TICKET_CONTACT = "ticket_contact", _("Complainant's contact details")
    REFERRED_PERSON = "referred_person", _("Person referred for assistance")
    TICKET_ATTACHMENT = "ticket_attachment", _("Ticket attachment")


class SensitiveRead(models.Model):
    """One read of sensitive data by a signed-in user."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the account is deleted: the log outlives it.
    username = models.CharField(_("username"), max_length=150)
    kind = models.CharField(_("what"), max_length=30, choices=SensitiveKind.choices)
    # What was read, by its reference in the portal (never a person's identity): an evidence
    # id, an organization id, a need code or a household token.
    reference = models.CharField(_("reference"), max_length=100)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300)

    class Meta:
        verbose_name = _("sensitive read")
        verbose_name_plural = _("sensitive reads")
        ordering = ["-at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind} {self.reference}"
