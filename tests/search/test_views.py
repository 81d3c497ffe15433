"""``/search/`` and ``GET /api/v1/search/``: what a visitor sees and what a client reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from search.backends import _backend
from tests.search.conftest import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(settings):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()
    _backend("database").bulk_index(
        [
            document(
                "need",
                "N1",
                "洪山区 · 医疗 · 住院费用",
                "住院后仍有<b>自付</b>费用。",
                data={"place": "洪山区"},
            ),
            document("need", "N2", "武汉教育助学", "高中学费。", type="education", type_label="教育"),
            document(
                "notice",
                "7",
                "关于做好医疗救助工作的通知",
                "全省医疗救助。",
                region="420000",
                region_name="湖北省",
                year=2025,
                date="2025-11-20",
            ),
        ]
    )


def test_the_search_page_replaces_coming_soon_with_one_box(client):
    page = client.get(reverse("search"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("search") == "/search/"
    assert 'name="q"' in html and 'type="search"' in html
    assert "即将开放" not in html and "Coming soon" not in html


def test_results_have_tabs_facets_and_escaped_highlights(client, indexed):
    html = client.get("/search/", {"q": "医疗"}).content.decode()
    assert "2 条结果" in html or "2 results" in html
    assert "<mark>医疗</mark>" in html
    assert "&lt;b&gt;自付&lt;/b&gt;" in html and "<b>自付</b>" not in html
    # Tabs with counts: all 2, needs 1, notices 1, organizations 0.
    assert 'aria-current="page">全部 <span class="search-tab__count">2</span>' in html
    assert "kind=notice" in html and "kind=need" in html
    # Facets: region, need type, notice type, year.
    for label in ("武汉市", "湖北省", "政策文件", "2025", "2026"):
        assert label in html


def test_a_tab_and_a_facet_narrow_the_results(client, indexed):
    html = client.get("/search/", {"q": "医疗", "kind": "notice"}).content.decode()
    assert "关于做好" in html and "住院费用" not in html
    html = client.get("/search/", {"q": "医疗", "year": "2026"}).content.decode()
    assert "住院费用" in html and "关于做好" not in html


def test_nothing_found_says_what_to_try_in_chinese(client, indexed):
    html = client.get("/search/", {"q": "殡葬补贴"}).content.decode()
    assert "没有找到与“殡葬补贴”相关的结果" in html
    assert "减少或缩短关键词" in html
    assert reverse("needs:list") in html


def test_a_bad_parameter_is_explained_in_chinese(client, indexed):
    response = client.get("/search/", {"q": "医疗", "year": "去年"})
    assert response.status_code == 400
    assert "请填写年份，例如 2026。" in response.content.decode()


def test_the_api_returns_the_same_results_as_json(client, indexed):
    body = client.get("/api/v1/search/", {"q": "医疗", "kind": ""}).json()
    assert body["total"] == 2 and body["kind_counts"] == {"need": 1, "notice": 1, "organization": 0}
    # The notice has 医疗 in its title and its text, the need in its title only.
    assert [(hit["kind"], hit["id"]) for hit in body["results"]] == [("notice", "7"), ("need", "N1")]
    hit = body["results"][1]
    assert hit["title_html"] == "洪山区 · <mark>医疗</mark> · 住院费用"
    assert hit["url"] == "/need/N1/" and hit["date"] == "2026-05-01"
    assert {facet["value"] for facet in body["facets"]["year"]} == {"2025", "2026"}
    needs = client.get("/api/v1/search/", {"q": "医疗", "kind": "need"}).json()
    assert [hit["id"] for hit in needs["results"]] == ["N1"]


def test_the_api_refuses_bad_parameters_field_by_field(client):
    response = client.get("/api/v1/search/", {"kind": "people", "page": "0", "region": "110000"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "page", "region"}


def test_the_api_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "kind", "region", "year"}
    assert "q" in {parameter["name"] for parameter in schema["paths"]["/api/v1/needs/"]["get"]["parameters"]}


def test_the_needs_browser_has_a_keyword_box(client):
    html = client.get("/needs/").content.decode()
    assert 'id="filter-q"' in html and 'name="q"' in html
