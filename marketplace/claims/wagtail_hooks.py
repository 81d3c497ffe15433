"""The claims in the Wagtail admin: transfer requests escalated to the caseworkers, and the
household situation reports of claim holders."""

from wagtail import hooks

from marketplace.claims.admin import ClaimTransfersViewSet, SituationReportsViewSet


@hooks.register("register_admin_viewset")
def register_claim_viewsets():
    return [ClaimTransfersViewSet(), SituationReportsViewSet()]
