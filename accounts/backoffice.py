"""Back office, for administrators: the access log of sensitive reads (敏感数据访问记录) and the
change log (变更记录).

``/admin/sensitive-reads/`` lists who read which evidence file, certificate or assistance
chain, when and from which address, newest first, filtered by kind and by username.
``/admin/change-log/`` lists who changed a user, a role, a scope, a source system or a policy
override, when, from which address and field by field (``accounts.audit``), filtered by what
was changed and by username.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.audit import MASK
from accounts.models import User
from accounts.permissions import is_administrator
from accounts.roles import Role
from core.backoffice import AdminPage, menu_item_for
from privacy.models import SensitiveKind, SensitiveRead


@method_decorator(never_cache, name="dispatch")
class AdministratorRecordView(WagtailAdminTemplateMixin, TemplateView):
    """A back-office page where an administrator acts on one record of a viewset (rotate a
    source system's key, revoke an Open311 key): asks first (GET), acts on POST. Anyone else
    gets 403; the record (with a ``name``) is ``self.record``; the breadcrumbs lead through the
    viewset's index and the record's edit page, and the context has ``record``, ``index_url``
    and ``edit_url``. Set ``model``, ``viewset`` (its URL name prefix), ``index_label`` and
    ``action_label``."""

    model: type[models.Model]
    viewset: str
    index_label = ""
    action_label = ""
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        self.record = get_object_or_404(self.model, pk=kwargs["pk"])
        self.index_url = reverse(f"{self.viewset}:index")
        self.edit_url = reverse(f"{self.viewset}:edit", args=[self.record.pk])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url, "label": self.index_label},
            {"url": self.edit_url, "label": self.record.name},
            {"url": "", "label": self.action_label},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(record=self.record, index_url=self.index_url, edit_url=self.edit_url)
        return context


def key_shown_once(
    request, *, template: str, record, key: str, viewset: str, index_label, title: str, **context
):
    """The one page that ever shows a new API key (``templates/backoffice/key_shown_once.html``
    extended by ``template``): rendered in the response, never stored or cached. Its breadcrumbs
    lead through the viewset's index (``viewset``: its URL name prefix) to the record's name."""
    index_url = reverse(f"{viewset}:index")
    response = TemplateResponse(
        request,
        template,
        {
            **context,
            "record": record,
            "api_key": key,
            "index_url": index_url,
            "page_title": title,
            "header_icon": "key",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
                {"url": index_url, "label": index_label},
                {"url": "", "label": record.name},
            ],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


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


@method_decorator(never_cache, name="dispatch")
class SensitiveReadsView(AdminPage):
    check = staticmethod(is_administrator)
    template_name = "accounts/admin/sensitive_reads.html"
    page_title = gettext_lazy("Sensitive reads")
    header_icon = "view"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = SensitiveRead.objects.all()
        kind = self.request.GET.get("kind", "")
        if kind in SensitiveKind.values:
            entries = entries.filter(kind=kind)
        username = self.request.GET.get("user", "").strip()
        if username:
            entries = entries.filter(username=username)
        listing = self.paginate(entries)
        context.update(
            listing,
            entries=list(listing["page_obj"]),
            kinds=SensitiveKind.choices,
            kind=kind,
            username=username,
        )
        return context


class SensitiveReadsViewSet(ViewSet):
    name = "accounts_sensitive_reads"
    url_prefix = "sensitive-reads"
    icon = "view"
    menu_label = gettext_lazy("Sensitive reads")
    menu_name = "sensitive-reads"
    menu_order = 180
    add_to_settings_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(is_administrator)

    def get_urlpatterns(self):
        return [path("", SensitiveReadsView.as_view(), name="index")]


# --- the change log ----------------------------------------------------------------------------

ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("Created the record"),
    LogEntry.Action.UPDATE: gettext_lazy("Changed the record"),
    LogEntry.Action.DELETE: gettext_lazy("Deleted the record"),
}
M2M_OPERATIONS = {"add": gettext_lazy("added"), "delete": gettext_lazy("removed")}
# Fields whose own name is missing or says less than it should here.
FIELD_LABELS = {"key_hash": gettext_lazy("API key (hash)"), "groups": gettext_lazy("Roles")}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str = ""
    after: str = ""
    operation: str = ""  # for roles and permissions: added / removed, with ``after`` listing them


_REVERSE = object()  # a reverse relation: auditlog notes them on creation, with no value


def _field(model, name: str):
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None
    if field is not None and not (field.concrete or field.many_to_many):
        return _REVERSE
    return field


def _shown(value, field, related: dict) -> str:
    if value is None or value == "None" or value == "":
        return "—"
    if value == MASK:
        return str(gettext_lazy("(hidden)"))
    if isinstance(value, bool):
        return str(gettext_lazy("Yes") if value else gettext_lazy("No"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.many_to_one:
        name = related.get((field.related_model, str(value)))
        if not name:
            return str(value)
        return name if str(value) in name else f"{name} ({value})"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        # Stored as naive UTC; shown in the portal's time zone like the entry's own time.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _role(name: str) -> str:
    return str(Role(name).label) if name in Role.values else name


def describe_changes(entry: LogEntry, related: dict) -> list[FieldChange]:
    """The entry's changes, field by field, in the field's own words (verbose name, choice labels)."""
    model = entry.content_type.model_class()
    changes = []
    for name, values in (entry.changes or {}).items():
        field = _field(model, name)
        if field is _REVERSE:
            continue
        if name in FIELD_LABELS:
            label = str(FIELD_LABELS[name])
        elif field is not None and hasattr(field, "verbose_name"):
            label = str(field.verbose_name)
        else:
            label = name
        if isinstance(values, dict):  # a many-to-many change: roles (groups), permissions
            objects = [_role(item) if name == "groups" else str(item) for item in values.get("objects", [])]
            operation = str(M2M_OPERATIONS.get(values.get("operation"), values.get("operation", "")))
            changes.append(FieldChange(label=label, after="、".join(objects), operation=operation))
        else:
            before, after = [*list(values), None, None][:2]
            before, after = _shown(before, field, related), _shown(after, field, related)
            if before == after == "—":  # an empty field of a new record says nothing
                continue
            changes.append(FieldChange(label=label, before=before, after=after))
    return changes


def _related_names(entries: list[LogEntry]) -> dict:
    """Names of the rows that foreign-key changes point to (a region's name), one query per model."""
    wanted: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            if field not in (None, _REVERSE) and field.many_to_one and isinstance(values, list):
                wanted.setdefault(field.related_model, set()).update(
                    str(value) for value in values if value not in (None, "None", "")
                )
    names = {}
    for related_model, pks in wanted.items():
        for row in related_model._default_manager.filter(pk__in=pks):
            names[(related_model, str(row.pk))] = str(row)
    return names


def _origin(entry: LogEntry) -> str:
    origin = (entry.additional_data or {}).get("origin") or {}
    if not origin:
        return ""
    return gettext("%(via)s (system user %(os_user)s)") % {
        "via": origin.get("via") or "?",
        "os_user": origin.get("os_user") or "?",
    }


def audited_content_types() -> list[ContentType]:
    found = ContentType.objects.get_for_models(*auditlog.get_models())
    return sorted(found.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


@method_decorator(never_cache, name="dispatch")
class ChangeLogView(AdminPage):
    check = staticmethod(is_administrator)
    template_name = "accounts/admin/change_log.html"
    page_title = gettext_lazy("Change log")
    header_icon = "history"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        content_types = audited_content_types()
        entries = LogEntry.objects.filter(content_type__in=content_types).select_related(
            "actor", "content_type"
        )
        model = self.request.GET.get("model", "")
        chosen = next((ct for ct in content_types if str(ct.pk) == model), None)
        if chosen is not None:
            entries = entries.filter(content_type=chosen)
        username = self.request.GET.get("user", "").strip()
        if username:
            entries = entries.filter(actor__username=username)
        listing = self.paginate(entries.order_by("-timestamp", "-pk"))
        page = list(listing["page_obj"])
        related = _related_names(page)
        context.update(
            listing,
            entries=[
                {
                    "entry": entry,
                    "action": ACTIONS.get(entry.action, entry.get_action_display()),
                    "what": entry.content_type.model_class()._meta.verbose_name,
                    "origin": _origin(entry),
                    "changes": describe_changes(entry, related),
                }
                for entry in page
            ],
            models=[(str(ct.pk), ct.model_class()._meta.verbose_name) for ct in content_types],
            model=str(chosen.pk) if chosen else "",
            username=username,
        )
        return context


class ChangeLogViewSet(ViewSet):
    name = "accounts_change_log"
    url_prefix = "change-log"
    icon = "history"
    menu_label = gettext_lazy("Change log")
    menu_name = "change-log"
    menu_order = 181
    add_to_settings_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(is_administrator)

    def get_urlpatterns(self):
        return [path("", ChangeLogView.as_view(), name="index")]
