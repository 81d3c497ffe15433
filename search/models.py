"""The database backend's index: one row per public document, its words segmented (jieba).

The full-text part is not a model field, it is made per database vendor by migration 0002:
on PostgreSQL a stored generated ``search_vector`` column (``to_tsvector('simple', …)`` of the
title's words weighted A and the body's weighted B) with a GIN index; on SQLite an FTS5 virtual
table ``search_entry_fts`` (rowid = this row's id) that the backend writes beside each row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    kind = models.CharField(_("Kind"), max_length=16)
    key = models.CharField(
        _("Key"), max_length=64, help_text=_("The need's code, the page's or organization's id.")
    )
    title = models.TextField(_("Title"))
    body = models.TextField(_("Text"), blank=True)
    url = models.CharField(max_length=300)
    region = models.CharField(_("region"), max_length=6, blank=True)
    region_name = models.CharField(max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=40, blank=True)
    type_label = models.CharField(max_length=60, blank=True)
    date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="search_entry_kind_key")]
        indexes = [
            models.Index(fields=["kind", "region"], name="search_entry_region"),
            models.Index(fields=["kind", "type"], name="search_entry_type"),
            models.Index(fields=["kind", "year"], name="search_entry_year"),
            models.Index(fields=["kind", "-date", "-id"], name="search_entry_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
