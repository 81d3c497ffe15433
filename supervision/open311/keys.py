"""Open311 API keys: made once and shown once, looked up by hash, rate-limited per key."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.keys import key_hash, new_key, note_use
from core.ratelimit import attempt
from supervision.open311.models import Open311Key


@transaction.atomic
def open311_key_create(*, name: str) -> tuple[Open311Key, str]:
    """Make a key for the client ``name``; return it with the key, which is stored only hashed.

    Raises ``ValidationError`` for an empty or taken name.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if Open311Key.objects.filter(name=name).exists():
        raise ValidationError({"name": _("An Open311 key with this name exists.")})
    prefix, key = new_key()
    record = Open311Key(name=name, key_prefix=prefix, key_hash=key_hash(key))
    record.full_clean()
    record.save()
    return record, key


def open311_key_for(key: str) -> Open311Key | None:
    """The active key record holding ``key``, or None; notes when it was last used."""
    key = (key or "").strip()
    if not key:
        return None
    record = Open311Key.objects.filter(key_hash=key_hash(key), is_active=True).first()
    if record is not None:
        note_use(record)
    return record


def open311_key_allows(record: Open311Key) -> bool:
    """Whether the key may make one more request now (OPEN311_KEY_REQUESTS_PER_MINUTE)."""
    limit = settings.OPEN311_KEY_REQUESTS_PER_MINUTE
    return limit <= 0 or attempt("open311-key", str(record.pk), limit=limit, window=60)


@transaction.atomic
def open311_key_revoke(*, name: str) -> Open311Key:
    """Stop the key of client ``name`` at once. Raises ``Open311Key.DoesNotExist``."""
    record = Open311Key.objects.select_for_update().get(name=name.strip())
    if record.is_active:
        record.is_active = False
        record.save(update_fields=["is_active"])
    return record
