from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import audit

        audit.connect()


class PortalUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the portal's region and department fields on its forms."""

    user_viewset = "accounts.viewsets.UserViewSet"
