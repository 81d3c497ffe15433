"""Ticket numbers, query codes and the keyed digests stored in their place (pure functions).

A ticket number is 13 digits drawn by ``secrets`` and a Luhn check digit: nothing about one
number says anything about another, and a mistyped digit is caught before any lookup. The
query code is 6 characters from an alphabet without look-alikes; only an HMAC of the pair
(number, code) is stored. Phones and e-mail addresses are matched against the blocklist by an
HMAC of their normal form, so neither list nor ticket holds them in clear for a lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from accounts.models import normalize_email

NUMBER_DIGITS = 13  # random digits, then one check digit
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
CODE_LENGTH = 6


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (catches a mistyped digit and most swaps)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_ticket_number() -> str:
    """14 digits: 13 drawn by ``secrets`` (nothing about one number says anything of another)
    and a Luhn check digit."""
    body = "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS))
    return body + luhn_digit(body)


def number_is_well_formed(number: str) -> bool:
    return (
        len(number) == NUMBER_DIGITS + 1
        and number.isascii()
        and number.isdigit()
        and luhn_digit(number[:-1]) == number[-1]
    )


def new_query_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(code.split()).upper()


SHOWN_CODE_CHARS = 2
# A query code standing as a word of a text: 6 characters of the alphabet, no letter or digit
# on either side (a ticket number's 14 digits never match; Chinese around a code is no letter).
_CODE_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z])([{CODE_ALPHABET}]{{{SHOWN_CODE_CHARS}}})"
    rf"[{CODE_ALPHABET}]{{{CODE_LENGTH - SHOWN_CODE_CHARS}}}(?![0-9A-Za-z])"
)


def mask_query_codes(text: str) -> str:
    """``text`` with every query code in it masked to its first two characters: ``查询码：K7***。``

    The code lets anyone read the ticket, so a log line may name it only this way. Any
    uppercase word of six characters of the code alphabet counts as a code.
    """
    return _CODE_IN_TEXT.sub(r"\1***", text)


def _keyed(purpose: str, value: str) -> str:
    key = hashlib.sha256(f"supervision.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def code_digest(number: str, code: str) -> str:
    """What is stored of a ticket's query code: HMAC of the pair (the code itself is not kept)."""
    return _keyed("query-code", f"{number}:{normalize_code(code)}")


def mask_email(email: str) -> str:
    """``z***@example.org``: how handlers and logs see a complainant's address."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def normalize_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def contact_digest(value: str) -> str:
    """The blocklist's key of a phone number or e-mail address (HMAC of its normal form)."""
    value = value.strip()
    normal = normalize_email(value).lower() if "@" in value else normalize_phone(value)
    return _keyed("contact", normal) if normal else ""
