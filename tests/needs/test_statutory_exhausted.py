"""Intake's optional ``statutory_exhausted`` (issue 16, statutory first): true, false or left out,
stored on the need; anything else is a field error in Chinese."""

from __future__ import annotations

import pytest

from marketplace.needs.models import Need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def test_statutory_exhausted_is_stored_when_given_and_null_when_not(api, make_record):
    response = api.push(
        [
            make_record("S-1", need_type="education", statutory_exhausted=True),
            make_record("S-2", need_type="education", statutory_exhausted=False),
            make_record("S-3", need_type="education"),
        ]
    )
    assert response.status_code == 200
    stored = dict(Need.objects.values_list("source_ref", "statutory_exhausted"))
    assert stored == {"S-1": True, "S-2": False, "S-3": None}


def test_statutory_exhausted_refuses_anything_but_a_boolean(api, make_record):
    response = api.push([make_record("S-4", statutory_exhausted="yes")], HTTP_ACCEPT_LANGUAGE="zh-hans")
    (result,) = response.json()["results"]
    assert result["status"] == "rejected"
    assert "statutory_exhausted" in result["errors"]
    assert "true" in result["errors"]["statutory_exhausted"][0]
    assert not Need.objects.exists()
