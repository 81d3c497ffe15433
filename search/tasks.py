"""Background work of search: thin tasks, safe to run twice (see ``search.indexing``)."""

from __future__ import annotations

from celery import shared_task

from search.indexing import repair, sync


@shared_task(name="search.index_documents", acks_late=True)
def index_documents(kind: str, ids: list[str]) -> dict[str, int]:
    """(Re)index these documents of ``kind``, or remove those the public may no longer see."""
    return sync(kind, ids)


@shared_task(name="search.repair_index", acks_late=True)
def repair_index() -> dict[str, dict[str, int]]:
    """Compare the index with the public documents and repair the drift (beat, every 15 minutes)."""
    return repair()
