"""The household token and the record digest, keyed by HOUSEHOLD_TOKEN_KEYS.

Both are keyed HMACs: an ID number has too little entropy for a plain hash to hide it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from typing import Any

from django.conf import settings

from privacy.tokens import household_token, parse_keys, token_candidates


@cache
def _key_ring(spec: str) -> tuple[dict[str, bytes], str]:
    keys = parse_keys(spec)
    return keys, next(iter(keys))


def token_for(id_number: str) -> str:
    """The household token of an ID number under the current key."""
    keys, current = _key_ring(settings.HOUSEHOLD_TOKEN_KEYS)
    return household_token(id_number, keys=keys, current_key_id=current)


def tokens_for(id_number: str) -> list[str]:
    """The household's token under every configured key, to match across a key rotation."""
    keys, _current = _key_ring(settings.HOUSEHOLD_TOKEN_KEYS)
    return token_candidates(id_number, keys=keys)


def record_digest(raw: Any) -> str:
    """A keyed fingerprint of a submitted record, to recognise the same record sent again."""
    keys, current = _key_ring(settings.HOUSEHOLD_TOKEN_KEYS)
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    # "surrogatepass": a lone surrogate in a field intake ignores must not fail the record;
    # every other text encodes exactly as before, so known digests do not change.
    return hmac.new(keys[current], canonical.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
