"""One base for the refusals of the domain, and the one place each surface translates them.

A ``DomainError`` is a rule of the domain saying no: a claim over the remaining gap, a move the
status table does not allow, a transfer already answered. It is neither a bug nor bad input in
one field (that is Django's ``ValidationError``). Each carries

* ``message``: for people, translated (Chinese by default) when raised;
* ``code``: stable, for programs (the API's ``reason``);
* ``http_status``: 409 (a conflict with the current state) unless a subclass says otherwise:
  400 for a request that can never succeed, 403 for who may act, 404, 429 for "not so soon".

Where they are translated, once per surface:

* the API: ``config.api.exception_handler`` answers ``{"code", "message", "reason"}`` with
  ``http_status``, so API views never catch them;
* public pages and Wagtail admin views: ``redirect_on_refusal`` (function views) and
  ``RefusalRedirectMixin`` (class-based views) show the message and redirect back.

A view still catches one itself only where it re-renders a form with the refusal beside a field.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext_lazy

from core.http import safe_next

# The API's ``code`` for each status a refusal may carry (its own ``code`` is the ``reason``).
API_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    429: "throttled",
}


class DomainError(Exception):
    """A refusal of the domain: ``message`` for people, ``code`` for programs, ``http_status``."""

    code: str = "refused"
    http_status: int = 409
    default_message = gettext_lazy("This cannot be done in the current state.")

    def __init__(
        self, message: str | None = None, *, code: str | None = None, http_status: int | None = None
    ):
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)

    @property
    def api_code(self) -> str:
        return API_CODES.get(self.http_status, "refused")


def refusal_redirect(request: HttpRequest, refusal: DomainError, to: str) -> HttpResponse:
    """Show ``refusal``'s message on the next page and redirect to ``to`` (a URL or URL name)."""
    messages.error(request, refusal.message)
    return redirect(resolve_url(to))


def redirect_on_refusal(fallback: str | Callable[..., str]):
    """Decorate a function view: a ``DomainError`` becomes a message and a redirect back.

    Back is the request's own ``next`` (if on this site), else ``fallback``: a URL name or URL,
    or a callable given the view's ``request`` and URL keyword arguments.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as refusal:
                default = fallback(request, **kwargs) if callable(fallback) else resolve_url(fallback)
                return refusal_redirect(request, refusal, safe_next(request, default))

        return wrapped

    return decorator


class RefusalRedirectMixin:
    """For class-based (Wagtail admin) views: a ``DomainError`` becomes a message and a redirect
    to ``refusal_url`` (a URL name or URL; override ``get_refusal_url`` for one with arguments)."""

    refusal_url: str = ""

    def get_refusal_url(self) -> str:
        return resolve_url(self.refusal_url)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as refusal:
            return refusal_redirect(request, refusal, self.get_refusal_url())
