"""表格导入需求 (``/admin/import-needs/``): caseworkers import needs from an .xlsx file, after a
dry-run preview; the previewed file is kept encrypted until confirmed (see ``SpreadsheetImportView``).

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
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
from core.uploads import InMemoryUploadHandler
from marketplace.needs.admin.common import ReviewerRequiredMixin
from marketplace.needs.forms import SpreadsheetConfirmForm, SpreadsheetUploadForm
from marketplace.needs.services.import_previews import (
    ImportPreviewGone,
    import_preview_discard,
    import_preview_open,
    import_preview_store,
)
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
    """Upload → dry-run preview → confirm → import, the file uploaded once.

    The preview runs intake and rolls it back, then keeps the file encrypted on the server for
    its uploader (``services.import_previews``); the confirm button sends only its reference.
    The upload itself never touches the disk in clear (``InMemoryUploadHandler``).
    """

    template_name = "needs/admin/import.html"
    page_title = gettext_lazy("Import needs from a spreadsheet")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        # Must happen before anything reads request.POST, hence csrf_exempt + csrf_protect.
        self.upload_handler = InMemoryUploadHandler(request, max_bytes=MAX_UPLOAD_BYTES)
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
        context["preview_minutes"] = getattr(settings, "IMPORT_PREVIEW_MINUTES", 30)
        return context

    def post(self, request, *args, **kwargs):
        if "reference" in request.POST:
            return self._confirm(request)
        return self._preview(request)

    def _default_region(self) -> str:
        user = self.request.user
        return user.region_id if user.region and user.region.level == RegionLevel.COUNTY else ""

    @method_decorator(sensitive_variables())
    def _preview(self, request):
        form = SpreadsheetUploadForm(request.POST, request.FILES, too_large=self.upload_handler.too_large)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = read_rows(data, default_region_code=self._default_region())
        except SpreadsheetError as exc:
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        context = self._run(request, rows, dry_run=True)
        if context is None:
            return self.render_to_response(self.get_context_data(form=form))
        if context["ok_count"]:
            preview = import_preview_store(user=request.user, data=data, filename=upload.name)
            context["confirm_form"] = SpreadsheetConfirmForm(initial={"reference": preview.reference})
            context["filename"] = preview.filename
        return self.render_to_response(self.get_context_data(**context))

    @method_decorator(sensitive_variables())
    def _confirm(self, request):
        form = SpreadsheetConfirmForm(request.POST)
        try:
            if not form.is_valid():
                raise ImportPreviewGone
            reference = form.cleaned_data["reference"]
            data, filename = import_preview_open(user=request.user, reference=reference)
            rows = read_rows(data, default_region_code=self._default_region())
        except (ImportPreviewGone, SpreadsheetError):
            messages.error(
                request,
                _(
                    "That preview is no longer kept (it was imported, or more than %(minutes)d minutes "
                    "passed), so nothing was imported. Upload the file again to see a new preview."
                )
                % {"minutes": getattr(settings, "IMPORT_PREVIEW_MINUTES", 30)},
            )
            return self.render_to_response(self.get_context_data())
        context = self._run(request, rows, dry_run=False)
        if context is None:
            return self.render_to_response(self.get_context_data())
        import_preview_discard(user=request.user, reference=reference)
        context["filename"] = filename
        messages.success(
            request,
            _("%(count)d of %(total)d rows were imported.")
            % {"count": context["ok_count"], "total": context["total"]},
        )
        return self.render_to_response(self.get_context_data(**context))

    def _run(self, request, rows, *, dry_run: bool) -> dict | None:
        """Run the rows through intake (rolled back for a preview); the report, or ``None`` when
        the user may not import (the message is shown)."""
        try:
            results = needs_import(user=request.user, records=[row.record for row in rows], dry_run=dry_run)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not import needs."))
            return None
        report = [
            {
                "number": row.number,
                "source_ref": result.source_ref,
                "ok": result.status != IntakeOutcome.REJECTED,
                "status": STATUS_LABELS[(dry_run, result.status)],
                "need_code": "" if dry_run else result.need_code,
                "held": result.status == IntakeOutcome.HELD,
                "errors": column_errors(result.errors, row.record),
                "note": result.note,
            }
            for row, result in zip(rows, results, strict=True)
        ]
        ok = sum(1 for line in report if line["ok"])
        return {
            "report": report,
            "dry_run": dry_run,
            "ok_count": ok,
            "error_count": len(report) - ok,
            "total": len(report),
            "review_url": reverse("needs_review:index"),
        }


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
