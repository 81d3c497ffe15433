"""The marketplace's back office in the Wagtail admin.

* 待审核需求 (``/admin/review/``): caseworkers review the needs intake held, edit the public
  texts, approve (then the k-anonymity ladder) or reject.
* 表格导入需求 (``/admin/import-needs/``): caseworkers import needs from an .xlsx file, after a
  dry-run preview. The file lives only in memory for one request (see ``SpreadsheetImportView``).
* Source systems and regional policy overrides: model viewsets for administrators.

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.models import Department, User
from accounts.permissions import is_administrator, may_review_needs
from accounts.roles import Role
from core.backoffice import AdminPage, menu_item_for
from core.errors import RefusalRedirectMixin
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code
from marketplace.needs.choices import LowIncomeCategory
from marketplace.needs.forms import (
    NeedRejectForm,
    NeedReviewForm,
    PolicyOverrideForm,
    SourceSystemCreateForm,
    SourceSystemForm,
    SpreadsheetUploadForm,
)
from marketplace.needs.models import PolicyOverride, SourceSystem
from marketplace.needs.placement import SUPPRESSED_LEVEL
from marketplace.needs.selectors import need_review_queue
from marketplace.needs.services.intake import Outcome as IntakeOutcome
from marketplace.needs.services.review import (
    describe_hold_reasons,
    need_review_approve,
    need_review_reject,
    place_messages,
    residual_warnings,
)
from marketplace.needs.services.sources import KEY_SCHEME, source_system_create, source_system_rotate_key
from marketplace.needs.services.status import needs_import
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

ROTATE_KEY_ACTION = "needs.rotate_key"
SEX_LABELS = {"male": gettext_lazy("Male"), "female": gettext_lazy("Female")}


class AdministratorPolicy(BasePermissionPolicy):
    """Administrators (and superusers) may do ``actions`` on the model; nobody else may.

    Roles are groups without model permissions (accounts.roles), so Wagtail's default
    permission policy would let only superusers in.
    """

    def __init__(self, model, *, actions=("add", "change")):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_administrator(user)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR), is_active=True
        ).distinct()


class ReviewerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_review_needs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- the review queue --------------------------------------------------------------------------


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
        suppressed = need.generalization_level >= SUPPRESSED_LEVEL
        context.update(
            need=need,
            review_form=review_form,
            reject_form=reject_form or NeedRejectForm(),
            reasons=describe_hold_reasons(need.hold_reasons),
            warnings=residual_warnings(title, summary),
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
            suppressed=suppressed,
            explanation=(need.policy or {}).get("explanation", ""),
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
    if outcome.level == 0:
        where = _("at county level")
    elif outcome.level < SUPPRESSED_LEVEL:
        where = _("at city level")
    else:
        where = _("at city level without age, sex and household size")
    message = _("Need %(code)s is published %(where)s.") % {"code": code, "where": where}
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


# --- spreadsheet import ------------------------------------------------------------------------


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


# --- source systems ----------------------------------------------------------------------------


def _key_response(request, *, system: SourceSystem, key: str, rotated: bool) -> TemplateResponse:
    """The one page that ever shows a key: rendered directly, never stored or cached."""
    response = TemplateResponse(
        request,
        "needs/admin/source_system_key.html",
        {
            "system": system,
            "api_key": key,
            "rotated": rotated,
            "scheme": KEY_SCHEME,
            "index_url": reverse("needs_sourcesystem:index"),
            "edit_url": reverse("needs_sourcesystem:edit", args=[system.pk]),
            "page_title": _("API key of %(name)s") % {"name": system.name},
            "header_icon": "key",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("needs_sourcesystem:index"), "label": _("Source systems")},
                {"url": "", "label": system.name},
            ],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


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


@method_decorator(never_cache, name="dispatch")
class SourceSystemRotateKeyView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "needs/admin/source_system_rotate.html"
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        self.system = get_object_or_404(SourceSystem, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Rotate the API key of %(name)s") % {"name": self.system.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("needs_sourcesystem:index"), "label": _("Source systems")},
            {
                "url": reverse("needs_sourcesystem:edit", args=[self.system.pk]),
                "label": self.system.name,
            },
            {"url": "", "label": _("Rotate API key")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["system"] = self.system
        context["edit_url"] = reverse("needs_sourcesystem:edit", args=[self.system.pk])
        return context

    def post(self, request, *args, **kwargs):
        key = source_system_rotate_key(source_system=self.system)
        log(instance=self.system, action=ROTATE_KEY_ACTION, user=request.user)
        return _key_response(request, system=self.system, key=key, rotated=True)


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
