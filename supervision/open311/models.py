"""API keys of the Open311 clients (existing city-service systems) that file tickets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Key(models.Model):
    """The key an Open311 client sends as ``api_key`` when it files a request.

    The key is printed once by ``manage.py create_open311_key``; only its SHA-256 is stored,
    with a short prefix that tells keys apart in the back office.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
