"""The frame of the portal's own back-office pages in the Wagtail admin, and the dashboard's
queue panels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
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


# --- the dashboard's queues --------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCount:
    waiting: int
    overdue: int


def overdue_before(now: datetime | None = None) -> datetime:
    """Items waiting since before this moment are overdue (``QUEUE_OVERDUE_DAYS``)."""
    return (now or timezone.now()) - timedelta(days=settings.QUEUE_OVERDUE_DAYS)


def queue_count(queryset: QuerySet, *, waiting_since: str) -> QueueCount:
    """How many rows ``queryset`` holds and how many of them have waited, since the moment in
    the field ``waiting_since``, longer than ``QUEUE_OVERDUE_DAYS``: one query."""
    counts = queryset.order_by().aggregate(
        waiting=Count("pk"),
        overdue=Count("pk", filter=Q(**{f"{waiting_since}__lt": overdue_before()})),
    )
    return QueueCount(waiting=counts["waiting"], overdue=counts["overdue"])


class QueuePanel(Component):
    """A dashboard card for one queue (registered by the app that owns it, in its
    ``wagtail_hooks.py``, through ``construct_homepage_panels``): how many items wait, linked to
    the list when the user may open it, and, for ``show_overdue``, how many waited too long.
    ``count`` runs when the dashboard is drawn, one query."""

    template_name = "includes/queue_panel.html"

    def __init__(
        self,
        *,
        name: str,
        order: int,
        heading: str,
        help_text: str,
        count: Callable[[], QueueCount],
        url: str = "",
        show_overdue: bool = False,
        overdue_label: str = "",
    ):
        self.name = name
        self.order = order
        self.heading = heading
        self.help_text = help_text
        self.count = count
        self.url = url
        self.show_overdue = show_overdue
        # Said before the overdue count instead of "waiting more than N days", for a queue
        # whose items carry their own due dates (``count`` then counts those past them).
        self.overdue_label = overdue_label

    def get_context_data(self, parent_context):
        return {
            "panel": self,
            "counts": self.count(),
            "overdue_days": settings.QUEUE_OVERDUE_DAYS,
        }
