"""待审核需求 (``/admin/review/``): caseworkers review the needs intake held, edit the public
texts, approve (then the k-anonymity ladder) or reject.

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.models import Department
from accounts.permissions import may_review_needs
from core.backoffice import AdminPage, menu_item_for
from core.errors import RefusalRedirectMixin
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code
from marketplace.needs.admin.common import ReviewerRequiredMixin
from marketplace.needs.choices import LowIncomeCategory
from marketplace.needs.filters import region_index
from marketplace.needs.forms import NeedRejectForm, NeedReviewForm
from marketplace.needs.placement import FINEST, PLACE, TOP, WIDE, Node
from marketplace.needs.policy import explain
from marketplace.needs.selectors import need_review_queue
from marketplace.needs.serializers import PublicNeedSerializer
from marketplace.needs.services.kanon import generalized_attributes, publish_at
from marketplace.needs.services.review import (
    describe_hold_reasons,
    need_review_approve,
    need_review_reject,
    place_messages,
    residual_warnings,
)

SEX_LABELS = {"male": gettext_lazy("Male"), "female": gettext_lazy("Female")}


class ReviewQueueView(AdminPage):
    check = staticmethod(may_review_needs)
    template_name = "needs/admin/review_queue.html"
    page_title = gettext_lazy("Needs to review")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.paginate(need_review_queue(user=self.request.user).select_related("region"))
        context.update(
            listing,
            rows=[
                {"need": need, "reasons": describe_hold_reasons(need.hold_reasons)}
                for need in listing["page_obj"]
            ],
        )
        return context


def _sex_label(code: str) -> str:
    return str(SEX_LABELS.get(code, code))


# What an approval may publish a held need at, from the most precise to the most generalized.
PREVIEW_NODES: tuple[Node, ...] = (FINEST, (1, 0, 0, 0, 0, 0), TOP[WIDE])


def _node_label(node: Node) -> str:
    if node == FINEST:
        return _("at county level")
    if node == TOP[WIDE]:
        return _("at city level, with age, sex and household size withheld")
    return _("at city level")


def public_previews(need, *, title: str, summary: str) -> dict:
    """What the public will read of ``need`` with these texts, built as the public pages build
    it (``PublicNeedSerializer``): the title at the places and generalizations an approval may
    publish it at (the same title everywhere when its own is kept), and the summary."""
    county_cities = region_index().county_cities
    titles: dict[str, list[str]] = {}
    summary_shown = ""
    for node in PREVIEW_NODES:
        draft = copy.copy(need)
        draft.title, draft.summary = title, summary
        publish_at(draft, node, county_cities)
        shown = PublicNeedSerializer(draft).data
        titles.setdefault(shown["title"], []).append(_node_label(node))
        summary_shown = shown["summary"]
    return {
        "titles": [{"title": shown, "levels": levels} for shown, levels in titles.items()],
        "summary": summary_shown,
        "one_title": len(titles) == 1,
    }


class NeedReviewView(RefusalRedirectMixin, ReviewerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """One held need: its redacted draft, the edit-and-approve form and the reject form."""

    template_name = "needs/admin/review_need.html"
    header_icon = "tasks"
    # A need another reviewer decided meanwhile (NeedTransitionRefused): back to the queue.
    refusal_url = "needs_review:index"

    @cached_property
    def need(self):
        # Scoped by the selector: another region's need is simply not found (404).
        needs = need_review_queue(user=self.request.user).select_related(
            "region", "public_region", "source_system"
        )
        return get_object_or_404(needs, code=self.kwargs["code"])

    def get_page_title(self):
        return _("Review need %(code)s") % {"code": self.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("needs_review:index"), "label": _("Needs to review")},
            {"url": "", "label": self.need.code},
        ]

    def get_context_data(self, *, review_form=None, reject_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.need
        review_form = review_form or NeedReviewForm(initial={"title": need.title, "summary": need.summary})
        title = review_form["title"].value() or ""
        summary = review_form["summary"].value() or ""
        context.update(
            need=need,
            review_form=review_form,
            reject_form=reject_form or NeedRejectForm(),
            reasons=describe_hold_reasons(need.hold_reasons),
            warnings=residual_warnings(title, summary),
            preview=public_previews(need, title=title, summary=summary),
            # Approval refuses these; shown before the caseworker tries.
            blocking=list(dict.fromkeys(place_messages(title) + place_messages(summary))),
            categories=[
                str(LowIncomeCategory(code).label)
                for code in need.categories
                if code in LowIncomeCategory.values
            ],
            department=Department(need.department).label
            if need.department in Department.values
            else need.department,
            sex=_sex_label(need.sex),
            explanation=explain(need.policy or {}),
            transitions=need.transitions.select_related("actor", "source_system").order_by(
                "created_at", "pk"
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        need = self.need
        action = request.POST.get("action")
        if action == "reject":
            return self._reject(need)
        if action == "approve":
            return self._approve(need)
        if action == "preview":
            # The edited texts, shown as the public would read them; nothing is saved.
            return self.render_to_response(self.get_context_data(review_form=NeedReviewForm(request.POST)))
        return self.get(request, *args, **kwargs)

    def _approve(self, need):
        form = NeedReviewForm(self.request.POST)
        if form.is_valid():
            try:
                outcome = need_review_approve(
                    need=need,
                    actor=self.request.user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                for warning in outcome.warnings:
                    messages.warning(self.request, warning)
                messages.success(self.request, _approval_message(outcome))
                return redirect("needs_review:index")
        return self.render_to_response(self.get_context_data(review_form=form))

    def _reject(self, need):
        form = NeedRejectForm(self.request.POST)
        if form.is_valid():
            try:
                need_review_reject(need=need, actor=self.request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(self.request, _("Need %(code)s was rejected.") % {"code": need.code})
                return redirect("needs_review:index")
        return self.render_to_response(self.get_context_data(reject_form=form))


def _approval_message(outcome) -> str:
    code = outcome.need.code
    if not outcome.published:
        return _(
            "Need %(code)s is approved. Too few similar needs exist to publish it without singling "
            "out the household; it will be published automatically when enough similar needs arrive."
        ) % {"code": code}
    where = _("at county level") if outcome.level[PLACE] == 0 else _("at city level")
    message = _("Need %(code)s is published %(where)s.") % {"code": code, "where": where}
    generalized = generalized_attributes(outcome.level)
    if generalized:
        message += " " + _("Shown more broadly (k-anonymity): %(attributes)s.") % {
            "attributes": _(", ").join(generalized)
        }
    if outcome.cohort:
        count = len(outcome.cohort)
        message += " " + ngettext(
            "%(count)d waiting similar need was published with it.",
            "%(count)d waiting similar needs were published with it.",
            count,
        ) % {"count": count}
    return message


class ReviewViewSet(ViewSet):
    name = "needs_review"
    url_prefix = "review"
    icon = "tasks"
    menu_label = gettext_lazy("Needs to review")
    menu_name = "needs-to-review"
    menu_order = 150
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_review_needs)

    def get_urlpatterns(self):
        return [
            path("", ReviewQueueView.as_view(), name="index"),
            path("<need_code:code>/", NeedReviewView.as_view(), name="need"),
        ]
