"""Small pieces of HTTP handling every app's views share."""

from __future__ import annotations

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
