"""``manage.py rotate_field_keys``: re-encrypt every encrypted field with the newest key.

Key rotation (docs/deploy.md): put a new key in front of ``FIELD_ENCRYPTION_KEYS`` on every node,
run this once, then drop the old key. Each row is re-saved in its own short transaction, in
batches by primary key, so the command can run beside live traffic and be run again after an
interruption; a row already under the newest key is left as it is.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from privacy.fields import EncryptedTextField

BATCH = 500


def encrypted_fields() -> list[tuple[type, list[str]]]:
    """Each concrete model with encrypted fields, and the names of those fields."""
    found = []
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField) and field.model is model
        ]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        total = 0
        for model, names in encrypted_fields():
            rotated = 0
            last = 0
            while True:
                rows = list(
                    model._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", *names)[:BATCH]
                )
                if not rows:
                    break
                last = rows[-1][0]
                stale = [row[0] for row in rows if any(_stale(value) for value in row[1:])]
                for pk in stale:
                    with transaction.atomic():
                        instance = model._base_manager.select_for_update().get(pk=pk)
                        instance.save(update_fields=names)
                rotated += len(stale)
            total += rotated
            self.stdout.write(f"{model._meta.label}: {rotated} rows re-encrypted")
        self.stdout.write(f"{total} rows re-encrypted with the newest key")


def _stale(value) -> bool:
    """Whether a stored value (read back as clear text carrying its token) is under an old key."""
    return bool(value) and not EncryptedTextField._token_is_current(value.token)
