"""Staff sessions expire after a spell of inactivity (STAFF_SESSION_IDLE_SECONDS)."""

from __future__ import annotations

from django.conf import settings

from accounts.roles import STAFF_ROLES


class StaffSessionTimeoutMiddleware:
    """Give staff a sliding idle timeout: each request pushes expiry forward.

    Staff sessions open the records of vulnerable households; a shared office computer left
    logged in must not stay usable for the default two weeks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_superuser or user.is_staff or user.has_role(*STAFF_ROLES))
        ):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return self.get_response(request)
