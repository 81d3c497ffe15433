"""The development e-mail backend (``consolemail://``): Django's console backend, which prints
each message, with what the message marks as secret masked first.

A message marks its secrets by carrying ``mask_for_console``, a function from the printed text
to the text to print (``supervision.services`` masks a complainant's query code and address
this way): a code that opens a ticket, or a contact detail, never lands in a terminal or a
process log. Messages without it print as Django prints them (a password-reset link stays
usable in development).
"""

from __future__ import annotations

import io

from django.core.mail.backends import console


class ConsoleEmailBackend(console.EmailBackend):
    def write_message(self, message):
        mask = getattr(message, "mask_for_console", None)
        if mask is None:
            return super().write_message(message)
        stream, self.stream = self.stream, io.StringIO()
        try:
            super().write_message(message)
            printed = self.stream.getvalue()
        finally:
            self.stream = stream
        self.stream.write(mask(printed))
        return None
