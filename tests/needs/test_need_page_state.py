"""A need's public page says where it stands, in the public's words (issue 11, "Done when": the
need shows fulfilled once the caseworker has verified its delivery)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.factories.needs import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("trait", "label"),
    [
        ("published", "可认领"),
        ("partially_claimed", "可认领"),
        ("claimed", "已全部认领"),
        ("fulfilled", "已帮扶到位"),
        ("closed", "已帮扶到位"),
    ],
)
def test_the_need_page_shows_its_state(client, trait, label):
    need = NeedFactory(**({trait: True} if trait != "published" else {}))
    soup = BeautifulSoup(client.get(f"/needs/{need.code}/").content.decode(), "html.parser")
    assert soup.select_one(".need-detail__state strong").get_text(strip=True) == label


def test_a_fulfilled_need_thanks_for_the_delivered_help(client):
    need = NeedFactory(fulfilled=True)
    panel = BeautifulSoup(client.get(f"/needs/{need.code}/").content.decode(), "html.parser").find(
        id="claims"
    )
    assert "帮扶已交付，并经经办人员核实。" in panel.get_text()
    assert "该需求已全部认领" not in panel.get_text()
