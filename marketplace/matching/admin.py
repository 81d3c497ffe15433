"""Back office of matching (Wagtail admin), registered in ``wagtail_hooks``.

* 分配建议 (``/admin/allocation/``): the caseworker picks a region in their scope, computes a
  proposal (``services.allocation``), reviews its lines and turns the chosen ones into claim
  invitations; the page says what the allocation cannot do. ``need/<code>/``: the open offers
  ranked for one need, each score with its parts in words.
* 法定救助项目 (``/admin/statutory-programmes/``): the statutory programmes per region and need
  type (education, housing, employment), kept by civil affairs; medical needs use the policy
  engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from accounts.permissions import may_allocate, may_edit_statutory_programmes
from accounts.roles import Role
from accounts.scoping import scope_queryset, user_may_act
from core.backoffice import AdminPage, menu_item_for
from core.errors import DomainError
from marketplace.matching.forms import RegionChoiceForm, StatutoryProgrammeForm
from marketplace.matching.models import AllocationProposal, StatutoryProgramme
from marketplace.matching.scoring import recommend_offers
from marketplace.matching.selectors import latest_proposal, offers_open, volunteers_available_for
from marketplace.matching.services.allocation import allocation_invite, allocation_propose, proposal_lines
from marketplace.matching.statutory import statutory_statuses
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code
from marketplace.needs.models import Need
from marketplace.needs.selectors import need_for_caseworker
from regions.models import Region

STATUTORY_ROLES = (Role.CASEWORKER, Role.DEPARTMENT_HANDLER)


class _AllocationPage(AdminPage):
    check = staticmethod(may_allocate)


class AllocationView(_AllocationPage):
    template_name = "matching/admin/allocation.html"
    page_title = gettext_lazy("Allocation proposals")
    header_icon = "resubmit"

    def _region(self, code: str | None) -> Region | None:
        user = self.request.user
        code = code or getattr(user, "region_id", None) or "420000"
        region = Region.objects.filter(code=code).first()
        if region is None or not user_may_act(user, region_code=region.code, roles=[Role.CASEWORKER]):
            return None
        return region

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self._region(self.request.GET.get("region"))
        proposal = latest_proposal(region_code=region.code) if region else None
        context.update(
            region=region,
            form=RegionChoiceForm(initial={"region": region.code if region else ""}),
            proposal=proposal,
            lines=list(proposal_lines(proposal=proposal)) if proposal else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        region = self._region(request.POST.get("region"))
        if region is None:
            raise Http404
        back = reverse("matching_allocation:index") + f"?region={region.code}"
        try:
            if request.POST.get("action") == "invite":
                proposal = AllocationProposal.objects.filter(
                    pk=request.POST.get("proposal"), region=region
                ).first()
                if proposal is None:
                    raise Http404
                count = allocation_invite(
                    proposal=proposal, line_ids=request.POST.getlist("line"), actor=request.user
                )
                messages.success(request, _("%(n)d invitations sent to the organizations.") % {"n": count})
            else:
                proposal = allocation_propose(region=region, actor=request.user)
                messages.success(
                    request,
                    _(
                        "Proposal computed: %(n)d lines, urgency-weighted gap covered %(value).2f "
                        "(greedy: %(greedy).2f)."
                    )
                    % {
                        "n": proposal.lines.count(),
                        "value": proposal.objective,
                        "greedy": proposal.greedy_objective,
                    },
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(back)


class NeedOffersView(_AllocationPage):
    template_name = "matching/admin/need_offers.html"
    header_icon = "resubmit"

    @cached_property
    def need(self) -> Need:
        try:
            return need_for_caseworker(user=self.request.user, code=self.kwargs["code"])
        except Need.DoesNotExist:
            raise Http404 from None

    def get_page_title(self):
        return _("Offers for need %(code)s") % {"code": self.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("matching_allocation:index"), "label": _("Allocation proposals")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.need
        context.update(
            need=need,
            statutory=statutory_statuses([need]).get(need.pk),
            recommendations=recommend_offers(need, offers_open())[:50],
            volunteers=volunteers_available_for(need=need),
        )
        return context


class StatutoryView(AdminPage):
    check = staticmethod(may_edit_statutory_programmes)
    template_name = "matching/admin/statutory.html"
    page_title = gettext_lazy("Statutory programmes")
    header_icon = "doc-full"

    def rows(self):
        return scope_queryset(
            StatutoryProgramme.objects.select_related("region", "updated_by"),
            self.request.user,
            roles=STATUTORY_ROLES,
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = self.rows().filter(pk=self.request.GET.get("edit") or 0).first()
        context.update(
            rows=list(self.rows()), form=form or StatutoryProgrammeForm(instance=editing), editing=editing
        )
        return context

    def post(self, request, *args, **kwargs):
        editing = self.rows().filter(pk=request.POST.get("pk") or 0).first()
        form = StatutoryProgrammeForm(request.POST, instance=editing)
        if form.is_valid():
            region = form.cleaned_data["region"]
            if not user_may_act(request.user, region_code=region.code, roles=STATUTORY_ROLES):
                raise PermissionDenied
            row = form.save(commit=False)
            row.updated_by = request.user
            row.save()
            messages.success(request, _("Statutory programme saved."))
            return redirect("matching_statutory:index")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AllocationViewSet(ViewSet):
    name = "matching_allocation"
    url_prefix = "allocation"
    icon = "resubmit"
    menu_label = gettext_lazy("Allocation proposals")
    menu_name = "allocation-proposals"

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_allocate)

    def get_urlpatterns(self):
        return [
            path("", AllocationView.as_view(), name="index"),
            path("need/<need_code:code>/", NeedOffersView.as_view(), name="need"),
        ]


class StatutoryViewSet(ViewSet):
    name = "matching_statutory"
    url_prefix = "statutory-programmes"
    icon = "doc-full"
    menu_label = gettext_lazy("Statutory programmes")
    menu_name = "statutory-programmes"

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_edit_statutory_programmes)

    def get_urlpatterns(self):
        return [path("", StatutoryView.as_view(), name="index")]


class MatchingGroup(ViewSetGroup):
    menu_label = gettext_lazy("Supply and need")
    menu_icon = "resubmit"
    menu_name = "supply-and-need"
    menu_order = 159
    items = (AllocationViewSet, StatutoryViewSet)
