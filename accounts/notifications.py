"""In-portal messages, with a copy by e-mail after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from accounts.models import Notification, User
from core.db import Pending, rows_insert
from core.phrases import Part, parts_to_json, render_json

NOTES_PER_STATEMENT = 100


@dataclass(frozen=True)
class Message:
    """One message of ``notify_each``: what ``notify`` takes."""

    users: Iterable[User]
    subject: Part
    body: Part | Iterable[Part] = ""
    url: str = ""


def notify(
    *, users: Iterable[User], subject: Part, body: Part | Iterable[Part] = "", url: str = ""
) -> list[Notification]:
    """Leave a message for each user and e-mail those with an address, once committed.

    ``subject`` and ``body`` are ``core.phrases.Phrase`` (or plain text such as a person's note;
    a body may be several parts, one per line): each reader sees them in the language they
    chose, whoever's request wrote them. The e-mail and the stored ``subject``/``body`` are in
    the portal's default language. E-mail failures are logged by the backend and never undo
    the change that caused them.
    """
    return notify_each([Message(users=users, subject=subject, body=body, url=url)])


def notify_each(messages: Iterable[Message], *, clearing: Pending | None = None) -> list[Notification]:
    """``notify`` for several messages, each to its own readers, their rows written together:
    a claim tells its claimant one thing and the caseworkers another, in one statement.

    ``clearing``: the outbox flag these messages answer (``core.db.rows_insert``). They are
    written, and e-mailed, only if it is still set; it is cleared with them. Returns the
    notifications written (none when the flag was already clear).
    """
    notes, mails = [], []
    for message in messages:
        phrases = {"subject": parts_to_json(message.subject), "body": parts_to_json(message.body)}
        with translation.override(settings.LANGUAGE_CODE):
            subject_text, body_text = render_json(phrases["subject"]), render_json(phrases["body"])
        recipients = {user.pk: user for user in message.users if user is not None and user.is_active}
        notes += [
            Notification(
                user=user, subject=subject_text[:200], body=body_text, phrases=phrases, url=message.url
            )
            for user in recipients.values()
        ]
        link = f"{settings.WAGTAILADMIN_BASE_URL}{message.url}" if message.url else ""
        mails += [
            (subject_text, f"{body_text}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in recipients.values()
            if user.email
        ]
    # Fixed statements (core.db), a hundred rows each: every claim notifies a few people. The
    # flag is cleared with the first rows, and the others follow in the same transaction.
    several = clearing is not None and len(notes) > NOTES_PER_STATEMENT
    with transaction.atomic() if several else nullcontext():
        if not rows_insert(notes[:NOTES_PER_STATEMENT], clearing=clearing):
            return []
        for start in range(NOTES_PER_STATEMENT, len(notes), NOTES_PER_STATEMENT):
            rows_insert(notes[start : start + NOTES_PER_STATEMENT])
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return notes
