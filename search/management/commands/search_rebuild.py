"""``manage.py search_rebuild``: build the search index anew from what the public may see.

Elasticsearch: a new versioned index per kind, bulk-loaded, then the aliases switch to it in one
atomic call (searches keep answering from the old version meanwhile). Database backend: the
table is emptied and refilled in one transaction (readers see the old rows until it commits).
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from search.backends import KINDS, get_backend
from search.documents import documents, source_count


class Progress:
    """A text progress bar on the command's output: done/total, rate and time left."""

    def __init__(self, out, total: int, *, width: int = 30, interactive: bool | None = None):
        self.out, self.total, self.width = out, max(total, 1), width
        self.done, self.started, self.shown = 0, time.monotonic(), 0.0
        self.interactive = sys.stdout.isatty() if interactive is None else interactive

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.done < self.total and now - self.shown < (0.2 if self.interactive else 5.0):
            return
        self.shown = now
        share = min(self.done / self.total, 1.0)
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "#" * int(share * self.width)
        line = (
            f"[{bar:<{self.width}}] {share:6.1%} {self.done}/{self.total} "
            f"{rate:,.0f} docs/s, {left:,.0f} s left"
        )
        self.out.write(("\r" + line) if self.interactive else line, ending="" if self.interactive else "\n")
        self.out.flush()

    def finish(self) -> None:
        if self.interactive:
            self.out.write("")


class Command(BaseCommand):
    help = "Rebuild the search index (needs, notices, organizations) with no downtime."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", action="append", choices=KINDS, help="Only this kind (repeatable); default: all."
        )

    def handle(self, *args, **options):
        kinds = options["kind"] or list(KINDS)
        backend = get_backend()
        started = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            total = sum(source_count(kind) for kind in kinds)
            self.stdout.write(
                f"Rebuilding the {backend.name} search index: {total} documents ({', '.join(kinds)})."
            )
            progress = Progress(self.stdout, total)

            def everything():
                for kind in kinds:
                    yield from documents(kind)

            try:
                done = backend.rebuild(everything(), kinds=kinds, progress=progress, total=total)
            except Exception as exc:  # the old index stays in place; say why
                raise CommandError(
                    f"The rebuild failed and the previous index is still in use: {exc}"
                ) from exc
            progress.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {done} documents in {time.monotonic() - started:.1f} s; the index is switched."
            )
        )
