"""导入公示名单 (``/admin/publicity-lists/<id>/import/``): staff upload the programme's export
for a list; it is masked in memory and, when every row masks, replaces the rows of the list's
draft. The page shows the import summary (rows imported, columns dropped and ignored, refused
rows by number); staff then preview and publish the list as any page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.models.publicity import PublicityListPage
from cms.publicity.masking import mask_table
from cms.publicity.services import ListRefused, publicity_list_rows_replace
from cms.publicity.spreadsheet import MAX_ROWS, MAX_UPLOAD_BYTES, read_table
from core.spreadsheets import SpreadsheetError
from core.uploads import InMemoryUploadForm, InMemoryUploadHandler


class PublicityUploadForm(InMemoryUploadForm):
    file = forms.FileField(
        label=gettext_lazy("Recipient list (.xlsx or .csv)"),
        help_text=gettext_lazy("As exported by the programme's system; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@method_decorator(csrf_exempt, name="dispatch")  # CSRF is checked below, after the handler is set
@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class PublicityImportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/admin/publicity_import.html"
    page_title = gettext_lazy("Import a publicity list")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        self.upload_handler = InMemoryUploadHandler(request, max_bytes=MAX_UPLOAD_BYTES)
        request.upload_handlers = [self.upload_handler]
        self.page = get_object_or_404(PublicityListPage, pk=kwargs["page_id"])
        if not self.page.permissions_for_user(request.user).can_edit():
            return permission_denied(request)
        checked = csrf_protect(lambda req, *a, **kw: super(PublicityImportView, self).dispatch(req, *a, **kw))
        return checked(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PublicityUploadForm())
        context["page"] = self.page
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        context["max_rows"] = f"{MAX_ROWS:,}"
        return context

    @method_decorator(sensitive_variables())
    def post(self, request, *args, **kwargs):
        form = PublicityUploadForm(request.POST, request.FILES, too_large=self.upload_handler.too_large)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            masked = mask_table(read_table(form.cleaned_data["file"].read()))
        except SpreadsheetError as exc:
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        context = {"summary": masked.summary(), "refusals": [str(refusal) for refusal in masked.refusals]}
        try:
            publicity_list_rows_replace(page=self.page, masked=masked, user=request.user)
        except ListRefused as refused:
            form.add_error("file", refused.message if not masked.refusals else _("No row was imported."))
            return self.render_to_response(self.get_context_data(form=form, **context))
        messages.success(
            request,
            _("%(n)d rows imported and masked into a draft. Check the summary and the preview, then publish.")
            % {"n": len(masked.rows)},
        )
        return self.render_to_response(self.get_context_data(imported=True, **context))
