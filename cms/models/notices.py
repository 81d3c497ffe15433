"""The notices section (公示公告): the index at /notices/, a section per city or county, and the
notices themselves (policy documents, interpretations, publicity notices, work news).

Each notice page type says what leaves the page tree through ``search_document()`` (see
cms.selectors) and which of its columns the listing filters and orders by
(``listing_columns()``); the index lists every live page under it that has both, so the
publicity lists appear beside the notices without the index knowing their type.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import NoticeBodyBlock, plain_text
from cms.models.meta import PageMetaMixin
from regions.models import Region, code_prefix, is_within

PROVINCE_CODE = "420000"
NOTICES_PER_PAGE = 20


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    return dict(Region.objects.values_list("code", "name"))


def region_name(code: str) -> str:
    """The name of region ``code`` (the GB/T 2260 tree is data that changes with a migration only:
    read once per process, not once per notice listed)."""
    name = _region_names().get(code)
    if name is None:
        _region_names.cache_clear()
        name = _region_names().get(code, code)
    return name


class NoticeType(models.TextChoices):
    POLICY = "policy", _("Policy document")
    INTERPRETATION = "interpretation", _("Policy interpretation")
    PUBLICITY = "publicity", _("Publicity notice")
    NEWS = "news", _("Work news")


# The Chinese labels search documents carry whatever the request's language (contracts.md).
NOTICE_TYPE_LABELS_ZH = {
    NoticeType.POLICY: "政策文件",
    NoticeType.INTERPRETATION: "政策解读",
    NoticeType.PUBLICITY: "公示公告",
    NoticeType.NEWS: "工作动态",
}


LISTING_COLUMNS = ("listed_id", "listed_on", "listed_type", "listed_region")


def listed_page_types() -> list[type[Page]]:
    """The page types the notices list: those with ``search_document()``. Each also says, with
    ``listing_columns()``, which of its columns are the listing's date, notice type and region,
    so that the database filters, orders and paginates the listing."""
    from cms.selectors import _page_types_with

    return _page_types_with("search_document")


class NoticeListing:
    """The live, public notice pages under ``root``, newest first (date, then page id), filtered
    and paginated in the database: one query per page type, merged with ``UNION ALL``.

    Only the rows of the page shown become documents (``documents``): the cost of a listing page
    does not grow with the number of notices.
    """

    def __init__(self, root: Page, *, notice_type: str = "", region: str = "", year: str = ""):
        self.root = root
        self.notice_type, self.region, self.year = notice_type, region, year

    @cached_property
    def _private(self) -> models.Q:
        return Page.objects.private_q()  # one query for the view restrictions, read once

    def _branches(self, *, filtered: bool = True) -> list[models.QuerySet]:
        branches = []
        for model in listed_page_types():
            columns = {"listed_id": models.F("pk"), **model.listing_columns()}
            branch = (
                model.objects.live()
                .exclude(self._private)
                .descendant_of(self.root)
                .annotate(**{name: columns[name] for name in LISTING_COLUMNS})
            )
            if filtered and self.notice_type:
                branch = branch.filter(listed_type=self.notice_type)
            if filtered and self.region:
                branch = branch.filter(listed_region__startswith=code_prefix(self.region))
            if filtered and self.year:
                branch = branch.filter(listed_on__year=int(self.year))
            branches.append(branch.order_by())
        return branches

    def rows(self) -> models.QuerySet:
        """``{"listed_id", "listed_on", …}`` per notice, newest first: slice it, count it."""
        branches = [branch.values(*LISTING_COLUMNS) for branch in self._branches()]
        if not branches:
            return Page.objects.none().values("pk")
        rows = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
        return rows.order_by("-listed_on", "-listed_id")

    def years(self) -> list[str]:
        """The years of all the notices under ``root`` (whatever the filters), newest first."""
        branches = [
            branch.annotate(listed_year=ExtractYear("listed_on")).values("listed_year")
            for branch in self._branches(filtered=False)
        ]
        if not branches:
            return []
        years = branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0].distinct()
        return sorted({str(row["listed_year"]) for row in years}, reverse=True)

    def documents(self, rows) -> list[dict]:
        """The search documents of ``rows`` (a slice of ``rows()``), in their order, each with its
        ``page``."""
        ids = [row["listed_id"] for row in rows]
        pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
        documents = []
        for page_id in ids:
            page = pages.get(page_id)
            document = page.search_document() if page is not None else None
            if document is not None:
                document["page"] = page
                documents.append(document)
        return documents

    def latest(self, count: int) -> list[dict]:
        return self.documents(self.rows()[:count])


class NoticeListingMixin:
    """The listing of notices a section page shows: filters, newest first, paginated."""

    def listing_region(self) -> Region | None:
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notice_type = request.GET.get("type", "")
        if notice_type not in NoticeType.values:
            notice_type = ""
        years = NoticeListing(self).years()
        year = request.GET.get("year", "")
        if year not in years:
            year = ""
        scope = self.listing_region()
        scope_code = scope.code if scope else PROVINCE_CODE
        cities = (
            list(Region.objects.city_level().within(scope_code))
            if scope is None or scope.level != "county"
            else []
        )
        city = request.GET.get("city", "")
        city_region = next((c for c in cities if c.code == city), None)
        counties = []
        if city_region is not None and not city_region.directly_administered:
            counties = list(Region.objects.county_level().filter(parent=city_region))
        county = request.GET.get("county", "")
        county_region = next((c for c in counties if c.code == county), None)
        region = (county_region or city_region).code if (county_region or city_region) else ""
        listing = NoticeListing(self, notice_type=notice_type, region=region, year=year)
        paginator = Paginator(listing.rows(), NOTICES_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        sections = self.get_children().live().public().not_type(*listed_page_types())
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "sections": sections,
                "notices": listing.documents(page_obj.object_list),
                "page_obj": page_obj,
                "paginator": paginator,
                "notice_types": NoticeType.choices,
                "selected_type": notice_type,
                "years": years,
                "selected_year": year,
                "cities": cities if len(cities) > 1 else [],
                "selected_city": city_region.code if city_region else "",
                "counties": counties,
                "selected_county": county_region.code if county_region else "",
                "filter_query": query.urlencode(),
                "filtered": bool(notice_type or region or year),
                "feed_url": self.feed_url(notice_type),
            }
        )
        return context

    def feed_url(self, notice_type: str = "") -> str:
        index = (
            self if isinstance(self, NoticeIndexPage) else NoticeIndexPage.objects.ancestor_of(self).first()
        )
        if index is None:
            return ""
        url = index.url + "feed/"
        return f"{url}?type={notice_type}" if notice_type else url


class NoticeIndexPage(PageMetaMixin, NoticeListingMixin, RoutablePageMixin, Page):
    """公示公告: every notice of the province and its cities and counties, at /notices/."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences under the title: what readers find here."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    template = "cms/notice_index_page.html"

    class Meta:
        verbose_name = _("notice index")

    @path("")
    def index_route(self, request, *args, **kwargs):
        return self.render(request)

    @path("feed/")
    def feed(self, request):
        from cms.feeds import NoticeFeed

        return NoticeFeed()(request, index=self)


class NoticeSectionPage(PageMetaMixin, NoticeListingMixin, Page):
    """The notices of one city or county: its editors publish here and nowhere else."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The city (or county) whose notices live in this section."),
    )

    content_panels = [*Page.content_panels, FieldPanel("region")]
    parent_page_types = ["cms.NoticeIndexPage", "cms.NoticeSectionPage"]
    template = "cms/notice_index_page.html"

    class Meta:
        verbose_name = _("notice section")
        constraints = [models.UniqueConstraint(fields=["region"], name="notice_section_one_per_region")]

    def listing_region(self) -> Region | None:
        return self.region

    def clean(self):
        super().clean()
        parent = self.get_parent().specific if self.path else None
        if isinstance(parent, NoticeSectionPage) and self.region_id:
            if not is_within(self.region_id, parent.region_id) or self.region_id == parent.region_id:
                raise ValidationError(
                    {
                        "region": _("A section under %(parent)s must be one of its counties.")
                        % {"parent": parent.region.name}
                    }
                )
        elif isinstance(parent, NoticeIndexPage) and self.region_id:
            region = Region.objects.filter(pk=self.region_id).first()
            if region is None or not region.is_city_level:
                raise ValidationError({"region": _("A section directly under the notices is a city.")})


def section_region(parent: Page | None) -> Region | None:
    """The region of the nearest section at or above ``parent`` (None: the province)."""
    if parent is None:
        return None
    parent = parent.specific
    if isinstance(parent, NoticeSectionPage):
        return parent.region
    section = NoticeSectionPage.objects.ancestor_of(parent).order_by("-depth").first()
    return section.region if section else None


class NoticePageForm(WagtailAdminPageForm):
    """The region defaults to the section's and may only be inside it."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        field = self.fields.get("region")
        if field is None:
            return
        scope = section_region(parent_page)
        if scope is not None:
            field.queryset = Region.objects.within(scope.code)
            if not self.instance.pk:
                self.initial.setdefault("region", scope.code)
        elif not self.instance.pk:
            self.initial.setdefault("region", PROVINCE_CODE)
        interprets = self.fields.get("interprets")
        if interprets is not None:
            interprets.queryset = NoticePage.objects.filter(notice_type=NoticeType.POLICY)


class NoticePage(Page):
    """One notice: a policy document, an interpretation of one, a publicity notice or work news."""

    notice_type = models.CharField(_("notice type"), max_length=20, choices=NoticeType.choices)
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        help_text=_("文号 as printed on the document, e.g. 鄂民政发〔2024〕21号. Policy documents need one."),
    )
    issuing_bodies = models.CharField(
        _("issuing bodies"),
        max_length=300,
        blank=True,
        help_text=_("The bodies that issued it, separated by 、 e.g. 湖北省民政厅、湖北省财政厅."),
    )
    issue_date = models.DateField(_("issue date"), default=date.today)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the notice applies: the province, a city or a county."),
    )
    body = StreamField(NoticeBodyBlock(), verbose_name=_("body"), blank=True)
    interprets = models.ForeignKey(
        "cms.NoticePage",
        verbose_name=_("policy document explained"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpretations",
        help_text=_("For an interpretation: the policy document it explains."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number"),
        index.SearchField("body"),
        index.FilterField("notice_type"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("notice_type"),
                FieldPanel("document_number"),
                FieldPanel("issuing_bodies"),
                FieldRowPanel([FieldPanel("issue_date"), FieldPanel("effective_date")]),
                FieldPanel("region"),
                PageChooserPanel("interprets", "cms.NoticePage"),
            ],
            heading=_("About the document"),
        ),
        FieldPanel("body"),
    ]
    base_form_class = NoticePageForm
    parent_page_types = ["cms.NoticeIndexPage", "cms.NoticeSectionPage"]
    subpage_types: list[str] = []
    template = "cms/notice_page.html"

    class Meta:
        verbose_name = _("notice")
        indexes = [models.Index(fields=["notice_type", "-issue_date"], name="notice_type_issued")]

    def clean(self):
        super().clean()
        errors = {}
        if self.notice_type == NoticeType.POLICY and not self.document_number.strip():
            errors["document_number"] = _("A policy document needs its document number (文号).")
        if self.notice_type == NoticeType.INTERPRETATION:
            if self.interprets_id is None:
                errors["interprets"] = _("Choose the policy document this interpretation explains.")
            elif self.interprets.notice_type != NoticeType.POLICY:
                errors["interprets"] = _("An interpretation explains a policy document: choose one.")
        elif self.interprets_id is not None:
            errors["interprets"] = _("Only an interpretation explains a policy document: clear this field.")
        if self.effective_date and self.effective_date < self.issue_date:
            errors["effective_date"] = _("The effective date cannot be before the issue date.")
        if self.region_id:
            scope = section_region(self.get_parent()) if self.path else None
            if scope is not None and not is_within(self.region_id, scope.code):
                errors["region"] = _("This section is for %(region)s: choose it or one of its counties.") % {
                    "region": scope.name
                }
        if errors:
            raise ValidationError(errors)

    @property
    def notice_type_label(self) -> str:
        return NoticeType(self.notice_type).label

    def body_text(self) -> str:
        return plain_text(self.body)

    def live_interpretations(self):
        return NoticePage.objects.live().public().filter(interprets=self).order_by("-issue_date")

    def get_meta_description(self) -> str:
        if self.search_description:
            return self.search_description
        text = " ".join(self.body_text().split())
        return text[:120]

    @classmethod
    def listing_columns(cls) -> dict[str, models.Expression]:
        """The columns the notices listing filters and orders by (``NoticeListing``): they are
        the ``notice_type``, ``region`` and ``date`` of ``search_document()``."""
        return {
            "listed_on": models.F("issue_date"),
            "listed_type": models.F("notice_type"),
            "listed_region": models.F("region_id"),
        }

    def search_document(self) -> dict:
        """What a search index may hold of this notice (contracts.md): what the page shows."""
        parts = [self.document_number, self.issuing_bodies, self.body_text()]
        with override("zh-hans"):
            label = NOTICE_TYPE_LABELS_ZH[NoticeType(self.notice_type)]
        return {
            "id": str(self.pk),
            "kind": "notice",
            "title": self.title,
            "body": "\n".join(part for part in parts if part),
            "notice_type": str(self.notice_type),
            "notice_type_label": label,
            "region": self.region_id,
            "region_name": region_name(self.region_id),
            "date": self.issue_date.isoformat(),
            "year": self.issue_date.year,
            "url": self.public_path(),
        }

    def public_path(self) -> str:
        """The page's address on its site, a path (``/notices/wuhan/...``)."""
        parts = self.get_url_parts()
        return parts[2] if parts else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = (
            self.live_interpretations()
            if self.notice_type == NoticeType.POLICY
            else NoticePage.objects.none()
        )
        context["explained"] = self.interprets if self.interprets_id and self.interprets.live else None
        context["today"] = timezone.localdate()
        return context
