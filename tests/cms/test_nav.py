"""The main navigation on every page: each section once, the current one marked, in the
reader's language, whichever pages were shown before."""

from __future__ import annotations

import pytest

from cms import views

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html.split('<nav class="site-nav"')[1].split("</nav>")[0]


def _current_links(nav: str) -> list[str]:
    return [link.split('href="')[1].split('"')[0] for link in nav.split("<a ")[1:] if "aria-current" in link]


@pytest.mark.parametrize("repeat", [1, 2])
def test_the_navigation_marks_the_page_it_is_on(client, repeat):
    for _ in range(repeat):
        for path in ("/notices/", "/search/", "/stats/", "/"):
            nav = _nav(client.get(path).content.decode())
            assert nav.count('class="site-nav__link') == len(views.SECTIONS)
            assert _current_links(nav) == ([path] if path != "/" else [])


def test_the_navigation_highlights_a_section_on_its_sub_pages(client):
    nav = _nav(client.get("/needs/?need_type=medical").content.decode())
    assert _current_links(nav) == ["/needs/"]

    nav = _nav(client.get("/complaints/track/").content.decode())
    assert 'class="site-nav__link is-active" href="/complaints/track/"' in nav
    assert 'class="site-nav__link is-active" href="/complaints/new/"' not in nav


def test_the_navigation_follows_the_language(client):
    assert "公示公告" in _nav(client.get("/notices/").content.decode())

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    nav = _nav(client.get("/notices/").content.decode())
    assert "Notices" in nav and "公示公告" not in nav
    assert _current_links(nav) == ["/notices/"]

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "公示公告" in _nav(client.get("/notices/").content.decode())
