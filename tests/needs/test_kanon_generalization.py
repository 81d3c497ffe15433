"""Issue 11 item 8: every published quasi-identifier is in the k-anonymity class, and what would
single a household out is generalized (low-income categories → 低收入家庭, department withheld)
rather than shown or held; the list, API and filters show and filter on the generalized values
only. See docs/decisions/0003-k-anonymity-for-thin-regions.md.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from marketplace.needs.models import Need, NeedStatus
from tests.needs.test_kanon import record as dated_record


@pytest.fixture(autouse=True)
def _k_is_five(settings):
    settings.K_ANONYMITY_K = 5
    cache.clear()  # the public list's counts come from cached facets


def record(source_ref: str, **fields) -> dict:
    """A clean record needed two months from today (the API refuses a past date)."""
    return {
        **dated_record(source_ref, **fields),
        "needed_by": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }


def push(api, records: list[dict]) -> dict[str, dict]:
    response = api.push(records)
    assert response.status_code == 200, response.content
    return {row["source_ref"]: row for row in response.json()["results"]}


def five_alike(**last) -> list[dict]:
    """Five households alike in place, age, sex, size and need type; the fifth differs by ``last``."""
    return [record(f"K-{i}") for i in range(4)] + [record("K-4", **last)]


def listed(client, query: str = "") -> list[dict]:
    return client.get(f"/api/v1/needs/{query}").json()["results"]


def test_a_rare_category_is_published_as_low_income_household_with_its_class(api, client):
    rows = push(api, five_alike(categories=("extreme_poverty",)))

    # No class of exact categories reaches five; the one shown as 低收入家庭 does, at county level.
    assert {row["status"] for row in rows.values()} == {"created"}
    needs = list(Need.objects.all())
    assert {(n.status, n.generalization, n.public_region_id) for n in needs} == {
        (NeedStatus.PUBLISHED, "000010", "420111")
    }
    shown = listed(client)
    assert len(shown) == 5
    assert {tuple(row["categories"]) for row in shown} == {("low_income",)}
    body = json.dumps(shown, ensure_ascii=False)
    assert "extreme_poverty" not in body and "dibao" not in body


def test_filtering_on_an_exact_category_never_finds_a_need_published_as_low_income(api, client):
    push(api, five_alike(categories=("extreme_poverty",)))

    assert listed(client, "?category=extreme_poverty") == []
    assert listed(client, "?category=dibao") == []
    assert len(listed(client, "?category=low_income")) == 5
    page = client.get("/needs/?category=extreme_poverty").content.decode()
    for need in Need.objects.all():
        assert need.code not in page
    # The page offers the generalized value as a filter, in Chinese.
    assert "低收入家庭" in client.get("/needs/").content.decode()


def test_a_need_with_exact_categories_is_found_by_them(api, client):
    push(api, [record(f"D-{i}") for i in range(5)])

    assert {n.generalization for n in Need.objects.all()} == {"000000"}
    assert len(listed(client, "?category=dibao")) == 5
    assert listed(client, "?category=low_income") == []


def test_a_rare_department_is_withheld_rather_than_the_household_held(api, client):
    push(api, five_alike(department="health"))

    # Withholding the department loses least: place, age, sex, size and categories stay exact.
    assert {n.generalization for n in Need.objects.all()} == {"000001"}
    shown = listed(client)
    assert {(row["department"], tuple(row["categories"])) for row in shown} == {("", ("dibao",))}
    assert {row["location"]["code"] for row in shown} == {"420111"}


def test_a_medical_need_shown_as_low_income_hides_the_figures_that_name_its_category(api, client):
    records = [record(f"M-{i}", need_type="medical", amount="10000.00") for i in range(4)]
    records.append(record("M-4", need_type="medical", amount="10000.00", categories=("extreme_poverty",)))
    push(api, records)

    rare = Need.objects.get(source_ref="M-4")
    assert rare.policy["deciding_category"] == "extreme_poverty"  # stored, for the caseworker
    assert rare.generalization == "000010"
    detail = client.get(f"/api/v1/needs/{rare.code}/").json()
    # 特困 are covered at 100 %: the ratio, the coverage or the total would name the category.
    assert "deciding_category" not in detail["policy"] and "inpatient_ratio" not in detail["policy"]
    assert detail["statutory_coverage"] is None and detail["requested_amount"] is None
    assert detail["policy"]["charity_gap"] == detail["target_amount"]
    assert "特困" not in detail["policy"]["explanation"]
    assert "100%" not in client.get(f"/needs/{rare.code}/").content.decode()
