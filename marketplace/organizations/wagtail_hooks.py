"""Organizations in the Wagtail admin: the verification queue and each organization's file."""

from wagtail import hooks

from marketplace.organizations.admin import OrganizationViewSet


@hooks.register("register_admin_viewset")
def register_organization_viewset():
    return OrganizationViewSet()
