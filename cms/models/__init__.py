"""Wagtail pages of the public site, one module per kind of page."""

from cms.models.home import HomePage
from cms.models.hotline import HotlineEntry, HotlinePage
from cms.models.notices import NoticeIndexPage, NoticePage, NoticeSectionPage, NoticeType
from cms.models.policy import PolicyRulesPage

__all__ = [
    "HomePage",
    "HotlineEntry",
    "HotlinePage",
    "NoticeIndexPage",
    "NoticePage",
    "NoticeSectionPage",
    "NoticeType",
    "PolicyRulesPage",
]

from cms.models.editorial import NoticeGroup, RegionApprovalTask

__all__ += ["NoticeGroup", "RegionApprovalTask"]
