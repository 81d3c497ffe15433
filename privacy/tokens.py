"""Pseudonymous household tokens (户标识): who a need is about, without saying who.

A token is ``"<key id>:<32 hex digits>"``, the first 128 bits of HMAC-SHA256 over the
normalized ID number (see ``privacy.identity.normalize_id_number``), keyed by a secret that
lives only in the environment (``HOUSEHOLD_TOKEN_KEYS``). The same household always gets the
same token under the same key, so one household's needs link into one assistance chain and
duplicate aid shows up, while the token by itself reveals nothing: without the key it cannot be
recomputed from a guessed ID number (ID numbers are far too guessable for a plain hash).

Key rotation
------------
``HOUSEHOLD_TOKEN_KEYS`` lists keys as ``id:base64secret`` separated by commas, newest first;
the first one is current. To rotate:

1. Put a new key in front: ``k2:<new>,k1:<old>``. New tokens are made with ``k2``.
2. To recognise a household, look it up with ``token_candidates`` (its token under every
   listed key). A row still carrying a ``k1:`` token is found, and the service that found it
   re-stamps it with the current token. Raw ID numbers are never stored, so old tokens cannot
   be converted in bulk: they convert as households come through intake again.
3. Once no stored token starts with ``k1:`` (or the remaining ones are old enough not to
   matter for duplicate checks), drop ``k1`` from the variable.

The key id is part of the token so that a lookup never has to guess which key made it, and so
that a leaked key can be retired by finding exactly the tokens it made.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping

from privacy.identity import normalize_id_number

TOKEN_HEX_LENGTH = 32
MIN_KEY_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _token(number: str, key_id: str, key: bytes) -> str:
    digest = hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{key_id}:{digest[:TOKEN_HEX_LENGTH]}"


def _normalized(id_number: str) -> str:
    number = normalize_id_number(id_number)
    if not number:
        raise ValueError("cannot make a household token from an empty ID number")
    return number


def household_token(id_number: str, *, keys: Mapping[str, bytes], current_key_id: str) -> str:
    """Return the household token of ``id_number`` under the key ``current_key_id``.

    The ID number is normalized first, so ``"4201 0219…x"`` and ``"42010219…X"`` give the same
    token. It is not validated: validate it with ``validate_id_number`` before relying on it.

    Raises ``ValueError`` when the ID number is empty after normalization or when
    ``current_key_id`` is not among ``keys``. Messages never contain the number or a key.
    """
    if current_key_id not in keys:
        raise ValueError(f"the current key id {current_key_id!r} is not among the configured keys")
    return _token(_normalized(id_number), current_key_id, keys[current_key_id])


def token_candidates(id_number: str, *, keys: Mapping[str, bytes]) -> list[str]:
    """Return the household's token under every key, in the order of ``keys``.

    Use it to match a household across a key rotation (``token__in=token_candidates(...)``).
    Raises ``ValueError`` when the ID number is empty after normalization.
    """
    number = _normalized(id_number)
    return [_token(number, key_id, key) for key_id, key in keys.items()]


def parse_keys(spec: str) -> dict[str, bytes]:
    """Parse ``"k2:base64secret,k1:base64secret"`` into ``{"k2": b"...", "k1": b"..."}``.

    The dict keeps the order of the spec; the first key is the current one
    (``next(iter(keys))``). Whitespace around entries is ignored; secrets may use the standard
    or the URL-safe base64 alphabet, with or without padding, and must decode to at least
    16 bytes (32 random bytes are recommended: ``openssl rand -base64 32``).

    Raises ``ValueError`` with a message naming the entry (by position or key id, never by
    secret) when the spec is empty, an entry has no ``:``, a key id is not 1-32 letters, digits,
    ``_`` or ``-``, a key id repeats, a secret is not base64 or is too short.
    """
    entries = [entry.strip() for entry in spec.split(",")]
    if not any(entries):
        raise ValueError(
            "no household token keys: expected 'key_id:base64secret' entries separated by commas, "
            "newest first"
        )
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        if not entry:
            raise ValueError(f"household token key entry {position} is empty (stray comma?)")
        key_id, colon, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not colon:
            raise ValueError(
                f"household token key entry {position} has no ':' between the key id and the secret"
            )
        if not _KEY_ID.fullmatch(key_id):
            raise ValueError(
                f"household token key entry {position}: the key id must be 1-32 letters, digits, '_' or '-'"
            )
        if key_id in keys:
            raise ValueError(f"household token key id {key_id!r} appears more than once")
        standard = secret.replace("-", "+").replace("_", "/")
        try:
            key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"household token key {key_id!r}: the secret is not valid base64") from None
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(
                f"household token key {key_id!r}: the secret decodes to {len(key)} bytes, "
                f"at least {MIN_KEY_BYTES} are required"
            )
        keys[key_id] = key
    return keys
