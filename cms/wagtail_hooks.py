"""The notices in the back office: the hotline directory (by region), the editorial audit."""

from __future__ import annotations

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.hotline_admin import HotlinePolicy, HotlineViewSet
from cms.models import HotlineEntry

# Before the viewset is registered, or Wagtail falls back to model permissions, which the
# portal's roles do not carry (see marketplace/needs/wagtail_hooks.py).
register_permission_policy(HotlineEntry, HotlinePolicy(HotlineEntry))
register_snippet(HotlineViewSet)
