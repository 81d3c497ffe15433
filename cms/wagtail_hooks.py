"""The public notices in the Wagtail admin: the publicity lists' import page."""

from __future__ import annotations

from django.urls import include, path
from wagtail import hooks

from cms.publicity.admin import PublicityImportView


@hooks.register("register_admin_urls")
def register_publicity_urls():
    urls = [path("<int:page_id>/import/", PublicityImportView.as_view(), name="import")]
    return [path("publicity-lists/", include((urls, "publicity_lists")))]
