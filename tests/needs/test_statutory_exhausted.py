"""Intake's optional ``statutory_exhausted`` (issue 16, statutory first): true, false or left out,
stored on the need; anything else is a field error in Chinese."""

from __future__ import annotations

import pytest

from marketplace.needs.models import Need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def education(make_record, ref: str, **extra) -> dict:
    record = make_record(ref, need_type="education", requested_amount="3000.00", **extra)
    record.pop("medical", None)
    return record


def test_statutory_exhausted_is_stored_when_given_and_null_when_not(api, make_record):
    response = api.push(
        [
            education(make_record, "S-1", statutory_exhausted=True),
            education(make_record, "S-2", statutory_exhausted=False),
            education(make_record, "S-3"),
        ]
    )
    assert response.status_code == 200
    assert {row["status"] for row in response.json()["results"]} <= {"created", "held"}
    stored = dict(Need.objects.values_list("source_ref", "statutory_exhausted"))
    assert stored == {"S-1": True, "S-2": False, "S-3": None}


def test_statutory_exhausted_refuses_anything_but_a_boolean(api, make_record):
    response = api.push([make_record("S-4", statutory_exhausted="yes")], HTTP_ACCEPT_LANGUAGE="zh-hans")
    (result,) = response.json()["results"]
    assert result["status"] == "rejected"
    assert "statutory_exhausted" in result["errors"]
    assert "true" in result["errors"]["statutory_exhausted"][0]
    assert not Need.objects.exists()
