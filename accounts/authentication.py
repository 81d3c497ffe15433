"""``Authorization: Token <key>``: a personal API token acting as its user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, status

from accounts.tokens import TOKEN_SCHEME, api_token_for_key


class InvalidApiToken(exceptions.APIException):
    """401 with ``WWW-Authenticate: Token`` wherever the authenticator is listed.

    Not an ``AuthenticationFailed``: DRF turns those into 403 when the view's first
    authenticator (the session, by default) names no ``WWW-Authenticate`` scheme.
    """

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("Invalid or revoked API token.")
    default_code = "authentication_failed"
    auth_header = TOKEN_SCHEME


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates ``Authorization: Token <key>``; ``request.auth`` is the ``ApiToken``.

    The request then has exactly the token's user's permissions: roles and region scope are
    checked as for that user's browser session.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _space, key = header.partition(" ")
        if scheme.lower() != TOKEN_SCHEME.lower():
            return None
        key = key.strip()
        if not key or " " in key:
            raise InvalidApiToken()
        token = api_token_for_key(key)
        if token is None:
            raise InvalidApiToken()
        return token.user, token

    def authenticate_header(self, request):
        return TOKEN_SCHEME


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the Token header in the OpenAPI schema."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Authorization: Token <key>. A personal token acting as its user, with that user's "
                "roles and region scope; made on the profile page (/account/) or by "
                "manage.py create_api_token <username>, shown once, revocable."
            ),
        }
