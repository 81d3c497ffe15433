"""The medical-assistance rules page (医疗救助政策): what the policy engine applies, read from the
engine through the needs' selectors, never retyped by an editor."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms.models.meta import PageMetaMixin
from marketplace.needs.selectors import medical_rules_in_force


class PolicyRulesPage(PageMetaMixin, Page):
    """The rules in force today: ratios by category, the 就高 rule, and each one's document."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A sentence under the title. The rules themselves come from the policy engine."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "cms.NoticeIndexPage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/policy_rules_page.html"

    class Meta:
        verbose_name = _("medical assistance rules")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        context["today"] = today
        context["rules"] = medical_rules_in_force(day=today)
        # The policy document page the rules come from, when the notices publish it.
        from cms.models.notices import NoticePage, NoticeType

        rules = context["rules"]
        source_page = None
        if rules:
            number = rules["source"].split(" ")[0]
            source_page = (
                NoticePage.objects.live()
                .public()
                .filter(notice_type=NoticeType.POLICY, document_number=number)
                .first()
            )
        context["source_page"] = source_page
        return context
