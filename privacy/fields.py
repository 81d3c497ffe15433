"""A model field whose value is encrypted at rest (see ``privacy.encryption``)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import models

from privacy.encryption import decrypt, encrypt, parse_fernet_keys


@cache
def _cipher(spec: str):
    return parse_fernet_keys(spec)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give the clear text back. Not searchable."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value, cipher=_cipher(settings.FIELD_ENCRYPTION_KEYS))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value, cipher=_cipher(settings.FIELD_ENCRYPTION_KEYS))
