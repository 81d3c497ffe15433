"""Wagtail pages of the public site. The home page is the site root."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.models.meta import PageMetaMixin


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
