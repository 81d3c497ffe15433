"""Wagtail pages of the public site. The home page is the site root."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.models.meta import PageMetaMixin
from marketplace.needs.selectors import need_year_figures
from marketplace.organizations.selectors import verified_organization_count


class HomePage(PageMetaMixin, Page):
    """首页: the portal's front door, editable in the back office."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("A short paragraph under the title: what the portal is for."),
    )
    # Page content is edited once, in Chinese (WAGTAIL_I18N_ENABLED is off); the English site
    # shows this instead of the Chinese introduction when it is filled in.
    intro_en = RichTextField(
        _("introduction in English"),
        blank=True,
        help_text=_("Shown to readers who chose English. Leave empty to show the Chinese introduction."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["key_figures"] = key_figures()
        context["latest_notices"] = latest_notices()
        context["notice_index"] = _notice_index()
        return context


KEY_FIGURES_SECONDS = 60
LATEST_NOTICES = 5


def key_figures() -> dict:
    """This year's needs published, claimed and fulfilled, and the verified organizations, read
    from the marketplace's selectors and kept for a minute (the home page is the busiest page)."""
    year = timezone.localdate().year

    def count() -> dict:
        return {"year": year, **need_year_figures(year=year), "organizations": verified_organization_count()}

    return cache.get_or_set(f"cms:home:key-figures:{year}", count, KEY_FIGURES_SECONDS)


def _notice_index():
    from cms.models.notices import NoticeIndexPage

    return NoticeIndexPage.objects.live().public().first()


def latest_notices() -> list[dict]:
    """The newest live notices (search documents, see cms.selectors), newest first."""
    from cms.models.notices import NoticeListing

    index = _notice_index()
    return NoticeListing(index).latest(LATEST_NOTICES) if index else []
