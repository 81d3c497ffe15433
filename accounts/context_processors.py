"""Template values about the signed-in user."""

from __future__ import annotations

import operator

from django.utils.functional import SimpleLazyObject, new_method_proxy

from accounts.models import Notification
from accounts.permissions import may_use_back_office


class LazyCount(SimpleLazyObject):
    """A number worked out on first use, once; usable in ``{% if %}``, ``{{ }}`` and ``|add``."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __ge__ = new_method_proxy(operator.ge)
    __le__ = new_method_proxy(operator.le)


def _unread_count(request) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notifications(request):
    """``unread_notifications``: how many messages the signed-in user has not read (0 for the public).

    Worked out only when a template uses it: one ``COUNT`` over the user's own rows.
    """
    return {"unread_notifications": LazyCount(lambda: _unread_count(request))}


def back_office(request):
    """``may_use_back_office``: whether the public site links the signed-in user to the back
    office (worked out only when a template uses it)."""
    return {
        "may_use_back_office": SimpleLazyObject(lambda: may_use_back_office(getattr(request, "user", None)))
    }
