"""Text messages to complainants, through a pluggable sender (``SMS_SENDER``, a dotted path).

A sender is any class with ``send(phone: str, message: str) -> None``. The default,
``ConsoleSender``, writes the message to the log with the number and any query code masked:
nothing reaches a phone, no log line carries a contact detail, and none carries a code that
would let its reader open the ticket. A production sender calls the operator's SMS
gateway; its credentials come from its own settings.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from privacy.generalize import mask_phone
from supervision.numbers import mask_query_codes

logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSender:
    """Logs the message (the number and the query code masked) instead of sending it."""

    def send(self, phone: str, message: str) -> None:
        try:
            masked = mask_phone(phone)
        except ValueError:
            masked = "***"
        logger.info("SMS to %s: %s", masked, mask_query_codes(message))


@cache
def _sender(path: str) -> SmsSender:
    return import_string(path)()


def sms_sender() -> SmsSender:
    return _sender(settings.SMS_SENDER)
