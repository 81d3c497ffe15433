"""What every page of the tree says about itself to search engines and link previews."""

from __future__ import annotations

from django.utils.html import strip_tags


class PageMetaMixin:
    """``get_meta_description()``: the editor's search description, else the page's introduction."""

    def get_meta_description(self) -> str:
        if self.search_description:
            return self.search_description
        intro = getattr(self, "intro", "") or ""
        return " ".join(strip_tags(str(intro)).split())[:160]
