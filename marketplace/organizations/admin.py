"""Back office of organizations (慈善组织审核), registered as Wagtail hooks on import.

* ``/admin/organizations/``: the organizations of the caseworker's region, by status (pending
  first). Scoped by the selector: another region's organization is simply not found (404).
* ``/admin/organizations/<pk>/``: the registration data, the history, the members, and the
  decisions the status table allows (verify, reject, suspend, reinstate).
* ``/admin/organizations/<pk>/certificate/``: the certificate file, served only here, after
  the same scope check, never cached; each read is written to the access log of sensitive reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import may_review_organizations
from core.backoffice import AdminPage, menu_item_for
from core.errors import RefusalRedirectMixin
from marketplace.needs.choices import NeedType
from marketplace.organizations.forms import StatusChangeForm, add_service_errors, with_labels
from marketplace.organizations.models import OrganizationStatus
from marketplace.organizations.selectors import (
    organization_members,
    organization_review_list,
    organization_transitions,
    region_names,
)
from marketplace.organizations.services.registration import (
    CERTIFICATE_CONTENT_TYPES,
    certificate_kind,
    uscc_warnings,
)
from marketplace.organizations.services.verification import (
    REASON_REQUIRED,
    TRANSITIONS,
    organization_set_status,
)
from privacy.access import record_read
from privacy.models import SensitiveKind

STATUS_FILTERS = ["pending", "verified", "suspended", "rejected", "all"]
# The buttons a caseworker sees for each move the table allows.
ACTION_FOR_MOVE = {
    (OrganizationStatus.PENDING, OrganizationStatus.VERIFIED): "verify",
    (OrganizationStatus.PENDING, OrganizationStatus.REJECTED): "reject",
    (OrganizationStatus.VERIFIED, OrganizationStatus.SUSPENDED): "suspend",
    (OrganizationStatus.SUSPENDED, OrganizationStatus.VERIFIED): "reinstate",
}
ACTION_LABELS = {
    "verify": gettext_lazy("Verify"),
    "reject": gettext_lazy("Reject"),
    "suspend": gettext_lazy("Suspend"),
    "reinstate": gettext_lazy("Reinstate"),
}
DONE_MESSAGES = {
    "verify": gettext_lazy("%(name)s is verified and appears in the public directory."),
    "reject": gettext_lazy("The registration of %(name)s was rejected."),
    "suspend": gettext_lazy("%(name)s is suspended and no longer appears in the public directory."),
    "reinstate": gettext_lazy("%(name)s is verified again."),
}


class OrganizationListView(AdminPage):
    check = staticmethod(may_review_organizations)
    template_name = "organizations/admin/list.html"
    page_title = gettext_lazy("Organizations")
    header_icon = "group"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", OrganizationStatus.PENDING)
        if status not in STATUS_FILTERS:
            status = OrganizationStatus.PENDING
        organizations = organization_review_list(
            user=self.request.user, status=None if status == "all" else status
        )
        labels = dict(OrganizationStatus.choices)
        context.update(
            self.paginate(organizations),
            status=status,
            tabs=[
                {"value": value, "label": labels.get(value, _("All statuses")), "current": value == status}
                for value in STATUS_FILTERS
            ],
        )
        return context


class OrganizationScopedMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_review_organizations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def organization(self):
        return get_object_or_404(organization_review_list(user=self.request.user), pk=self.kwargs["pk"])


class OrganizationDetailView(
    RefusalRedirectMixin, OrganizationScopedMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "organizations/admin/detail.html"
    header_icon = "group"

    def get_refusal_url(self) -> str:
        # A move another caseworker made meanwhile (OrganizationTransitionRefused): the page again.
        return reverse("organizations_admin:detail", args=[self.kwargs["pk"]])

    def get_page_title(self):
        return self.organization.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("organizations_admin:index"), "label": _("Organizations")},
            {"url": "", "label": self.organization.name},
        ]

    def get_context_data(self, *, failed_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.organization
        actions = []
        # The move forward first (verify, reinstate), then the ones that need a reason.
        for to_status in sorted(
            TRANSITIONS[organization.status], key=lambda status: status in REASON_REQUIRED
        ):
            action = ACTION_FOR_MOVE[(organization.status, to_status)]
            form = failed_form if failed_form is not None and failed_form.prefix == action else None
            actions.append(
                {
                    "action": action,
                    "label": ACTION_LABELS[action],
                    "needs_reason": to_status in REASON_REQUIRED,
                    "form": form or StatusChangeForm(prefix=action),
                }
            )
        names = region_names([*organization.service_regions])
        context.update(
            organization=organization,
            service_regions=[names.get(code, code) for code in organization.service_regions],
            need_types=[NeedType(code).label for code in organization.need_types if code in NeedType.values],
            transitions=organization_transitions(organization=organization),
            members=with_labels(organization_members(organization=organization)),
            actions=actions,
            warnings=uscc_warnings(kind=organization.kind, uscc=organization.uscc),
            certificate_url=reverse("organizations_admin:certificate", args=[organization.pk])
            if organization.certificate
            else "",
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in StatusChangeForm.ACTIONS:
            raise Http404
        form = StatusChangeForm(request.POST, prefix=action)
        if form.is_valid():
            try:
                organization_set_status(
                    organization=self.organization,
                    to_status=StatusChangeForm.ACTIONS[action],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(DONE_MESSAGES[action]) % {"name": self.organization.name})
                return redirect("organizations_admin:detail", pk=self.organization.pk)
        context = self.get_context_data(failed_form=form)
        return self.render_to_response(context, status=400)


class CertificateView(OrganizationScopedMixin, View):
    """The certificate file, to caseworkers of the organization's region only."""

    def get(self, request, *args, **kwargs):
        organization = self.organization
        if not organization.certificate:
            raise Http404
        try:
            handle = organization.certificate.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        kind = certificate_kind(handle.read(16))
        handle.seek(0)
        if kind is None:  # never serve anything but what the upload check accepted
            handle.close()
            raise PermissionDenied
        record_read(request, kind=SensitiveKind.CERTIFICATE, reference=f"organization {organization.pk}")
        response = FileResponse(
            handle,
            content_type=CERTIFICATE_CONTENT_TYPES[kind],
            as_attachment=False,
            filename=f"certificate-{organization.uscc}.{kind}",
        )
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class OrganizationViewSet(ViewSet):
    name = "organizations_admin"
    url_prefix = "organizations"
    icon = "group"
    menu_label = gettext_lazy("Organizations")
    menu_name = "organizations"
    menu_order = 170
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_review_organizations)

    def get_urlpatterns(self):
        return [
            path("", OrganizationListView.as_view(), name="index"),
            path("<int:pk>/", OrganizationDetailView.as_view(), name="detail"),
            path("<int:pk>/certificate/", CertificateView.as_view(), name="certificate"),
        ]
