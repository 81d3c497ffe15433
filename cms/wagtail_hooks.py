"""The notices in the back office: the hotline directory (by region), the publicity lists' import
page."""

from __future__ import annotations

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.hotline_admin import HotlinePolicy, HotlineViewSet
from cms.models import HotlineEntry
from cms.publicity.admin import PublicityImportView

# Before the viewset is registered, or Wagtail falls back to model permissions, which the
# portal's roles do not carry (see marketplace/needs/wagtail_hooks.py).
register_permission_policy(HotlineEntry, HotlinePolicy(HotlineEntry))
register_snippet(HotlineViewSet)


@hooks.register("register_admin_urls")
def register_publicity_urls():
    urls = [path("<int:page_id>/import/", PublicityImportView.as_view(), name="import")]
    return [path("publicity-lists/", include((urls, "publicity_lists")))]
