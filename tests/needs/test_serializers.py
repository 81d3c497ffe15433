"""What the public sees of needs: the allow-list snapshot, the API and the pages."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework import serializers

from marketplace.needs.models import Need, NeedStatus, PolicyOverride
from marketplace.needs.serializers import (
    PRIVATE_FIELDS,
    PUBLIC_FIELDS,
    PUBLIC_POLICY_KEYS,
    ROW_COLUMNS,
    PublicNeedSerializer,
    public_need_dicts,
    public_policy,
)
from marketplace.needs.services.status import need_set_status
from privacy.identity import make_id_number
from tests.factories.needs import NeedFactory, SourceSystemFactory

pytestmark = pytest.mark.django_db

# Changing what the public API shows is a privacy decision: update this list on purpose.
PUBLIC_OUTPUT_SNAPSHOT = [
    "code",
    "title",
    "summary",
    "need_type",
    "need_type_label",
    "categories",
    "department",
    "urgency",
    "urgency_label",
    "needed_by",
    "amount_kind",
    "requested_amount",
    "unit",
    "target_amount",
    "claimed_amount",
    "remaining_amount",
    "statutory_coverage",
    "rule_version",
    "policy",
    "location",
    "age_band",
    "sex",
    "household_size_band",
    "published_at",
    "status",
]
MEDICAL_COSTS = {"in_scope_self_pay": "10000.00", "out_of_scope": "2000.00"}
_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_stale_public_counts():
    """The public list takes its count from cached facet totals; start each test without them."""
    cache.clear()


def record(
    source_ref: str,
    *,
    county: str = "420111",
    birth: date = date(1980, 4, 4),
    female: bool = True,
    size: int = 3,
    need_type: str = "medical",
    medical: dict | None = None,
    requested: str = "12000.00",
    urgency: str = "normal",
) -> dict:
    """A clean intake record with the attributes the test chooses."""
    id_number = make_id_number(region_code=county, birth_date=birth, sequence=next(_sequence), female=female)
    body = {
        "source_ref": source_ref,
        "version": 1,
        "region_code": county,
        "household": {"id_number": id_number, "name": "李明", "size": size, "categories": ["dibao"]},
        "need_type": need_type,
        "title": "住院治疗费用缺口",
        "description": "家中成员住院治疗，医保报销后仍有自付费用。",
        "requested_amount": requested,
        "urgency": urgency,
        "needed_by": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "department": "medical_security" if need_type == "medical" else "civil_affairs",
    }
    if medical is not None:
        body["medical"] = medical
    return body


def pushed(api, records: list[dict]) -> dict[str, dict]:
    response = api.push(records)
    assert response.status_code == 200, response.content
    return {row["source_ref"]: row for row in response.json()["results"]}


@pytest.fixture
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def published_need(api, ref: str = "P-1", **fields) -> Need:
    row = pushed(api, [record(ref, **fields)])[ref]
    need = Need.objects.get(code=row["need_code"])
    assert need.status == NeedStatus.PUBLISHED, need.hold_reasons
    return need


# --- the allow-list ------------------------------------------------------------------------------


def test_every_model_field_is_classified_public_or_private_exactly_once():
    model_fields = {field.name for field in Need._meta.concrete_fields}
    assert not PUBLIC_FIELDS & PRIVATE_FIELDS, "a field cannot be both public and private"
    assert model_fields - (PUBLIC_FIELDS | PRIVATE_FIELDS) == set(), "classify the new field"
    assert (PUBLIC_FIELDS | PRIVATE_FIELDS) - model_fields == set(), "a classified field is gone"


def test_the_public_serializer_output_matches_the_snapshot(api, publish_at_once):
    need = published_need(api, medical=MEDICAL_COSTS)
    shown = PublicNeedSerializer(need).data

    assert list(shown) == PUBLIC_OUTPUT_SNAPSHOT
    assert not set(shown) & PRIVATE_FIELDS
    model_fields = {field.name for field in Need._meta.concrete_fields}
    assert {key for key in shown if key in model_fields} <= PUBLIC_FIELDS
    assert set(shown["location"]) == {"code", "name"}
    assert shown["policy"], "a medical need carries its policy computation"
    assert set(shown["policy"]) <= set(PUBLIC_POLICY_KEYS)


def test_the_search_index_of_needs_holds_only_the_public_shape(api, publish_at_once):
    """The allow-list covers the search index too: the Elasticsearch mapping of needs (every
    analyzer) and the document a need becomes are built from the public shape only."""
    from search.backends.elasticsearch import document_types, mapping
    from search.documents import NEED_FIELD_SOURCES, need_document
    from tests.search.test_builders import properties

    for analyzer in ("cjk", "smartcn", "ik"):
        assert properties(mapping("need", analyzer)) == set(NEED_FIELD_SOURCES)
    sources = {source for source in NEED_FIELD_SOURCES.values() if source}
    assert sources <= set(PUBLIC_OUTPUT_SNAPSHOT)
    assert not sources & PRIVATE_FIELDS
    need = published_need(api, medical=MEDICAL_COSTS)
    shown = PublicNeedSerializer(need).data
    document = need_document(shown)
    built = document_types("cjk")["need"](**document).to_dict()
    assert {f"data.{key}" for key in built["data"]} | set(built) <= set(NEED_FIELD_SOURCES)
    assert need.household_token not in repr(built) and need.source_ref not in repr(built)


def test_the_schema_documents_exactly_the_output():
    assert list(PublicNeedSerializer().fields) == PUBLIC_OUTPUT_SNAPSHOT


def _reference(need: Need) -> dict:
    """The public shape as the serializer's declared fields alone would build it."""
    return dict(serializers.ModelSerializer.to_representation(PublicNeedSerializer(), need))


@pytest.fixture
def needs_of_every_shape(db):
    """Needs at each generalization level, with and without policy figures and county rules."""
    source = SourceSystemFactory(region_code="420000")
    stored_policy = {
        "rule_version": "hubei-2024-21+420111-7", "source": "洪山区医疗救助提标办法",
        "total_costs": "12000.00", "statutory_coverage": "8000.00", "charity_gap": "4000.00",
        "inpatient_ratio": "0.80", "deciding_category": "dibao", "region_code": "420111",
    }  # fmt: skip
    county_rules = {
        "rule_version": "hubei-2024-21+420111-7", "policy": stored_policy, "statutory_coverage": "8000.00",
    }  # fmt: skip
    shapes = [
        NeedFactory(source_system=source, region="420111", need_type="medical", **county_rules),
        NeedFactory(source_system=source, region="420111", public_region="420100", **county_rules),
        NeedFactory(
            source_system=source, region="420102", public_region="420100", need_type="education",
            urgency="critical", target_amount="2000", claimed_amount="500",
            status=NeedStatus.PARTIALLY_CLAIMED,
            rule_version="hubei-2024-21", policy={**stored_policy, "rule_version": "hubei-2024-21"},
        ),
        NeedFactory(
            source_system=source, region="429004", need_type="care_service", age_band="70+", sex="female",
            household_size_band="1",
        ),
        NeedFactory(
            source_system=source, region="420602", public_region="420600", categories=[], age_band="0-17",
            sex="male", household_size_band="4+",
        ),
        # Categories shown as 低收入家庭, a wider age band, no department: the deciding category
        # and the figures that give it away are not shown.
        NeedFactory(
            source_system=source, region="420111", generalization="010011", age_band="30-39岁",
            categories=["extreme_poverty"], public_categories=["low_income"],
            rule_version="hubei-2024-21", policy={**stored_policy, "rule_version": "hubei-2024-21"},
            statutory_coverage="8000.00",
        ),
    ]  # fmt: skip
    Need.objects.filter(pk=shapes[3].pk).update(amount_kind="hours")
    Need.objects.filter(pk=shapes[4].pk).update(amount_kind="goods", unit="套", generalization="121211")
    return [Need.objects.get(pk=need.pk) for need in shapes]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_row_builder_gives_what_the_serializer_fields_give(needs_of_every_shape, client, language):
    """The list builds rows from plain values: exactly the declared fields' output, in order."""
    needs = needs_of_every_shape
    with translation.override(language):
        expected = [_reference(need) for need in needs]
        assert [PublicNeedSerializer(need).data for need in needs] == expected
        rows = (
            Need.objects.filter(pk__in=[need.pk for need in needs]).order_by("pk").values_list(*ROW_COLUMNS)
        )
        built = public_need_dicts(rows)
    assert built == expected
    assert [list(row) for row in built] == [PUBLIC_OUTPUT_SNAPSHOT] * len(needs)
    listed = client.get("/api/v1/needs/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
    assert sorted(listed, key=lambda row: row["code"]) == sorted(expected, key=lambda row: row["code"])
    hidden = expected[1]  # at city level, shaped by its county's own rules
    assert hidden["policy"]["rule_version"] == "hubei-2024-21+local"
    assert hidden["requested_amount"] is None and hidden["statutory_coverage"] is None
    suppressed = expected[4]
    assert (suppressed["age_band"], suppressed["sex"], suppressed["household_size_band"]) == ("", "", "")


def test_the_list_shows_what_is_claimed_and_what_remains(client, db):
    source = SourceSystemFactory(region_code="420000")
    NeedFactory(
        source_system=source, target_amount="2000", claimed_amount="500", status=NeedStatus.PARTIALLY_CLAIMED
    )

    row = client.get("/api/v1/needs/").json()["results"][0]

    assert (row["target_amount"], row["claimed_amount"], row["remaining_amount"]) == (
        "2000.00",
        "500.00",
        "1500.00",
    )


def test_the_stored_policy_computation_is_cut_down_to_the_public_keys(api, publish_at_once):
    need = published_need(api, medical=MEDICAL_COSTS)
    assert set(need.policy) - set(PUBLIC_POLICY_KEYS), "the stored computation has more keys"
    assert set(public_policy(need)) <= set(PUBLIC_POLICY_KEYS)
    assert "region_code" not in public_policy(need)


# --- only published needs ------------------------------------------------------------------------


@pytest.fixture
def needs_in_every_state(api, settings):
    """One published need and one each pending, withdrawn and rejected."""
    settings.K_ANONYMITY_K = 1
    published = published_need(api, "PUB", need_type="education", requested="3000.00")
    settings.K_ANONYMITY_K = 5  # alone in its class: these wait
    rows = pushed(api, [record(ref, county="420115", need_type="housing") for ref in ("PEN", "WDR", "REJ")])
    assert {row["status"] for row in rows.values()} == {"held"}
    assert api.withdraw("WDR").status_code == 200
    need_set_status(need=Need.objects.get(source_ref="REJ"), to_status=NeedStatus.REJECTED, note="test")
    others = {ref: Need.objects.get(source_ref=ref) for ref in ("PEN", "WDR", "REJ")}
    assert [others[ref].status for ref in ("PEN", "WDR", "REJ")] == [
        NeedStatus.PENDING_REVIEW,
        NeedStatus.WITHDRAWN,
        NeedStatus.REJECTED,
    ]
    return published, others


def test_the_api_lists_and_shows_only_published_needs(client, needs_in_every_state):
    published, others = needs_in_every_state
    listed = client.get("/api/v1/needs/").json()
    assert [row["code"] for row in listed["results"]] == [published.code]
    assert client.get(f"/api/v1/needs/{published.code}/").status_code == 200
    for need in others.values():
        assert client.get(f"/api/v1/needs/{need.code}/").status_code == 404


def test_the_pages_list_and_show_only_published_needs(client, needs_in_every_state):
    published, others = needs_in_every_state
    listing = client.get("/needs/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert published.code in html
    assert client.get(f"/needs/{published.code}/").status_code == 200
    for need in others.values():
        assert need.code not in html
        assert client.get(f"/needs/{need.code}/").status_code == 404


# --- a medical need ------------------------------------------------------------------------------


def test_a_medical_need_shows_statutory_coverage_what_remains_and_the_rule(client, api, publish_at_once):
    need = published_need(api, "MED-1", medical=MEDICAL_COSTS, requested="12000.00")

    shown = client.get(f"/api/v1/needs/{need.code}/").json()
    assert shown["requested_amount"] == "12000.00"
    assert shown["statutory_coverage"] == "7000.00"  # 70 % of the in-scope self-pay for dibao
    assert shown["target_amount"] == "5000.00"  # what remains: 3,000 in scope + 2,000 out of scope
    assert shown["rule_version"] == "hubei-2024-21"
    policy = shown["policy"]
    assert policy["rule_version"] == "hubei-2024-21"
    assert "鄂民政发〔2024〕21号" in policy["source"]
    assert "7,000.00" in policy["explanation"]
    assert "5,000.00" in policy["explanation"]

    html = page(client, f"/needs/{need.code}/")
    assert "鄂民政发〔2024〕21号" in html
    # The page names the document (issue 11 item 14); the API keeps the machine's rule version.
    assert "《关于加强低收入人口动态监测做好分层分类社会救助工作的实施意见》" in html
    assert "hubei-2024-21" not in html
    assert "7,000.00 元" in html
    assert "5,000.00 元" in html


# --- generalization ------------------------------------------------------------------------------


def test_a_need_published_at_city_level_without_attributes_shows_none_of_them(client, api, settings):
    settings.K_ANONYMITY_K = 5
    # Five urgent households of one need type in four Wuhan districts, no two alike: they meet
    # only at the last rung, city and need type (ordinary needs would wait instead).
    people = [
        ("420102", date(1948, 1, 1), True, 1),
        ("420103", date(1986, 2, 2), False, 2),
        ("420111", date(2011, 3, 3), True, 3),
        ("420115", date(1972, 4, 4), False, 5),
        ("420102", date(1996, 5, 5), False, 6),
    ]
    records = [
        record(
            f"L2-{i}",
            county=county,
            birth=birth,
            female=female,
            size=size,
            need_type="education",
            urgency="urgent",
        )
        for i, (county, birth, female, size) in enumerate(people)
    ]
    pushed(api, records)
    needs = list(Need.objects.all())
    assert {(n.status, n.generalization) for n in needs} == {(NeedStatus.PUBLISHED, "121200")}

    rows = client.get("/api/v1/needs/").json()["results"]
    assert len(rows) == 5
    for row in rows:
        assert (row["age_band"], row["sex"], row["household_size_band"]) == ("", "", "")
        assert row["location"] == {"code": "420100", "name": "武汉市"}
    for need in needs:
        html = page(client, f"/needs/{need.code}/")
        assert need.age_band not in html
        assert need.household_size_band not in html
        assert need.region.name not in html


def test_a_county_override_is_not_cited_for_a_need_published_at_city_level(client, api, settings):
    PolicyOverride.objects.create(
        region_id="420111",
        label="洪山区医疗救助提标办法",
        inpatient_ratios={"dibao": "0.80"},
        effective_from=date(2024, 9, 6),
    )
    settings.K_ANONYMITY_K = 2
    # Alike but in two districts: the pair only reaches k at city level.
    rows = pushed(api, [record("HS-1", county="420111", medical=MEDICAL_COSTS)])
    rows |= pushed(api, [record("JA-1", county="420102", medical=MEDICAL_COSTS)])
    need = Need.objects.get(code=rows["HS-1"]["need_code"])
    assert (need.status, need.generalization, need.public_region_id) == (
        NeedStatus.PUBLISHED,
        "100000",
        "420100",
    )
    assert "420111" in need.rule_version, "the stored computation does cite the county"

    citation = public_policy(need)
    assert citation["rule_version"] == "hubei-2024-21+local"
    assert "鄂民政发〔2024〕21号" in citation["source"]
    for shown in (
        json.dumps(client.get(f"/api/v1/needs/{need.code}/").json(), ensure_ascii=False),
        page(client, f"/needs/{need.code}/"),
    ):
        assert "420111" not in shown
        assert "洪山" not in shown
        # Nor the figures that would give the county's higher ratio away: 80 % of 10,000.
        assert "8000" not in shown and "8,000" not in shown
        assert "0.80" not in shown
    body = client.get(f"/api/v1/needs/{need.code}/").json()
    assert body["statutory_coverage"] is None and body["requested_amount"] is None
    assert body["policy"]["charity_gap"] == body["target_amount"]


def test_a_county_override_is_cited_for_a_need_published_at_county_level(client, api, publish_at_once):
    PolicyOverride.objects.create(
        region_id="420111",
        label="洪山区医疗救助提标办法",
        inpatient_ratios={"dibao": "0.80"},
        effective_from=date(2024, 9, 6),
    )
    need = published_need(api, "HS-2", county="420111", medical=MEDICAL_COSTS)
    assert need.generalization == "000000"
    shown = client.get(f"/api/v1/needs/{need.code}/").json()
    assert shown["location"]["code"] == "420111"
    assert "洪山区医疗救助提标办法" in shown["policy"]["source"]
    assert shown["statutory_coverage"] == "8000.00"
