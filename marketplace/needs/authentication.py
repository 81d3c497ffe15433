"""``Authorization: Api-Key <key>`` for source systems pushing needs."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from marketplace.needs.models import SourceSystem
from marketplace.needs.services.sources import KEY_SCHEME, source_system_for_key


class SourceSystemKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _space, key = header.partition(" ")
        if scheme != KEY_SCHEME:
            return None
        system = source_system_for_key(key) if key else None
        if system is None:
            raise exceptions.AuthenticationFailed(_("Unknown or inactive API key."))
        return AnonymousUser(), system

    def authenticate_header(self, request):
        return KEY_SCHEME


class IsSourceSystem(permissions.BasePermission):
    message = _("An API key of an active source system is required: Authorization: Api-Key <key>.")

    def has_permission(self, request, view):
        return isinstance(request.auth, SourceSystem)


class SourceSystemKeyScheme(OpenApiAuthenticationExtension):
    """Documents the Api-Key header in the OpenAPI schema."""

    target_class = "marketplace.needs.authentication.SourceSystemKeyAuthentication"
    name = "SourceSystemApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Authorization: Api-Key <key> (printed once by manage.py create_source_system)",
        }
