"""The notices in the back office: the hotline directory (by region), the publicity lists' import
page, and no copying of a publicity list."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.hotline_admin import HotlinePolicy, HotlineViewSet
from cms.models import HotlineEntry, PublicityListPage
from cms.publicity.admin import PublicityImportView

# Before the viewset is registered, or Wagtail falls back to model permissions, which the
# portal's roles do not carry (see marketplace/needs/wagtail_hooks.py).
register_permission_policy(HotlineEntry, HotlinePolicy(HotlineEntry))
register_snippet(HotlineViewSet)


@hooks.register("register_admin_urls")
def register_publicity_urls():
    urls = [path("<int:page_id>/import/", PublicityImportView.as_view(), name="import")]
    return [path("publicity-lists/", include((urls, "publicity_lists")))]


@hooks.register("before_copy_page")
def publicity_lists_are_imported_not_copied(request, page):
    """A publicity list is the masked import of one spreadsheet for one period: the next list is
    imported, never copied from an earlier one (whose recipients and period it would repeat).
    Wagtail's copy also fails on a list whose newer import is still a draft (its rows are not
    saved yet, and the copy cannot map them)."""
    if page.specific_class is not PublicityListPage:
        return None
    refusal = _("A publicity list cannot be copied: import the new list's spreadsheet instead.")
    messages.error(request, refusal)
    return redirect("wagtailadmin_explore", page.get_parent().pk)
