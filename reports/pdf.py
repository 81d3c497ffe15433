"""WeasyPrint, behind a URL fetcher that fetches nothing remote (imported only to render)."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that fetches only ``data:`` URLs and records what it refused:
    no http(s), no file: a stray address in the data reaches neither the network nor a file."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"Report rendering fetches nothing: {url[:80]}")
        return super().fetch(url, headers)


def write_pdf(html: str) -> bytes:
    return HTML(string=html, base_url="data:,", url_fetcher=LocalOnlyFetcher()).write_pdf()
