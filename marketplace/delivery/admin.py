"""Back office of delivery and the assistance chain (Wagtail admin), registered on import.

* 待核实交付 (``/admin/deliveries/``): the caseworker's queue of reported deliveries in their
  region, with the evidence; verify, or dispute with a note.
* 救助链与预警 (a submenu):
  * 该户救助链 (``/admin/assistance-chain/``): a household's chain, by need code or token —
    need codes, types, amounts, providers, dates; never identity. Link to it from any
    back-office page of a need: ``{% url 'delivery_chain:need' need.code %}``.
  * 重复救助预警 (``/admin/duplicate-aid/``): open duplicate-aid alerts, resolved by the caseworker.
  * 过期需求 (``/admin/expired-needs/``): needs that expired with a gap left, with a CSV download.

Views parse input, call one selector or service, and render; scoping happens in the selectors,
so another region's object is simply not found (404).
"""

from __future__ import annotations

import contextlib
import csv
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from accounts.models import Department
from accounts.permissions import may_see_chain, may_see_expired_needs, may_verify_deliveries
from core.backoffice import AdminPage, menu_item_for
from core.errors import RefusalRedirectMixin
from core.formatting import need_amount_unit, spreadsheet_safe
from marketplace.delivery.models import DeliveryStatus
from marketplace.delivery.selectors import delivery_queue, expired_needs_report
from marketplace.delivery.services.chain import (
    chain_need,
    duplicate_alert_resolve,
    duplicate_alerts,
    household_chain,
    household_needs,
)
from marketplace.delivery.services.verification import delivery_dispute, delivery_verify
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code
from marketplace.needs.choices import NeedType
from marketplace.needs.models import Need
from privacy.access import record_read
from privacy.models import SensitiveKind

EXPIRED_DEFAULT_DAYS = 30
CENT = Decimal("0.01")


# --- who may use what --------------------------------------------------------------------------


class _RequiresMixin:
    check = staticmethod(may_verify_deliveries)

    def dispatch(self, request, *args, **kwargs):
        if not self.check(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _AdminPage(AdminPage):
    check = staticmethod(may_verify_deliveries)


def _label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


# --- 待核实交付: the caseworker's delivery queue ---------------------------------------------------

STATUS_TABS = [
    (DeliveryStatus.REPORTED, gettext_lazy("To verify")),
    (DeliveryStatus.VERIFIED, DeliveryStatus.VERIFIED.label),
    (DeliveryStatus.DISPUTED, gettext_lazy("Disputed")),
]


class DeliveryQueueView(_AdminPage):
    template_name = "delivery/admin/queue.html"
    page_title = gettext_lazy("Deliveries to verify")
    header_icon = "tasks"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", DeliveryStatus.REPORTED)
        if status not in DeliveryStatus.values:
            status = DeliveryStatus.REPORTED
        listing = self.paginate(delivery_queue(user=self.request.user, status=status))
        context.update(
            listing,
            status=status,
            tabs=[
                {"status": code, "label": label, "url": f"?status={code}", "current": code == status}
                for code, label in STATUS_TABS
            ],
            deliveries=listing["page_obj"].object_list,
        )
        return context


class DeliveryDetailView(RefusalRedirectMixin, _AdminPage):
    """One delivery: the claim, the need's figures, the evidence, and the two decisions."""

    template_name = "delivery/admin/detail.html"
    header_icon = "tasks"
    refusal_url = "delivery_verification:index"

    @cached_property
    def delivery(self):
        return get_object_or_404(delivery_queue(user=self.request.user, status=None), pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("Delivery on need %(code)s") % {"code": self.delivery.claim.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("delivery_verification:index"), "label": _("Deliveries to verify")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, *, errors=None, note="", **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = self.delivery
        claim = delivery.claim
        context.update(
            delivery=delivery,
            claim=claim,
            need=claim.need,
            evidence=list(delivery.evidence.all()),
            other_deliveries=claim.deliveries.exclude(pk=delivery.pk).order_by("-created_at"),
            errors=errors or [],
            note=note,
            is_open=delivery.status == DeliveryStatus.REPORTED,
        )
        return context

    def post(self, request, *args, **kwargs):
        delivery = self.delivery
        action = request.POST.get("action")
        note = request.POST.get("note", "")
        try:
            if action == "verify":
                delivery_verify(delivery=delivery, actor=request.user, note=note)
                messages.success(request, _("The delivery was verified."))
            elif action == "dispute":
                delivery_dispute(delivery=delivery, actor=request.user, note=note)
                messages.warning(request, _("The delivery was disputed; the claimant was told why."))
            else:
                return redirect("delivery_verification:detail", pk=delivery.pk)
        except ValidationError as refused:
            return self.render_to_response(self.get_context_data(errors=refused.messages, note=note))
        return redirect("delivery_verification:index")


class DeliveryViewSet(ViewSet):
    name = "delivery_verification"
    url_prefix = "deliveries"
    icon = "tasks"
    menu_label = gettext_lazy("Deliveries to verify")
    menu_name = "deliveries-to-verify"
    menu_order = 155
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_verify_deliveries)

    def get_urlpatterns(self):
        return [
            path("", DeliveryQueueView.as_view(), name="index"),
            path("<int:pk>/", DeliveryDetailView.as_view(), name="detail"),
        ]


# --- 该户救助链: the assistance chain ---------------------------------------------------------------


class ChainSearchView(_AdminPage):
    """Find a household's chain by one of its need codes or by its token."""

    check = staticmethod(may_see_chain)
    template_name = "delivery/admin/chain.html"
    page_title = gettext_lazy("Assistance chain")
    header_icon = "list-ul"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        if query:
            # A need code goes to that need's chain; anything else is looked up as a token below.
            with contextlib.suppress(Need.DoesNotExist):
                need = chain_need(user=request.user, code=query.upper())
                return redirect("delivery_chain:need", code=need.code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        records = household_chain(user=self.request.user, household_token=query) if query else []
        needs = household_needs(user=self.request.user, household_token=query) if query else []
        if records or needs:
            record_read(self.request, kind=SensitiveKind.ASSISTANCE_CHAIN, reference=f"household {query}")
        context.update(
            query=query,
            searched=bool(query),
            found=bool(query) and (bool(records) or bool(needs)),
            records=records,
            needs=needs,
            token=query,
        )
        return context


class ChainView(_AdminPage):
    """The chain of the household of one need (reached from the need's back-office pages)."""

    check = staticmethod(may_see_chain)
    template_name = "delivery/admin/chain.html"
    header_icon = "list-ul"

    @cached_property
    def need(self):
        try:
            return chain_need(user=self.request.user, code=self.kwargs["code"])
        except Need.DoesNotExist:
            raise Http404 from None

    def get_page_title(self):
        return _("Assistance chain of the household of need %(code)s") % {"code": self.need.code}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("delivery_chain:index"), "label": _("Assistance chain")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = self.need.household_token
        record_read(self.request, kind=SensitiveKind.ASSISTANCE_CHAIN, reference=f"need {self.need.code}")
        context.update(
            need=self.need,
            query="",
            searched=True,
            found=True,
            records=household_chain(user=self.request.user, household_token=token),
            needs=household_needs(user=self.request.user, household_token=token),
            token=token,
        )
        return context


class ChainViewSet(ViewSet):
    name = "delivery_chain"
    url_prefix = "assistance-chain"
    icon = "list-ul"
    menu_label = gettext_lazy("Assistance chain")
    menu_name = "assistance-chain"

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_see_chain)

    def get_urlpatterns(self):
        return [
            path("", ChainSearchView.as_view(), name="index"),
            path("need/<need_code:code>/", ChainView.as_view(), name="need"),
        ]


# --- 重复救助预警: duplicate-aid alerts -------------------------------------------------------------


class DuplicateAlertsView(_AdminPage):
    template_name = "delivery/admin/duplicates.html"
    page_title = gettext_lazy("Duplicate-aid alerts")
    header_icon = "warning"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resolved = self.request.GET.get("resolved") == "1"
        listing = self.paginate(duplicate_alerts(user=self.request.user, resolved=resolved))
        context.update(
            listing,
            resolved=resolved,
            alerts=[
                {"alert": alert, "need_type": _label(NeedType, alert.need_type)}
                for alert in listing["page_obj"].object_list
            ],
        )
        return context


class DuplicateAlertResolveView(_RequiresMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        alert = get_object_or_404(duplicate_alerts(user=request.user, resolved=False), pk=pk)
        duplicate_alert_resolve(alert=alert, actor=request.user)
        messages.success(request, _("The alert on need %(code)s is resolved.") % {"code": alert.need.code})
        return redirect("delivery_duplicates:index")


class DuplicateAlertViewSet(ViewSet):
    name = "delivery_duplicates"
    url_prefix = "duplicate-aid"
    icon = "warning"
    menu_label = gettext_lazy("Duplicate-aid alerts")
    menu_name = "duplicate-aid"

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_verify_deliveries)

    def get_urlpatterns(self):
        return [
            path("", DuplicateAlertsView.as_view(), name="index"),
            path("<int:pk>/resolve/", DuplicateAlertResolveView.as_view(), name="resolve"),
        ]


# --- 过期需求: the expiry report --------------------------------------------------------------------


class ExpiredNeedsView(_AdminPage):
    check = staticmethod(may_see_expired_needs)
    template_name = "delivery/admin/expired.html"
    page_title = gettext_lazy("Expired needs")
    header_icon = "time"
    paginate_by = 50

    @cached_property
    def since(self) -> date:
        parsed = None
        try:
            parsed = parse_date(self.request.GET.get("since", ""))
        except ValueError:
            parsed = None
        return parsed or timezone.localdate() - timedelta(days=EXPIRED_DEFAULT_DAYS)

    def needs(self):
        return expired_needs_report(user=self.request.user, since=self.since)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self._csv()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.paginate(self.needs())
        context.update(
            listing,
            since=self.since,
            rows=[_expired_row(need) for need in listing["page_obj"].object_list],
            csv_url=f"?since={self.since.isoformat()}&format=csv",
        )
        return context

    def _csv(self) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, f"expired-needs-since-{self.since.isoformat()}.csv"
        )
        response.write("\ufeff")  # so that spreadsheet programs read the Chinese as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Need"),
                _("County code"),
                _("County"),
                _("Need type"),
                _("Department"),
                _("Needed by"),
                _("Expired"),
                _("Charity target"),
                _("Claimed"),
                _("Verified as delivered"),
                _("Gap left"),
                _("Unit"),
            ]
        )
        for need in self.needs().iterator():
            row = _expired_row(need)
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        need.code,
                        need.region_id,
                        need.region.name,
                        row["need_type"],
                        row["department"],
                        need.needed_by.isoformat(),
                        timezone.localtime(need.expired_at).strftime("%Y-%m-%d %H:%M")
                        if need.expired_at
                        else "",
                        need.target_amount,
                        need.claimed_amount,
                        need.verified_amount,
                        row["gap"],
                        row["unit"],
                    )
                ]
            )
        return response


def _expired_row(need: Need) -> dict:
    unit = need_amount_unit(need)
    return {
        "need": need,
        "need_type": _label(NeedType, need.need_type),
        "department": _label(Department, need.department),
        "unit": unit,
        # Computed in SQL: SQLite returns it without its two decimal places.
        "gap": Decimal(need.gap).quantize(CENT),
    }


class ExpiredNeedsViewSet(ViewSet):
    name = "delivery_expired"
    url_prefix = "expired-needs"
    icon = "time"
    menu_label = gettext_lazy("Expired needs")
    menu_name = "expired-needs"

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_see_expired_needs)

    def get_urlpatterns(self):
        return [path("", ExpiredNeedsView.as_view(), name="index")]


class ChainAndAlertsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Assistance chain and alerts")
    menu_icon = "list-ul"
    menu_name = "assistance-chain-and-alerts"
    menu_order = 158
    items = (ChainViewSet, DuplicateAlertViewSet, ExpiredNeedsViewSet)
