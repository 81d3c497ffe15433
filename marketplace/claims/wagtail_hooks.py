"""The claims in the Wagtail admin: transfer requests escalated to the caseworkers."""

from wagtail import hooks

from marketplace.claims.admin import ClaimTransfersViewSet


@hooks.register("register_admin_viewset")
def register_claim_viewsets():
    return [ClaimTransfersViewSet()]
