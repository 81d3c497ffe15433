"""Small pieces of HTTP handling every app's views share."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def on_this_site(request: HttpRequest, url: str) -> bool:
    """Whether a redirect to ``url`` stays on this site (no open redirect)."""
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` address the request carries (form field, else query) if it is on this site,
    else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if on_this_site(request, target) else default


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``, as far as it can be trusted, or ``None``.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) it is ``REMOTE_ADDR``, the peer of the WSGI
    server, and ``X-Forwarded-For`` is ignored: any client can write that header. Behind N
    trusted reverse proxies, each appending the address it received the request from, the
    client is the N-th entry of ``X-Forwarded-For`` counted from the right; entries further
    left were written by the client and are ignored. A header with fewer entries than N (a
    request that did not come through the whole chain) or an entry that is not an IP address
    falls back to ``REMOTE_ADDR``.

    Login lock-out (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the access log of sensitive
    reads (``privacy.access.record_read``) both use this one function.
    """
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < count:
        return remote
    return _ip(forwarded[-count]) or remote


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
