"""Back office: the access log of sensitive reads (敏感数据访问记录), for administrators.

``/admin/sensitive-reads/`` lists who read which evidence file, certificate or assistance
chain, when and from which address, newest first, filtered by kind and by username.
"""

from __future__ import annotations

from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.viewsets.base import ViewSet

from accounts.admin_pages import AdminPage, menu_item_for
from accounts.roles import is_administrator
from privacy.models import SensitiveKind, SensitiveRead


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
