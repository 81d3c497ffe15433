"""What upper apps connect to the needs (``core.hooks``), in their ``AppConfig.ready()``."""

from core.hooks import Hook

# After an intake batch is written: ``needs_received.call(needs=[…], today=date)`` with the
# needs it created or changed (delivery checks them for duplicate aid).
needs_received = Hook("needs.received")

# A need's public page: each receiver ``(request, need, **state) -> (template, context)`` adds a
# panel under the need's facts (claims adds its claim panel; ``state`` carries a refused form).
need_page_panels = Hook("needs.page_panels")

# Needs were written in a way that may change what the public sees of them (published, revised,
# claimed, withdrawn, expired…): ``needs_changed.call(need_ids=[…])``, inside the writing
# transaction. ``Need.save`` calls it for each saved need; bulk writes (intake, a cohort published
# together, expiry) call it once with all their ids. Search re-reads them after the commit.
needs_changed = Hook("needs.changed")

# The needs browser's keyword box (``?q=``): each receiver ``(query: str) -> Iterable[str] | None``
# gives the codes of the public needs matching ``query`` (a list, or a values-list queryset that
# ``code__in`` can use as a subquery); None when it cannot answer. The first answer is used; with
# no receiver the list searches titles and summaries by substring.
need_keyword_search = Hook("needs.keyword_search")
