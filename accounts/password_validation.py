"""Password rules in the user's language.

Django 5.2 words its minimum-length message differently from the message its Chinese catalogue
translates, so that one refusal reached people in English. The rule is Django's; the message
is the portal's own, translated with the rest.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
