from wagtail import hooks

from accounts.backoffice import ChangeLogViewSet, SensitiveReadsViewSet


@hooks.register("register_admin_viewset")
def register_sensitive_reads():
    return SensitiveReadsViewSet()


@hooks.register("register_admin_viewset")
def register_change_log():
    return ChangeLogViewSet()
