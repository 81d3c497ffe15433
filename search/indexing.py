"""Keeping the index in step with what the public sees.

Writers never wait on the index: the hooks of the needs and organizations (``needs_changed``,
``organizations_changed``) and Wagtail's page signals only register, in the writing
transaction, an ``index_documents`` task to enqueue once it commits (``core.queue.enqueue``;
in-process without a broker). The task re-reads each document through its owner's selector
and indexes it, or removes it when the public may no longer see it (withdrawn, expired, held,
unpublished, suspended…): running it twice, or late, gives the same index. A message lost with
the broker is made good by ``repair``, which beat runs periodically: it compares the ids on
both sides and indexes what is missing and removes what should be gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from core.queue import enqueue
from marketplace.needs.selectors import need_codes_of
from search.backends import KINDS, get_backend
from search.documents import documents, source_ids

logger = logging.getLogger(__name__)
TASK_CHUNK = 500
NEED_BY_PK = "need_pk"


def schedule(kind: str, ids: Iterable[Any]) -> None:
    """Enqueue the (re)indexing of these documents once the current transaction commits."""
    keys = sorted({str(key) for key in ids if key is not None})
    if keys:
        transaction.on_commit(partial(_enqueue, kind, keys))


def _enqueue(kind: str, keys: list[str]) -> None:
    from search.tasks import index_documents

    for start in range(0, len(keys), TASK_CHUNK):
        enqueue(index_documents, kind, keys[start : start + TASK_CHUNK])


def sync(kind: str, ids: Iterable[str]) -> dict[str, int]:
    """Index the documents of ``kind`` among ``ids`` the public may see; remove the others.
    ``kind`` ``NEED_BY_PK`` names needs by primary key instead of code."""
    if kind == NEED_BY_PK:
        kind, ids = "need", need_codes_of([int(pk) for pk in ids])
    keys = {str(key) for key in ids}
    backend = get_backend()
    with translation.override(settings.LANGUAGE_CODE):  # the index holds the public's Chinese labels
        found = list(documents(kind, sorted(keys)))
    indexed = backend.bulk_index(found) if found else 0
    gone = keys - {document["id"] for document in found}
    removed = backend.delete(kind, sorted(gone)) if gone else 0
    return {"indexed": indexed, "removed": removed}


def repair(kinds: Iterable[str] = KINDS) -> dict[str, dict[str, int]]:
    """Count both sides of each kind and make the index hold exactly the public documents."""
    backend = get_backend()
    report = {}
    for kind in kinds:
        source = source_ids(kind)
        indexed = set(backend.ids(kind))
        missing, extra = sorted(source - indexed), sorted(indexed - source)
        added = sum(
            sync(kind, missing[i : i + TASK_CHUNK])["indexed"] for i in range(0, len(missing), TASK_CHUNK)
        )
        removed = backend.delete(kind, extra) if extra else 0
        report[kind] = {"source": len(source), "index": len(indexed), "added": added, "removed": removed}
        if missing or extra:
            logger.warning("Search index drift repaired for %s: %s", kind, report[kind])
    return report


# --- Receivers (connected in SearchConfig.ready) --------------------------------------------------


def needs_changed(*, need_ids: Iterable[int], **_kwargs) -> None:
    # By primary key: the task reads their codes (the index's keys) after the commit.
    schedule(NEED_BY_PK, need_ids)


def organizations_changed(*, organization_ids: Iterable[int], **_kwargs) -> None:
    schedule("organization", organization_ids)


def page_changed(sender, instance, **_kwargs) -> None:
    """A page was published, unpublished or deleted: if it is a notice, re-read it."""
    if callable(getattr(instance, "search_document", None)):
        schedule("notice", [instance.pk])


def page_deleted(sender, instance, **_kwargs) -> None:
    """A page was deleted (its base ``Page`` row: the specific class is not known here)."""
    schedule("notice", [instance.pk])


def need_keyword_search(*, query: str, **_kwargs):
    return get_backend().matching_ids("need", query)
