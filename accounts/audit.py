"""The change log (变更记录) of what decides people's aid: django-auditlog, wired for the portal.

Which models are recorded, and which of their fields are left out or masked, is settings
(``AUDITLOG_INCLUDE_TRACKING_MODELS`` in ``config.settings.base``); why django-auditlog is in
``docs/decisions/0007-audit-of-changes.md``. This module gives it:

* ``AuditMiddleware``: the acting user and the client address of each request. The address is
  ``core.http.client_address``, as for the access log of sensitive reads (``privacy.access``)
  and login lock-out: ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` trusted proxies forward it,
  never a forwarding header a client wrote itself.
* ``mask_secret``: what a masked field (a key hash, a password hash) becomes in the log. All of
  it: the library's default keeps half of the value.
* ``record_process_origin``: entries written outside a request (``manage.py`` commands, the
  shell, Celery) name the command and the operating-system user that ran it.
"""

from __future__ import annotations

import getpass
import os
import sys
from contextvars import ContextVar

from auditlog.middleware import AuditlogMiddleware
from django.db.models.signals import pre_save

from core.http import client_address

MASK = "********"

_in_request: ContextVar[bool] = ContextVar("accounts_audit_in_request", default=False)


def mask_secret(value: str) -> str:
    """Any value of a masked field, whole: the log shows that it changed, never what it was."""
    return MASK


class AuditMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request) -> str | None:
        return client_address(request)

    @staticmethod
    def _get_remote_port(request) -> int | None:
        return None  # a header the client writes: not evidence of anything

    def __call__(self, request):
        token = _in_request.set(True)
        try:
            return super().__call__(request)
        finally:
            _in_request.reset(token)


def _process_origin() -> dict[str, str]:
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    command = sys.argv[1] if program == "manage.py" and len(sys.argv) > 1 else ""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        os_user = str(os.getuid()) if hasattr(os, "getuid") else ""
    return {"via": f"manage.py {command}".strip() if program == "manage.py" else program, "os_user": os_user}


def record_process_origin(sender, instance, **kwargs) -> None:
    """Before an entry written outside any request is saved: say which process wrote it."""
    if _in_request.get() or instance.actor_id is not None or instance.additional_data:
        return
    instance.additional_data = {"origin": _process_origin()}


def connect() -> None:
    from auditlog.models import LogEntry

    pre_save.connect(record_process_origin, sender=LogEntry, dispatch_uid="accounts.audit.process_origin")
