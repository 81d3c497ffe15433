"""The hotline directory (服务热线) at /hotline/: numbers and service hours of the province, each
city and county, kept as snippets that each region's staff edit for their own region."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms.models.meta import PageMetaMixin
from regions.models import Region

PHONE_PATTERN = re.compile(r"^[0-9][0-9\-]{2,19}$")


class HotlineEntry(models.Model):
    """One hotline of a region: what it is for, its number and when it answers."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("name"), max_length=80, help_text=_("What the line is for, e.g. 社会救助服务热线 or 市民服务热线.")
    )
    number = models.CharField(
        _("number"),
        max_length=20,
        help_text=_("Digits, with an area code and a hyphen if needed: 027-12345678."),
    )
    service_hours = models.CharField(
        _("service hours"), max_length=80, help_text=_("When it answers, e.g. 24小时 or 工作日 8:30-17:30.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("region"),
        FieldPanel("name"),
        FieldPanel("number"),
        FieldPanel("service_hours"),
        FieldPanel("note"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["region_id", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.region.name} {self.name} {self.number}"

    def clean(self):
        super().clean()
        if self.number and not PHONE_PATTERN.match(self.number.strip()):
            raise ValidationError(
                {
                    "number": _(
                        "Write the number with digits only, and a hyphen after the area code (027-12345678)."
                    )
                }
            )
        self.number = self.number.strip()

    @property
    def tel(self) -> str:
        return self.number.replace("-", "")


class HotlinePage(PageMetaMixin, Page):
    """服务热线: every region's hotlines, the province first, then each city with its counties."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences under the title: when to call which line."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/hotline_page.html"

    class Meta:
        verbose_name = _("hotline directory")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        entries = list(HotlineEntry.objects.select_related("region"))
        by_region: dict[str, list[HotlineEntry]] = {}
        for entry in entries:
            by_region.setdefault(entry.region_id, []).append(entry)
        groups = []
        province = [e for code, rows in by_region.items() if code == "420000" for e in rows]
        for city in Region.objects.city_level():
            lines = [
                e for code, rows in sorted(by_region.items()) if code.startswith(city.prefix) for e in rows
            ]
            if lines:
                groups.append({"region": city, "entries": lines})
        context.update({"province_entries": province, "city_groups": groups})
        return context
