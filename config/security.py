"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

The policies themselves are settings (``CONTENT_SECURITY_POLICY``,
``ADMIN_CONTENT_SECURITY_POLICY``, ``PERMISSIONS_POLICY``); this module only applies them.
Why the back office has a policy of its own is said beside ``ADMIN_CONTENT_SECURITY_POLICY``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(template: Path) -> list[str]:
    """CSP sources (``'sha256-…'``) allowing exactly the ``<style>`` elements of ``template``.

    For the pages rendered without a request or static files (500, CSRF failure): they have no
    nonce to carry, and computing the hash from the template keeps it right when the style is
    edited. The elements must hold no template syntax (the test of the 500 page checks it).
    """
    bodies = _STYLE_ELEMENT.findall(template.read_text(encoding="utf-8"))
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in bodies
    ]


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``ADMIN_CONTENT_SECURITY_POLICY`` for the back office.

    A policy a view sets itself (django-csp's decorators) or a header it writes (evidence
    downloads) still wins over both.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and _in_admin(request.path_info):
            parts.config = _admin_directives()
        if getattr(request, "is_dummy", False):
            # Wagtail renders a page's preview through the whole middleware chain, on a dummy
            # request for the page's own URL: the page's policy applies, but the editor shows
            # the preview in a frame of its own origin.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


def _in_admin(path: str) -> bool:
    policy = settings.ADMIN_CONTENT_SECURITY_POLICY
    return path.startswith(tuple(policy["URL_PREFIXES"])) and not path.startswith(
        tuple(policy.get("EXCEPT_URL_PREFIXES", ()))
    )


@cache
def _admin_directives() -> dict:
    return default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])


def permissions_policy_header(policy: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Sets ``Permissions-Policy`` from ``PERMISSIONS_POLICY``: the portal uses no camera,
    microphone, location, payment or other device feature, so no page (nor anything injected
    into one) can ask the browser for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
