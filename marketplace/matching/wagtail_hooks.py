"""Matching in the Wagtail admin: allocation proposals, offers for a need, statutory programmes."""

from wagtail import hooks

from marketplace.matching.admin import MatchingGroup


@hooks.register("register_admin_viewset")
def register_matching_viewsets():
    return MatchingGroup()
