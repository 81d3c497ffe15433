"""In-portal messages, with a copy by e-mail after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from accounts.models import Notification, User


def notify(*, users: Iterable[User], subject: str, body: str = "", url: str = "") -> list[Notification]:
    """Leave a message for each user and e-mail those with an address, once committed.

    E-mail failures are logged by the backend and never undo the change that caused them.
    """
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    notes = Notification.objects.bulk_create(
        [Notification(user=user, subject=subject[:200], body=body, url=url) for user in recipients.values()]
    )
    link = f"{settings.WAGTAILADMIN_BASE_URL}{url}" if url else ""
    messages = [
        (subject, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in recipients.values()
        if user.email
    ]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return notes
