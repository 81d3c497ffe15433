"""The demo publicity lists: one in its period (shown, masked), one past it (410), idempotent."""

from __future__ import annotations

import re

import pytest

from cms.models import NoticeIndexPage, PublicityListPage
from cms.publicity.demo import seed_demo_publicity_lists
from cms.publicity.services import NoNoticesSection

pytestmark = pytest.mark.django_db


def test_the_demo_lists_one_in_its_period_and_one_taken_down(notices_section, client):
    current, past = seed_demo_publicity_lists()
    assert seed_demo_publicity_lists() == [current, past]  # idempotent
    assert PublicityListPage.objects.count() == 2

    shown = client.get(current.url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert html.count("<tr>") == 25  # the header and 24 masked recipients
    assert "*" in html
    assert not re.search(r"(?<![0-9A-Za-z])(?:1[3-9][0-9]{9}|42[0-9]{15}[0-9X])(?![0-9])", html)

    past.refresh_from_db()
    assert not past.live
    gone = client.get(past.url)
    assert gone.status_code == 410
    assert "公示期已于" in gone.content.decode()


def test_without_the_notices_section_the_demo_says_why():
    NoticeIndexPage.objects.get().unpublish()
    with pytest.raises(NoNoticesSection):
        seed_demo_publicity_lists()
