"""Open311 API keys in the back office, for administrators (``/admin/open311-keys/``).

Issuing a key shows it once, on the answer page (never stored, never cached: only its hash is
kept, as by ``manage.py create_open311_key``); the list shows each client's name, key prefix,
state, creation and last use; revoking stops a key at once. A key is revoked, never deleted,
so the change log keeps who issued and who stopped it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from accounts.backoffice import AdministratorRecordView, key_shown_once
from supervision.open311.keys import open311_key_create, open311_key_revoke
from supervision.open311.models import Open311Key

REVOKE_KEY_ACTION = "open311.revoke_key"


class Open311KeyForm(WagtailAdminModelForm):
    """The client's name: the key itself is made by the service, never typed."""

    class Meta:
        model = Open311Key
        fields = ["name"]
        help_texts = {
            "name": gettext_lazy("Who uses the key, e.g. 武汉市12345热线 (the city's hotline system).")
        }


def _key_response(request, *, record: Open311Key, key: str) -> TemplateResponse:
    return key_shown_once(
        request,
        template="open311/admin/key_issued.html",
        record=record,
        key=key,
        viewset="open311_keys",
        index_label=_("Open311 API keys"),
        title=_("Open311 API key of %(name)s") % {"name": record.name},
    )


class Open311KeyCreateView(generic.CreateView):
    """Issuing goes through ``open311_key_create``; the new key is shown once, in the response."""

    def save_instance(self):
        record, self.api_key = open311_key_create(name=self.form.cleaned_data["name"])
        log(instance=record, action="wagtail.create", user=self.request.user)
        return record

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_action(self):
        return _key_response(self.request, record=self.object, key=self.api_key)


def _revoke_url(record: Open311Key) -> str:
    return reverse("open311_keys:revoke", args=[record.pk])


class Open311KeyIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.is_active:
            buttons.append(Button(_("Revoke"), url=_revoke_url(instance), icon_name="cross", priority=50))
        return buttons


class Open311KeyEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.object.is_active:
            buttons.append(
                Button(_("Revoke the key"), url=_revoke_url(self.object), icon_name="cross", priority=5)
            )
        return buttons


class Open311KeyRevokeView(AdministratorRecordView):
    """Asks first (GET), then stops the key at once (POST)."""

    template_name = "open311/admin/key_revoke.html"
    model = Open311Key
    viewset = "open311_keys"
    index_label = gettext_lazy("Open311 API keys")
    action_label = gettext_lazy("Revoke")

    def get_page_title(self):
        return _("Revoke the Open311 API key of %(name)s") % {"name": self.record.name}

    def post(self, request, *args, **kwargs):
        if not self.record.is_active:
            messages.warning(
                request, _("The key of %(name)s was already revoked.") % {"name": self.record.name}
            )
            return redirect("open311_keys:index")
        record = open311_key_revoke(name=self.record.name)
        log(instance=record, action=REVOKE_KEY_ACTION, user=request.user)
        messages.success(
            request,
            _("The key of %(name)s (%(prefix)s…) was revoked: it stopped working at once.")
            % {"name": record.name, "prefix": record.key_prefix},
        )
        return redirect("open311_keys:index")


class Open311KeyViewSet(ModelViewSet):
    model = Open311Key
    name = "open311_keys"
    url_prefix = "open311-keys"
    icon = "key"
    menu_label = gettext_lazy("Open311 API keys")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        "key_prefix",
        BooleanColumn("is_active", label=gettext_lazy("Active")),
        "created_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    index_view_class = Open311KeyIndexView
    add_view_class = Open311KeyCreateView
    edit_view_class = Open311KeyEditView

    def get_form_class(self, for_update=False):
        return Open311KeyForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", Open311KeyRevokeView.as_view(), name="revoke"),
        ]
