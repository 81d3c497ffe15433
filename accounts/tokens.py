"""Personal API tokens (``Authorization: Token <key>``) for organizations' own systems.

A token acts as its user, with exactly that user's roles and region scope. The key is shown
once when made; only its SHA-256 is stored, with a short prefix to tell tokens apart.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.roles import Role
from core.db import fixed_query, instance_from, select_list
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
    """The live token holding ``key`` (not revoked, of an active user), with its user and the
    user's roles (``User.role_names``, read in the same statement); else None.

    Records when it was last used, at most once per ``core.keys.LAST_USED_RESOLUTION``. Every
    API request with a token runs this: one fixed statement (``core.db``), not three ORM queries.
    """
    key = (key or "").strip()
    if not key:
        return None
    connection = connections[router.db_for_read(ApiToken)]
    sql = _token_sql(connection.alias, connection.vendor)
    rows = fixed_query(sql, [*Role.values, key_hash(key)], using=connection.alias)
    if not rows:
        return None
    values = rows[0]
    split = len(ApiToken._meta.concrete_fields)
    token = instance_from(ApiToken, values[:split], using=connection.alias)
    user = instance_from(User, values[split:-1], using=connection.alias)
    user._role_names = frozenset(filter(None, (values[-1] or "").split(",")))
    token.user = user
    note_use(token)
    return token


@lru_cache(maxsize=4)
def _token_sql(alias: str, vendor: str) -> str:
    """The token, its user and the user's role names (comma-separated; role names have no
    comma) of a live token by its key's hash."""
    qn = connections[alias].ops.quote_name
    names = "string_agg(g.name, ',')" if vendor == "postgresql" else "group_concat(g.name, ',')"
    token, user = qn(ApiToken._meta.db_table), qn(User._meta.db_table)
    groups, user_groups = qn(Group._meta.db_table), qn(User.groups.through._meta.db_table)
    roles = ", ".join(["%s"] * len(Role.values))
    select = f"{select_list(ApiToken, 't', using=alias)}, {select_list(User, 'u', using=alias)}"
    return (
        f"SELECT {select}, (SELECT {names} FROM {groups} g JOIN {user_groups} ug ON ug.group_id = g.id "  # noqa: S608 - names from the models' meta, values bound
        f"WHERE ug.user_id = u.id AND g.name IN ({roles})) "
        f"FROM {token} t JOIN {user} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def api_token_user(key: str) -> User | None:
    """The active user a live token with ``key`` acts as, or None."""
    token = api_token_for_key(key)
    return token.user if token is not None else None
