"""Recipient publicity lists (公示名单): who a programme proposes to assist, masked, for a period.

A list's rows are stored masked only: they are masked at import (``cms.publicity.masking``)
before they ever reach a model, so the page, its revisions and the search index hold masked
rows only. Rows are never edited by hand in the back office: a new import replaces them.
When the period ends the list unpublishes itself (``cms.tasks.expire_publicity_lists``) and its
address answers 410 Gone with the date the period ended.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ChildObjectsDescriptor, ParentalKey, create_deferring_foreign_related_manager
from modelcluster.models import model_from_serializable_data
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from cms.models.notices import region_name
from cms.publicity.masking import MaskedRow, published_leak
from regions.models import Region


class Programme(models.TextChoices):
    """The assistance programme a list is for (救助项目)."""

    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Support for people in extreme poverty (tekun)")
    LINSHI = "linshi", _("Temporary assistance")
    YILIAO = "yiliao", _("Medical assistance")
    JIAOYU = "jiaoyu", _("Education assistance")
    ZHUFANG = "zhufang", _("Housing assistance")
    CISHAN = "cishan", _("Charity assistance")


def chinese_date(value: date) -> str:
    """``2026年12月7日``: how notices write a date, whatever the reader's language."""
    return f"{value.year}年{value.month}月{value.day}日"


class PublicityListPage(Page):
    """公示名单: one programme's recipient list for one region, published for its period."""

    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county, city or the province whose recipients the list names."),
    )
    period_start = models.DateField(_("first day of the publicity period"))
    period_end = models.DateField(
        _("last day of the publicity period"),
        help_text=_("Objections are accepted until the end of this day; then the list is taken down."),
    )
    objection_phone = models.CharField(
        _("phone for objections"),
        max_length=40,
        help_text=_("The office's number that takes objections, e.g. 027-87654321."),
    )
    objection_address = models.CharField(
        _("address for objections"),
        max_length=200,
        help_text=_("Where objections may be brought or sent in writing."),
    )
    # What the last import left out and refused (counts, headers, row numbers; never a value).
    import_summary = models.JSONField(_("import summary"), default=dict, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("programme"), FieldPanel("region")]),
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        MultiFieldPanel(
            [FieldPanel("objection_phone"), FieldPanel("objection_address")],
            heading=_("How to object"),
        ),
        HelpPanel(
            template="cms/admin/publicity_list_rows_panel.html",
            heading=_("Recipients"),
        ),
    ]
    search_fields = [*Page.search_fields, index.FilterField("programme"), index.FilterField("period_end")]

    parent_page_types = ["cms.NoticeIndexPage", "cms.NoticeSectionPage"]
    subpage_types: list[str] = []

    template = "cms/publicity_list_page.html"
    gone_template = "cms/publicity_list_gone.html"

    class Meta:
        verbose_name = _("publicity list")
        verbose_name_plural = _("publicity lists")

    # --- the page tree ---------------------------------------------------------------------

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": gettext("The last day must be on or after the first day of the period.")}
            )
        for row in self.rows.all():
            if published_leak(row.as_masked()):
                raise ValidationError(
                    gettext("A recipient's row still holds identifying details; import the list again.")
                )

    # --- the period --------------------------------------------------------------------------

    def period_ended(self, today: date | None = None) -> bool:
        """Whether the period is over (the day after its last day, Asia/Shanghai)."""
        return (today or timezone.localdate()) > self.period_end

    def objection_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.period_start <= today <= self.period_end

    def objection_url(self) -> str:
        return f"{reverse('complaint-new')}?kind=objection&publicity_list={self.pk}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            rows=list(self.rows.all()),
            period_start=chinese_date(self.period_start),
            period_end=chinese_date(self.period_end),
            objection_open=self.objection_open(),
        )
        return context

    def route(self, request, path_components):
        # A list taken down when its period ended still answers, with 410 Gone (``serve``).
        if not path_components and not self.live and self.first_published_at and self.period_ended():
            return RouteResult(self)
        return super().route(request, path_components)

    def serve(self, request, *args, **kwargs):
        if self.period_ended():
            response = TemplateResponse(
                request,
                self.gone_template,
                {"page": self, "ended_on": chinese_date(self.period_end)},
                status=410,
            )
            return response
        return super().serve(request, *args, **kwargs)

    # --- what leaves the page tree (cms.selectors) -------------------------------------------

    def programme_label_zh(self) -> str:
        with translation.override("zh-hans"):
            return str(self.get_programme_display())

    @classmethod
    def listing_columns(cls) -> dict[str, models.Expression]:
        """What the notices listing filters and orders by (``cms.models.notices.NoticeListing``):
        the ``notice_type``, ``region`` and ``date`` of ``search_document()``."""
        return {
            "listed_on": models.F("period_start"),
            "listed_type": models.Value("publicity", output_field=models.CharField()),
            "listed_region": models.F("region_id"),
        }

    def search_document(self) -> dict[str, Any]:
        """The search document (contracts.md): programme, region and period in words, never rows."""
        with translation.override("zh-hans"):
            body = gettext(
                "%(programme)s recipient publicity list, %(region)s, publicity period %(start)s to %(end)s"
            ) % {
                "programme": self.get_programme_display(),
                "region": region_name(self.region_id),
                "start": chinese_date(self.period_start),
                "end": chinese_date(self.period_end),
            }
            label = gettext("Publicity notice")
        return {
            "id": str(self.pk),
            "kind": "notice",
            "title": self.title,
            "body": body,
            "notice_type": "publicity",
            "notice_type_label": label,
            "region": self.region_id,
            "region_name": region_name(self.region_id),
            "date": self.period_start.isoformat(),
            "year": self.period_start.year,
            "url": self.url,
        }

    def objection_summary(self) -> dict[str, Any]:
        """What a complaint about the list links to (contracts.md)."""
        return {
            "id": self.pk,
            "title": self.title,
            "url": self.url,
            "programme": self.programme,
            "programme_label": self.programme_label_zh(),
            "region": self.region_id,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "objection_open": self.objection_open(),
        }


class _BulkChildObjectsDescriptor(ChildObjectsDescriptor):
    """modelcluster's child relation, whose ``commit`` (when the parent page is saved: at
    creation and at each publish) writes the children in bulk instead of one by one."""

    @cached_property
    def child_object_manager_cls(self):
        deferring = create_deferring_foreign_related_manager(self.rel, self.related_manager_cls)
        name, model, key = self.rel.get_accessor_name(), self.rel.related_model, self.rel.field.name

        class BulkCommitManager(deferring):
            def commit(self):
                pending = getattr(self.instance, "_cluster_related_objects", {})
                if name not in pending:
                    return super().commit()  # nothing to write, or the parent is unsaved (refused)
                children = list(pending[name])
                for child in children:
                    setattr(child, key, self.instance)
                # The children keep their ids: those of the revision being published are the
                # rows stored when it was created.
                model._default_manager.filter(**{key: self.instance}).delete()
                model._default_manager.bulk_create(children, batch_size=1000)
                del pending[name]

        return BulkCommitManager


class BulkParentalKey(ParentalKey):
    """A ``ParentalKey`` whose children are written in bulk (see ``_BulkChildObjectsDescriptor``);
    the same column and the same migrations as modelcluster's."""

    related_accessor_class = _BulkChildObjectsDescriptor

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "modelcluster.fields.ParentalKey", args, kwargs


class PublicityListRow(Orderable):
    """One recipient of a publicity list, masked (``cms.publicity.masking.MaskedRow``)."""

    page = BulkParentalKey(PublicityListPage, on_delete=models.CASCADE, related_name="rows")
    masked_name = models.CharField(_("name (masked)"), max_length=40)
    locality = models.CharField(_("village or community"), max_length=60, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    assistance_type = models.CharField(_("assistance category"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    start_month = models.DateField(_("first month"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("publicity list row")
        verbose_name_plural = _("publicity list rows")

    @classmethod
    def from_masked(cls, row: MaskedRow, *, sort_order: int) -> PublicityListRow:
        return cls(
            sort_order=sort_order,
            masked_name=row.name,
            locality=row.locality,
            household_size=row.household_size,
            assistance_type=row.assistance_type,
            amount=row.amount,
            start_month=row.start_month,
        )

    @classmethod
    def from_serializable_data(cls, data, check_fks=True, strict_fks=False):
        """A row from a revision. Its one foreign key is its list, the page the same revision
        rebuilds: checking that it exists once per row would cost a query per recipient."""
        return model_from_serializable_data(cls, data, check_fks=False, strict_fks=strict_fks)

    def as_masked(self) -> MaskedRow:
        return MaskedRow(
            number=self.sort_order or 0,
            name=self.masked_name,
            locality=self.locality,
            household_size=self.household_size,
            assistance_type=self.assistance_type,
            amount=self.amount,
            start_month=self.start_month,
        )
