"""Personal API tokens (``Authorization: Token <key>``) for organizations' own systems.

A token acts as its user, with exactly that user's roles and region scope. The key is shown
once when made; only its SHA-256 is stored, with a short prefix to tell tokens apart.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.roles import Role
from core.keys import key_hash, new_key, note_use

TOKEN_SCHEME = "Token"  # noqa: S105 - the header scheme's name, not a secret


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it with its key, which is not stored and not shown again.

    Raises ``PermissionDenied`` for an inactive user.
    """
    if not user.is_active:
        raise PermissionDenied(_("An inactive user cannot have API tokens."))
    prefix, key = new_key(6)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], key_prefix=prefix, key_hash=key_hash(key)
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke ``token`` at once (revoking it again changes nothing).

    Raises ``PermissionDenied`` unless ``actor`` is its owner or an administrator.
    """
    if not (actor.pk == token.user_id or actor.is_superuser or actor.has_role(Role.ADMINISTRATOR)):
        raise PermissionDenied(_("You may revoke only your own API tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token holding ``key`` (not revoked, of an active user), with its user; else None.

    Records when it was last used, at most once per ``core.keys.LAST_USED_RESOLUTION``.
    """
    key = (key or "").strip()
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        note_use(token)
    return token


def api_token_user(key: str) -> User | None:
    """The active user a live token with ``key`` acts as, or None."""
    token = api_token_for_key(key)
    return token.user if token is not None else None
