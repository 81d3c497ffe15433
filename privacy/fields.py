"""A model field whose value is encrypted at rest (see ``privacy.encryption``).

In memory the attribute holds the clear text; the database, and every serialization of the
model (``dumpdata``, fixtures, the test runner's serialized rollback), hold the Fernet token.
Loading a serialization gives ``to_python`` a token, which it opens: the stored row gets back
the very token that was dumped, never a token of a token. A value that has the shape of a
Fernet token but that no configured key opens is refused rather than stored as if it were
clear text (which would encrypt the token a second time and lose the value).
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from privacy.encryption import decrypt, encrypt, field_cipher

_FERNET_VERSION = 0x80
# version (1) + timestamp (8) + IV (16) + HMAC (32), plus whole AES blocks of 16 bytes.
_FERNET_OVERHEAD = 57
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]+={0,2}")


@cache
def _newest(spec: str) -> Fernet:
    """The key new values are encrypted with (the first listed)."""
    first = next(part.strip() for part in spec.split(",") if part.strip())
    return Fernet(first.encode())


def looks_like_token(value: str) -> bool:
    """Whether ``value`` has the shape of a Fernet token: url-safe base64 of version byte 0x80,
    a timestamp, an IV, one or more AES blocks and an HMAC. No real name or ID number has it."""
    if len(value) < 100 or len(value) % 4 or not _URLSAFE_BASE64.fullmatch(value):
        return False
    try:
        raw = base64.urlsafe_b64decode(value)
    except (binascii.Error, ValueError):
        return False
    blocks = len(raw) - _FERNET_OVERHEAD
    return raw[0] == _FERNET_VERSION and blocks > 0 and blocks % 16 == 0


class Decrypted(str):
    """Clear text read from a token, remembering that token.

    Saving it unchanged writes the same token again, so a dump and a load round-trip exactly;
    any change to the text gives a plain ``str`` and therefore a new token.
    """

    token: str

    def __new__(cls, text: str, token: str) -> Decrypted:
        value = super().__new__(cls, text)
        value.token = token
        return value

    def __reduce__(self):
        return (Decrypted, (str(self), self.token))


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give the clear text back. Not searchable."""

    def _open(self, token: str) -> Decrypted:
        return Decrypted(decrypt(token, cipher=field_cipher()), token)

    def to_python(self, value):
        """Clear text for any input: a token (from a dump or fixture) is opened, clear text is
        kept. Raises ``ValidationError`` for a token no configured key opens."""
        value = super().to_python(value)
        if not value or isinstance(value, Decrypted) or not looks_like_token(value):
            return value
        try:
            return self._open(value)
        except ValueError:
            raise ValidationError(
                _("This value is encrypted with a key this portal does not have."), code="unknown_key"
            ) from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # TextField's calls to_python: tokens are opened
        if value in (None, ""):
            return value
        if isinstance(value, Decrypted) and self._token_is_current(value.token):
            return value.token
        return encrypt(str(value), cipher=field_cipher())

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return self._open(value)

    def value_to_string(self, obj) -> str:
        """What serializers write: the token, never the clear text."""
        value = self.value_from_object(obj)
        if value in (None, ""):
            return value
        return self.get_prep_value(value)

    @staticmethod
    def _token_is_current(token: str) -> bool:
        """Whether the newest key made ``token``: only then is it written back unchanged, so
        that re-saving rows still rotates them to the newest key."""
        try:
            _newest(settings.FIELD_ENCRYPTION_KEYS).decrypt(token.encode())
        except InvalidToken:
            return False
        return True
