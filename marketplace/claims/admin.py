"""Back-office views of claims (registered as Wagtail hooks on import).

* 待裁定的认领转让 (``/admin/claim-transfers/``): transfer requests the holder did not answer in
  time, for the caseworkers of the need's county to grant or refuse.
* 家庭状况变化 (``/admin/situation-reports/``): what claim holders saw change in a household, for
  the caseworkers of the need's county to follow up and mark handled.

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import may_decide_transfers, may_handle_situation_reports
from core.errors import RefusalRedirectMixin
from marketplace.claims.models import SituationReportStatus
from marketplace.claims.selectors import situation_reports_for, transfers_escalated_for
from marketplace.claims.services.claims import MAX_NOTE, claim_status_label, holder_label
from marketplace.claims.services.situation import situation_handle
from marketplace.claims.services.transfers import transfer_decide


class TransferDecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you refuse. Both organizations see it."),
    )


class DeciderRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_decide_transfers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _row(transfer) -> dict:
    claim = transfer.claim
    return {"transfer": transfer, "claim": claim, "need": claim.need, "holder": holder_label(claim)}


class EscalatedTransfersView(DeciderRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "claims/admin/transfers.html"
    page_title = gettext_lazy("Transfers to decide")
    header_icon = "resubmit"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            _row(transfer) for transfer in transfers_escalated_for(user=self.request.user)[:200]
        ]
        return context


class TransferDecisionView(
    RefusalRedirectMixin, DeciderRequiredMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "claims/admin/transfer.html"
    header_icon = "resubmit"
    refusal_url = "claims_transfers:index"

    @cached_property
    def transfer(self):
        # Scoped by the selector: another region's request is simply not found (404).
        return get_object_or_404(transfers_escalated_for(user=self.request.user), pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("Transfer on need %(code)s") % {"code": self.transfer.claim.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("claims_transfers:index"), "label": _("Transfers to decide")},
            {"url": "", "label": self.transfer.claim.need.code},
        ]

    def get_context_data(self, *, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_row(self.transfer))
        context["form"] = form or TransferDecisionForm()
        return context

    def post(self, request, *args, **kwargs):
        form = TransferDecisionForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid() and action in ("grant", "refuse"):
            try:
                transfer_decide(
                    transfer=self.transfer,
                    actor=request.user,
                    grant=action == "grant",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    form.add_error("note", errors)
            else:
                if action == "grant":
                    messages.success(
                        request,
                        _("The claim was handed over to %(org)s.") % {"org": self.transfer.requested_by.name},
                    )
                else:
                    messages.success(request, _("The transfer was refused; the holder keeps the claim."))
                return redirect("claims_transfers:index")
        return self.render_to_response(self.get_context_data(form=form))


class ClaimTransfersViewSet(ViewSet):
    name = "claims_transfers"
    url_prefix = "claim-transfers"
    icon = "resubmit"
    menu_label = gettext_lazy("Transfers to decide")
    menu_name = "claim-transfers"
    menu_order = 170
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class DeciderMenuItem(MenuItem):
            def is_shown(self, request):
                return may_decide_transfers(request.user)

        return DeciderMenuItem

    def get_urlpatterns(self):
        return [
            path("", EscalatedTransfersView.as_view(), name="index"),
            path("<int:pk>/", TransferDecisionView.as_view(), name="decide"),
        ]


# --- household situation reports ----------------------------------------------------------------


class SituationHandleForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "E.g. re-assessed the household on 5 March; referred to medical assistance; no change needed. "
            "The holder of the claim sees it."
        ),
    )


class SituationHandlerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_handle_situation_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SituationReportsView(SituationHandlerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "claims/admin/situations.html"
    page_title = gettext_lazy("Household situation reports")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["open_reports"] = list(
            situation_reports_for(user=user, status=SituationReportStatus.OPEN)[:200]
        )
        context["handled_reports"] = list(
            situation_reports_for(user=user, status=SituationReportStatus.HANDLED)[:20]
        )
        return context


class SituationReportView(
    RefusalRedirectMixin, SituationHandlerRequiredMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "claims/admin/situation.html"
    header_icon = "warning"
    refusal_url = "claims_situations:index"

    @cached_property
    def report(self):
        # Scoped by the selector: another region's report is simply not found (404).
        return get_object_or_404(situation_reports_for(user=self.request.user), pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("Situation report on need %(code)s") % {"code": self.report.claim.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("claims_situations:index"), "label": _("Household situation reports")},
            {"url": "", "label": self.report.claim.need.code},
        ]

    def get_context_data(self, *, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        context.update(
            {
                "report": report,
                "claim": report.claim,
                "need": report.claim.need,
                "holder": holder_label(report.claim),
                "claim_status": claim_status_label(report.claim.status),
            }
        )
        context["form"] = form or SituationHandleForm()
        return context

    def post(self, request, *args, **kwargs):
        form = SituationHandleForm(request.POST)
        if form.is_valid():
            try:
                situation_handle(report=self.report, actor=request.user, outcome=form.cleaned_data["outcome"])
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    form.add_error("outcome", errors)
            else:
                messages.success(request, _("The report is marked handled."))
                return redirect("claims_situations:index")
        return self.render_to_response(self.get_context_data(form=form))


class SituationReportsViewSet(ViewSet):
    name = "claims_situations"
    url_prefix = "situation-reports"
    icon = "warning"
    menu_label = gettext_lazy("Household situation reports")
    menu_name = "situation-reports"
    menu_order = 175
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class HandlerMenuItem(MenuItem):
            def is_shown(self, request):
                return may_handle_situation_reports(request.user)

        return HandlerMenuItem

    def get_urlpatterns(self):
        return [
            path("", SituationReportsView.as_view(), name="index"),
            path("<int:pk>/", SituationReportView.as_view(), name="detail"),
        ]
