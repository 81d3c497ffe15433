"""Wagtail pages of the public site, one module per kind of page."""

from cms.models.home import HomePage
from cms.models.publicity import Programme, PublicityListPage, PublicityListRow

__all__ = ["HomePage", "Programme", "PublicityListPage", "PublicityListRow"]
