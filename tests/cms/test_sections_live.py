"""A section's 即将上线 badge follows the URLconf: it goes as soon as a real view serves the
section's address, and comes back if the view is taken away."""

from __future__ import annotations

import pytest

from cms import views

pytestmark = pytest.mark.django_db

NOTICES = views.SECTIONS_BY_KEY["notices"]


def _notices_card(client) -> str:
    html = client.get("/").content.decode()
    cards = html.split('<ul class="cards">')[1].split("</ul>")[0].split('<li class="card">')[1:]
    return next(card for card in cards if f'href="{NOTICES.path}"' in card)


def test_a_section_loses_its_badge_once_its_view_is_mounted_and_gets_it_back(client, settings):
    settings.ROOT_URLCONF = "tests.cms.coming_soon_section_urls"

    assert not views.section_is_live(NOTICES)
    assert "即将上线" in _notices_card(client)

    settings.ROOT_URLCONF = "tests.cms.live_section_urls"

    assert views.section_is_live(NOTICES)
    assert "即将上线" not in _notices_card(client)
    assert client.get(NOTICES.path).content.decode() == "公示公告"

    settings.ROOT_URLCONF = "tests.cms.coming_soon_section_urls"

    assert not views.section_is_live(NOTICES)
    assert "即将上线" in _notices_card(client)


def test_the_notices_card_has_no_coming_soon_badge(client):
    assert views.section_is_live(NOTICES)
    assert "即将上线" not in _notices_card(client)
