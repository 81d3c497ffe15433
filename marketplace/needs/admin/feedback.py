"""Back-office view of feedback delivery (registered as Wagtail hooks on import).

* 待送达反馈 (``/admin/feedback/``): administrators see the outbox events not yet delivered to
  a source system's webhook (kind, need, attempts, last error, next attempt) and can retry
  one, or all of them, at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import is_administrator
from core.backoffice import AdminPage, menu_item_for
from core.queue import enqueue
from marketplace.needs.services.feedback_dispatch import (
    SWEEP_BATCH,
    feedback_retry_now,
    feedback_undelivered,
)


def _enqueue(event_id: int) -> None:
    from marketplace.needs.tasks import dispatch_feedback_event

    # With the broker down the page still answers: the events are due now and the sweep sends them.
    enqueue(dispatch_feedback_event, event_id)


@method_decorator(never_cache, name="dispatch")
class FeedbackOutboxView(AdminPage):
    check = staticmethod(is_administrator)
    template_name = "needs/admin/feedback_events.html"
    page_title = gettext_lazy("Undelivered feedback")
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.paginate(feedback_undelivered())
        context.update(listing, events=list(listing["page_obj"]))
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "retry_all":
            ids = list(feedback_undelivered().values_list("pk", flat=True)[:SWEEP_BATCH])
        else:
            ids = [int(value) for value in request.POST.getlist("event") if value.isdigit()]
        count = feedback_retry_now(event_ids=ids, enqueue=_enqueue)
        messages.success(
            request,
            ngettext(
                "%(count)d event will be sent again now.",
                "%(count)d events will be sent again now.",
                count,
            )
            % {"count": count},
        )
        return redirect("needs_feedback:index")


class FeedbackOutboxViewSet(ViewSet):
    name = "needs_feedback"
    url_prefix = "feedback"
    icon = "mail"
    menu_label = gettext_lazy("Undelivered feedback")
    menu_name = "undelivered-feedback"
    menu_order = 170
    add_to_settings_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(is_administrator)

    def get_urlpatterns(self):
        return [path("", FeedbackOutboxView.as_view(), name="index")]
