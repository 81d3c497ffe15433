"""Record reads of sensitive data: call ``record_read`` where such data is served."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from privacy.models import SensitiveKind, SensitiveRead


def record_read(request: HttpRequest, *, kind: SensitiveKind, reference: object) -> SensitiveRead:
    """Write who (the signed-in user), when, what (``kind`` and ``reference``) and from where
    (the client address and the page) to the access log, and return the entry.

    The address is the one the WSGI server saw (``REMOTE_ADDR``): behind a proxy, configure the
    proxy to pass the client's address there rather than trusting a header here.
    """
    user = request.user if request.user.is_authenticated else None
    return SensitiveRead.objects.create(
        user=user,
        username=user.get_username() if user else "",
        kind=kind,
        reference=str(reference)[:100],
        ip_address=_address(request.META.get("REMOTE_ADDR", "")),
        path=request.get_full_path()[:300],
    )


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
