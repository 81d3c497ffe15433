"""Field encryption at rest: Fernet (AES-128-CBC + HMAC-SHA256) with rotating keys.

``FIELD_ENCRYPTION_KEYS`` lists url-safe base64 Fernet keys, comma-separated, newest first:
new values are encrypted with the first; every listed key can decrypt, so a key is rotated by
putting a new one in front and re-saving rows before the old one is dropped.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def parse_fernet_keys(spec: str) -> MultiFernet:
    """Raise ``ValueError`` naming the position of a key that is not a Fernet key."""
    keys = [part.strip() for part in spec.split(",") if part.strip()]
    if not keys:
        raise ValueError("no field encryption key: expected url-safe base64 Fernet keys, comma-separated")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise ValueError(
                f"field encryption key {position} is not a Fernet key (32 url-safe base64 bytes)"
            ) from None
    return MultiFernet(fernets)


@cache
def _parsed(spec: str) -> MultiFernet:
    return parse_fernet_keys(spec)


def field_cipher() -> MultiFernet:
    """The cipher of ``FIELD_ENCRYPTION_KEYS`` (parsed once per value of the setting)."""
    return _parsed(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str, *, cipher: MultiFernet) -> str:
    return cipher.encrypt(value.encode()).decode()


def decrypt(token: str, *, cipher: MultiFernet) -> str:
    """Raise ``ValueError`` when no configured key opens the token."""
    try:
        return cipher.decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: no configured key opens this value") from None
