"""Record reads of sensitive data: call ``record_read`` where such data is served."""

from __future__ import annotations

from django.http import HttpRequest

from core.http import client_address
from privacy.models import SensitiveKind, SensitiveRead


def record_read(request: HttpRequest, *, kind: SensitiveKind, reference: object) -> SensitiveRead:
    """Write who (the signed-in user), when, what (``kind`` and ``reference``) and from where
    (the client address and the page) to the access log, and return the entry.

    The address is ``core.http.client_address``'s, the one login lock-out uses:
    ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies the client's entry of
    ``X-Forwarded-For``.
    """
    user = request.user if request.user.is_authenticated else None
    return SensitiveRead.objects.create(
        user=user,
        username=user.get_username() if user else "",
        kind=kind,
        reference=str(reference)[:100],
        ip_address=client_address(request),
        path=request.get_full_path()[:300],
    )
