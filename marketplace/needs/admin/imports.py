"""表格导入需求 (``/admin/import-needs/``): caseworkers import needs from an .xlsx file, after a
dry-run preview. The file lives only in memory for one request (see ``SpreadsheetImportView``).

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import may_review_needs
from core.backoffice import menu_item_for
from marketplace.needs.admin.common import ReviewerRequiredMixin
from marketplace.needs.forms import SpreadsheetUploadForm
from marketplace.needs.services.imports import needs_import
from marketplace.needs.services.intake import Outcome as IntakeOutcome
from marketplace.needs.spreadsheet import (
    COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    TEMPLATE_FILENAME,
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    build_template,
    column_errors,
    read_rows,
)
from regions.models import RegionLevel


class InMemoryUploadHandler(FileUploadHandler):
    """Keeps uploads in memory up to ``max_bytes`` in all, never in a temporary file.

    Django's default handlers write uploads over 2.5 MB to a temporary file; a spreadsheet of
    needs holds names and ID numbers, which must never reach the disk. A larger upload is
    dropped (``too_large``) and the form says so.
    """

    def __init__(self, request=None, *, max_bytes: int = MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False
        self.file = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            self.file.close()
            self.file = BytesIO()  # the parser closes it after skipping
            raise SkipFile()
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.file is None or self.too_large:
            return None
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


STATUS_LABELS = {
    # (dry run, outcome) → what the row will do or did
    (True, IntakeOutcome.CREATED): gettext_lazy("OK: will be created"),
    (True, IntakeOutcome.UPDATED): gettext_lazy("OK: will update the need imported before"),
    (True, IntakeOutcome.UNCHANGED): gettext_lazy("OK: already imported, unchanged"),
    (True, IntakeOutcome.HELD): gettext_lazy("OK: will wait for review"),
    (True, IntakeOutcome.REJECTED): gettext_lazy("Error"),
    (False, IntakeOutcome.CREATED): gettext_lazy("Imported"),
    (False, IntakeOutcome.UPDATED): gettext_lazy("Updated"),
    (False, IntakeOutcome.UNCHANGED): gettext_lazy("Unchanged"),
    (False, IntakeOutcome.HELD): gettext_lazy("Imported, waiting for review"),
    (False, IntakeOutcome.REJECTED): gettext_lazy("Not imported"),
}


@method_decorator(csrf_exempt, name="dispatch")  # CSRF is checked below, after the handler is set
@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class SpreadsheetImportView(ReviewerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → dry-run preview → the same file again → import.

    Why the file is uploaded twice: between the preview and the import the rows would have to
    be kept somewhere (session, cache, a temporary file), and they hold names and ID numbers,
    which the portal never stores. So the file lives only in this request's memory: the preview
    runs intake and rolls it back; the confirm form asks for the same file again and imports it
    if its SHA-256 matches the previewed one, otherwise it previews the new file instead.
    """

    template_name = "needs/admin/import.html"
    page_title = gettext_lazy("Import needs from a spreadsheet")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        # Must happen before anything reads request.POST, hence csrf_exempt + csrf_protect.
        self.upload_handler = InMemoryUploadHandler(request)
        request.upload_handlers = [self.upload_handler]
        checked = csrf_protect(
            lambda req, *a, **kw: super(SpreadsheetImportView, self).dispatch(req, *a, **kw)
        )
        return checked(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", SpreadsheetUploadForm())
        context["template_url"] = reverse("needs_spreadsheet:template")
        context["max_rows"] = f"{MAX_ROWS:,}"
        context["columns"] = COLUMNS
        return context

    @method_decorator(sensitive_variables())
    def post(self, request, *args, **kwargs):
        form = SpreadsheetUploadForm(request.POST, request.FILES, too_large=self.upload_handler.too_large)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data["file"].read()
        digest = hashlib.sha256(data).hexdigest()
        user = request.user
        default_region = user.region_id if user.region and user.region.level == RegionLevel.COUNTY else ""
        try:
            rows = read_rows(data, default_region_code=default_region)
        except SpreadsheetError as exc:
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        del data
        confirmed = form.cleaned_data["confirm"]
        same_file = confirmed and form.cleaned_data["digest"] == digest
        if confirmed and not same_file:
            messages.warning(
                request,
                _("This is not the file you previewed, so nothing was imported. Check its preview below."),
            )
        try:
            results = needs_import(user=user, records=[row.record for row in rows], dry_run=not same_file)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not import needs."))
            return self.render_to_response(self.get_context_data(form=form))
        report = [
            {
                "number": row.number,
                "source_ref": result.source_ref,
                "ok": result.status != IntakeOutcome.REJECTED,
                "status": STATUS_LABELS[(not same_file, result.status)],
                "need_code": result.need_code if same_file else "",
                "held": result.status == IntakeOutcome.HELD,
                "errors": column_errors(result.errors, row.record),
                "note": result.note,
            }
            for row, result in zip(rows, results, strict=True)
        ]
        del rows
        ok = sum(1 for line in report if line["ok"])
        context = {
            "report": report,
            "dry_run": not same_file,
            "ok_count": ok,
            "error_count": len(report) - ok,
            "total": len(report),
            "review_url": reverse("needs_review:index"),
        }
        if not same_file:
            context["form"] = SpreadsheetUploadForm(initial={"confirm": True, "digest": digest})
        else:
            context["form"] = SpreadsheetUploadForm()
            messages.success(
                request,
                _("%(count)d of %(total)d rows were imported.") % {"count": ok, "total": len(report)},
            )
        return self.render_to_response(self.get_context_data(**context))


class SpreadsheetTemplateView(ReviewerRequiredMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_FILENAME)
        return response


class ImportViewSet(ViewSet):
    name = "needs_spreadsheet"
    url_prefix = "import-needs"
    icon = "table"
    menu_label = gettext_lazy("Import needs from a spreadsheet")
    menu_name = "import-needs"
    menu_order = 160
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_review_needs)

    def get_urlpatterns(self):
        return [
            path("", SpreadsheetImportView.as_view(), name="index"),
            path("template.xlsx", SpreadsheetTemplateView.as_view(), name="template"),
        ]
