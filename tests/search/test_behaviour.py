"""What a searcher notices, whichever backend answers: the database backend on SQLite and on
PostgreSQL (run the suite with DATABASE_URL), Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import pytest

from search.backends import SearchQuery
from tests.search.conftest import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(backend):
    backend.load(
        [
            document(
                "need", "N1", "洪山区 · 医疗 · 住院费用缺口", "家中老人住院治疗，医保报销后仍有自付费用。"
            ),
            document(
                "need",
                "N2",
                "武昌区 · 教育",
                "孩子在武汉上学，学杂费有缺口。",
                type="education",
                type_label="教育",
            ),
            document(
                "need",
                "N3",
                "武汉教育助学 · 高中学费",
                "高中学费和住宿费。",
                type="education",
                type_label="教育",
            ),
            document(
                "need",
                "N4",
                "襄城区 · 教育",
                "学生学费困难。",
                type="education",
                type_label="教育",
                region="420600",
                region_name="襄阳市",
                date="2025-03-02",
                year=2025,
            ),
            document("need", "N5", "住房修缮", "C级危房加固。", type="housing", type_label="住房"),
            document(
                "notice",
                "7",
                "关于进一步做好医疗救助工作的通知",
                "全省医疗救助对象范围和比例。",
                region="420000",
                region_name="湖北省",
                date="2025-11-20",
                year=2025,
            ),
            document(
                "notice",
                "8",
                "2026年武汉市教育资助政策解读",
                "武汉市困难家庭学生教育资助。",
                type="interpretation",
                type_label="政策解读",
            ),
            document("organization", "3", "武汉市阳光公益慈善会", "为困难家庭提供医疗费用和助学帮扶。"),
        ]
    )
    return backend


def ids(result) -> list[str]:
    return [f"{hit.kind}:{hit.id}" for hit in result.hits]


def test_a_two_character_chinese_word_finds_every_kind_that_has_it(corpus):
    result = corpus.search(SearchQuery(text="医疗"))
    assert set(ids(result)) == {"need:N1", "notice:7", "organization:3"}
    assert result.total == 3
    assert result.kind_counts == {"need": 1, "notice": 1, "organization": 1}


def test_every_word_must_match_and_the_exact_phrase_ranks_first(corpus):
    result = corpus.search(SearchQuery(text="武汉 教育"))
    found = ids(result)
    # N3 has 武汉教育 as written; N2 and the notice have both words apart; N4 has no 武汉.
    assert set(found) == {"need:N2", "need:N3", "notice:8"}
    assert found[0] == "need:N3"


def test_words_inside_longer_words_are_found(corpus):
    # 住院 inside 住院费用缺口 / 住院治疗; 危房 inside C级危房加固.
    assert ids(corpus.search(SearchQuery(text="住院"))) == ["need:N1"]
    assert ids(corpus.search(SearchQuery(text="危房"))) == ["need:N5"]


def test_nothing_found_is_an_empty_page_with_zero_counts(corpus):
    result = corpus.search(SearchQuery(text="殡葬"))
    assert result.hits == [] and result.total == 0
    assert result.kind_counts == {"need": 0, "notice": 0, "organization": 0}
    assert all(values == [] for values in result.facets.values())


def test_tabs_count_every_kind_and_a_tab_shows_only_its_kind(corpus):
    result = corpus.search(SearchQuery(text="教育", kind="need"))
    assert set(ids(result)) == {"need:N2", "need:N3", "need:N4"}
    assert result.total == 3
    assert result.kind_counts == {"need": 3, "notice": 1, "organization": 0}


def test_facets_count_region_need_type_notice_type_and_year(corpus):
    result = corpus.search(SearchQuery(text="教育"))
    facets = {
        name: {value.value: (value.label, value.count) for value in values}
        for name, values in result.facets.items()
    }
    assert facets["region"] == {"420100": ("武汉市", 3), "420600": ("襄阳市", 1)}
    assert facets["need_type"] == {"education": ("教育", 3)}
    assert facets["notice_type"] == {"interpretation": ("政策解读", 1)}
    assert facets["year"] == {"2026": ("2026", 3), "2025": ("2025", 1)}
    assert [value.value for value in result.facets["year"]] == ["2026", "2025"]


def test_a_facet_narrows_the_results_and_still_offers_its_other_values(corpus):
    result = corpus.search(SearchQuery(text="教育", filters=(("region", "420600"),)))
    assert ids(result) == ["need:N4"]
    # The region facet counts with the other filters only, so Wuhan is still offered.
    assert {value.value: value.count for value in result.facets["region"]} == {"420100": 3, "420600": 1}
    assert {value.value: value.count for value in result.facets["year"]} == {"2025": 1}
    both = corpus.search(SearchQuery(text="教育", filters=(("need_type", "education"), ("year", "2026"))))
    assert set(ids(both)) == {"need:N2", "need:N3"}


def test_highlights_mark_only_the_matched_words_and_escape_the_text(backend):
    backend.load(
        [document("need", "X1", "<b>医疗</b> & 费用", "医疗救助后 <script>alert(1)</script> 仍有缺口")]
    )
    hit = backend.search(SearchQuery(text="医疗")).hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>医疗</mark>&lt;/b&gt; &amp; 费用"
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>医疗</mark>" in hit.snippet_html
    assert hit.snippet_html.count("<mark>") == 1


def test_reindexing_replaces_and_delete_removes(corpus):
    corpus.load([document("need", "N1", "洪山区 · 住房", "屋顶漏雨。", type="housing", type_label="住房")])
    assert ids(corpus.search(SearchQuery(text="医疗", kind="need"))) == []
    assert ids(corpus.search(SearchQuery(text="漏雨"))) == ["need:N1"]
    corpus.delete("need", ["N1", "missing"])
    if hasattr(corpus, "client"):
        corpus.client.indices.refresh(index=f"{corpus.prefix}-*")
    assert ids(corpus.search(SearchQuery(text="漏雨"))) == []
    assert corpus.count("need") == 4
    assert sorted(corpus.ids("need")) == ["N2", "N3", "N4", "N5"]


def test_newest_first_and_pages(corpus):
    result = corpus.search(SearchQuery(text="", kind="need", sort="newest", page_size=2))
    assert result.total == 5 and result.pages == 3
    assert [hit.date for hit in result.hits] == ["2026-05-01", "2026-05-01"]
    last = corpus.search(SearchQuery(text="", kind="need", sort="newest", page=3, page_size=2))
    assert ids(last) == ["need:N4"]


def test_the_keyword_ids_of_needs_are_the_matching_codes(corpus):
    assert sorted(
        key if isinstance(key, str) else key["key"] for key in corpus.matching_ids("need", "武汉 教育")
    ) == [
        "N2",
        "N3",
    ]
