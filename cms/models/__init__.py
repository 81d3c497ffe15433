"""Wagtail pages of the public site, one module per kind of page."""

from cms.models.home import HomePage

__all__ = ["HomePage"]
