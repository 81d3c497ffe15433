"""The notices' Atom feed at /notices/feed/ (and one per notice type: ?type=policy)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cms.models.notices import NoticeListing, NoticeType

FEED_ITEMS = 30


class NoticeFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, index=None):
        notice_type = request.GET.get("type", "")
        self.notice_type = notice_type if notice_type in NoticeType.values else ""
        self.request = request
        return index

    def title(self, index):
        if self.notice_type:
            return f"{index.title} · {NoticeType(self.notice_type).label}"
        return index.title

    def link(self, index):
        return index.url

    def subtitle(self, index):
        return index.intro or _("Policy documents, interpretations, publicity notices and work news.")

    def items(self, index):
        return NoticeListing(index, notice_type=self.notice_type).latest(FEED_ITEMS)

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return " ".join(item["body"].split())[:300]

    def item_link(self, item):
        return item["url"]

    def item_guid(self, item):
        return self.request.build_absolute_uri(item["url"])

    def item_pubdate(self, item):
        day = datetime.fromisoformat(item["date"]).date()
        return timezone.make_aware(datetime.combine(day, time(9)))

    def item_updateddate(self, item):
        return getattr(item["page"], "last_published_at", None) or self.item_pubdate(item)

    def item_categories(self, item):
        return [item["notice_type_label"], item["region_name"]]
