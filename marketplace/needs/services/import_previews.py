"""Previewed spreadsheets kept for their confirmation (issue 11 item 5).

The caseworker uploads a file once: the preview stores it encrypted (Fernet, with the field
encryption keys), and the confirmation names it by an unguessable reference. Only its uploader
can open it, only before it expires (``IMPORT_PREVIEW_MINUTES``, 30 by default), and it is
deleted once imported. Expired previews are deleted by the beat task
``needs.purge_import_previews`` and whenever a new preview is stored. The database is where
every web node sees the same previews (no local disk, no per-process cache).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from marketplace.needs.models import ImportPreview
from privacy.encryption import field_cipher


class ImportPreviewGone(Exception):
    """No preview under this reference for this user: never made, already imported, or expired."""


def _lifetime() -> timedelta:
    return timedelta(minutes=getattr(settings, "IMPORT_PREVIEW_MINUTES", 30))


@sensitive_variables("data")
def import_preview_store(*, user, data: bytes, filename: str) -> ImportPreview:
    """Keep ``data`` encrypted for ``user`` until it is confirmed or expires."""
    import_previews_purge()
    return ImportPreview.objects.create(
        user=user,
        filename=filename[:200],
        digest=hashlib.sha256(data).hexdigest(),
        encrypted=field_cipher().encrypt(data),
        expires_at=timezone.now() + _lifetime(),
    )


@sensitive_variables("data")
def import_preview_open(*, user, reference) -> tuple[bytes, str]:
    """The previewed file's bytes and name; ``ImportPreviewGone`` if ``user`` has no valid
    preview under ``reference``. The preview stays until ``import_preview_discard``: an import
    that fails half-way can be confirmed again (intake recognises rows imported before)."""
    preview = ImportPreview.objects.filter(
        reference=reference, user=user, expires_at__gt=timezone.now()
    ).first()
    if preview is None:
        raise ImportPreviewGone
    try:
        data = field_cipher().decrypt(bytes(preview.encrypted))
    except InvalidToken:  # the keys were rotated past the one it was stored with
        raise ImportPreviewGone from None
    return data, preview.filename


def import_preview_discard(*, user, reference) -> None:
    """Delete the preview once it is imported (or abandoned)."""
    ImportPreview.objects.filter(reference=reference, user=user).delete()


def import_previews_purge() -> int:
    """Delete expired previews; return how many."""
    deleted, _ = ImportPreview.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
