"""The frame of the portal's own back-office pages in the Wagtail admin."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


def _nobody(user) -> bool:
    return False


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """A back-office page for the users ``check`` admits (anyone else gets 403), with its
    breadcrumb and, for listings, ``paginate``."""

    check = staticmethod(_nobody)
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not self.check(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def paginate(self, items) -> dict:
        """The context of one page of ``items`` (``?p=``) for Wagtail's pagination include."""
        paginator = Paginator(items, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("p"))
        return {
            "page_obj": page,
            "paginator": paginator,
            "elided_page_range": paginator.get_elided_page_range(page.number),
        }


def menu_item_for(check) -> type[MenuItem]:
    """A menu item class shown only to the users ``check`` admits (the page's own check)."""
    return type("PortalMenuItem", (MenuItem,), {"is_shown": lambda self, request: check(request.user)})
