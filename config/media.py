"""Uploaded media in development (``DEBUG``): public files only, never ``private/``.

Certificates and delivery evidence live under ``MEDIA_ROOT/private/`` and are served only by
their permission-checked views. The check runs on the normalized path, the one Django's
``serve`` opens: checked on the raw path, ``/media/./private/…``, ``/media//private/…`` or
``/media/x/../private/…`` would pass it and then be normalized to the private file.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

PRIVATE_DIR = "private"


def public_media_path(path: str) -> str | None:
    """The path below ``MEDIA_ROOT`` that ``path`` names, normalized, or ``None`` when it is not
    a public file: it escapes ``MEDIA_ROOT``, lies under ``private/`` in any spelling, or holds
    characters no stored name has (backslash, NUL, a percent sign left after decoding).

    ``path`` is the URL path as Django hands it over, percent-decoded once (``%2e%2e`` is
    already ``..``); a ``%`` still in it was encoded twice, and is refused rather than guessed.
    """
    if not path or any(char in path for char in ("\\", "\x00", "%")):
        return None
    normalized = posixpath.normpath(path).lstrip("/")
    parts = normalized.split("/")
    if normalized in ("", ".") or parts[0] == "..":
        return None
    # casefold: a case-insensitive file system (a developer's macOS) would open Private/ too.
    if parts[0].casefold() == PRIVATE_DIR:
        return None
    return normalized


def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    normalized = public_media_path(path)
    if normalized is None:
        raise Http404
    return serve(request, normalized, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", serve_public_media)]
