"""Hooks of the supervision app: where higher apps (reports) add to its pages.

``stats_page_panels``: each receiver ``(request) -> (template, context)`` adds a panel to the
public statistics page /stats/, after the complaint statistics; the page renders the receivers
in the order they connected.
"""

from __future__ import annotations

from core.hooks import Hook

stats_page_panels = Hook(
    "supervision.stats_page_panels",
    "Panels after the complaint statistics on /stats/: receivers (request) -> (template, context).",
)
