"""Wagtail pages of the public site, one module per kind of page."""

from cms.models.editorial import NoticeGroup, RegionApprovalTask
from cms.models.home import HomePage
from cms.models.hotline import HotlineEntry, HotlinePage
from cms.models.notices import NoticeIndexPage, NoticePage, NoticeSectionPage, NoticeType
from cms.models.policy import PolicyRulesPage
from cms.models.publicity import Programme, PublicityListPage, PublicityListRow

__all__ = [
    "HomePage",
    "HotlineEntry",
    "HotlinePage",
    "NoticeGroup",
    "NoticeIndexPage",
    "NoticePage",
    "NoticeSectionPage",
    "NoticeType",
    "PolicyRulesPage",
    "Programme",
    "PublicityListPage",
    "PublicityListRow",
    "RegionApprovalTask",
]
