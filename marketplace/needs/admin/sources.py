"""Source systems (their API keys shown once, rotated on request) and regional policy
overrides: model viewsets for administrators.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from accounts.backoffice import AdministratorRecordView, key_shown_once
from marketplace.needs.forms import PolicyOverrideForm, SourceSystemCreateForm, SourceSystemForm
from marketplace.needs.models import PolicyOverride, SourceSystem
from marketplace.needs.services.sources import KEY_SCHEME, source_system_create, source_system_rotate_key

ROTATE_KEY_ACTION = "needs.rotate_key"


# --- source systems ----------------------------------------------------------------------------


def _key_response(request, *, system: SourceSystem, key: str, rotated: bool) -> TemplateResponse:
    return key_shown_once(
        request,
        template="needs/admin/source_system_key.html",
        record=system,
        key=key,
        viewset="needs_sourcesystem",
        index_label=_("Source systems"),
        title=_("API key of %(name)s") % {"name": system.name},
        system=system,
        rotated=rotated,
        scheme=KEY_SCHEME,
        edit_url=reverse("needs_sourcesystem:edit", args=[system.pk]),
    )


class SourceSystemCreateView(generic.CreateView):
    """Creation goes through ``source_system_create``; the new key is shown once, in the response."""

    def save_instance(self):
        data = self.form.cleaned_data
        system, self.api_key = source_system_create(
            name=data["name"],
            department=data["department"],
            region_code=data["region"].code,
            webhook_url=data.get("webhook_url") or "",
        )
        log(instance=system, action="wagtail.create", user=self.request.user)
        return system

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_action(self):
        return _key_response(self.request, system=self.object, key=self.api_key, rotated=False)


class SourceSystemEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        buttons.append(
            Button(
                _("Rotate API key"),
                url=reverse("needs_sourcesystem:rotate_key", args=[self.object.pk]),
                icon_name="key",
                priority=5,
            )
        )
        return buttons


class SourceSystemRotateKeyView(AdministratorRecordView):
    template_name = "needs/admin/source_system_rotate.html"
    model = SourceSystem
    viewset = "needs_sourcesystem"
    index_label = gettext_lazy("Source systems")
    action_label = gettext_lazy("Rotate API key")

    def get_page_title(self):
        return _("Rotate the API key of %(name)s") % {"name": self.record.name}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "system": self.record}

    def post(self, request, *args, **kwargs):
        key = source_system_rotate_key(source_system=self.record)
        log(instance=self.record, action=ROTATE_KEY_ACTION, user=request.user)
        return _key_response(request, system=self.record, key=key, rotated=True)


class SourceSystemViewSet(ModelViewSet):
    model = SourceSystem
    name = "needs_sourcesystem"
    url_prefix = "source-systems"
    icon = "link-external"
    menu_label = gettext_lazy("Source systems")
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = [
        "name",
        "department",
        "region",
        "key_prefix",
        BooleanColumn("is_active", label=gettext_lazy("Active")),
        "created_at",
    ]
    list_filter = ["department", "is_active"]
    search_fields = ["name"]
    add_view_class = SourceSystemCreateView
    edit_view_class = SourceSystemEditView

    def get_form_class(self, for_update=False):
        return SourceSystemForm if for_update else SourceSystemCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("rotate-key/<int:pk>/", SourceSystemRotateKeyView.as_view(), name="rotate_key"),
        ]


# --- regional policy overrides -----------------------------------------------------------------


class PolicyOverrideViewSet(ModelViewSet):
    model = PolicyOverride
    name = "needs_policyoverride"
    url_prefix = "policy-overrides"
    icon = "doc-full"
    menu_label = gettext_lazy("Regional policy overrides")
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = ["region", "label", "effective_from", "effective_to", "annual_cap"]
    form_class = PolicyOverrideForm

    def get_form_class(self, for_update=False):
        return PolicyOverrideForm
