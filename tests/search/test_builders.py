"""The Elasticsearch backend through its builders' ``to_dict()``: mappings and queries as they
would be sent, the client's options from the environment, a canned response read back."""

from __future__ import annotations

import json

import pytest

from marketplace.needs.serializers import PRIVATE_FIELDS, PublicNeedSerializer
from search.backends import SearchQuery
from search.backends.elasticsearch import (
    ElasticsearchBackend,
    build_search,
    client_from_settings,
    document_types,
    mapping,
    result_of,
    text_query,
)
from search.documents import NEED_FIELD_SOURCES
from search.highlight import POST, PRE

KINDS = ("need", "notice", "organization")


def properties(tree: dict, prefix: str = "") -> set[str]:
    names = set()
    for name, field in tree["properties"].items():
        names.add(prefix + name)
        if "properties" in field:
            names |= properties(field, prefix + name + ".")
    return names


@pytest.mark.parametrize("kind", KINDS)
def test_every_mapping_is_strict_and_analyzes_text_with_cjk_by_default(kind):
    tree = mapping(kind)
    assert tree["dynamic"] == "strict"
    for field in ("title", "body"):
        assert tree["properties"][field] == {"type": "text", "analyzer": "cjk", "search_analyzer": "cjk"}
    for field in ("kind", "id", "region", "type", "region_name", "type_label"):
        assert tree["properties"][field]["type"] == "keyword"
    assert tree["properties"]["date"] == {"type": "date"}
    assert tree["properties"]["year"] == {"type": "integer"}


@pytest.mark.parametrize(
    ("setting", "index_analyzer", "search_analyzer"),
    [("smartcn", "smartcn", "smartcn"), ("ik", "ik_max_word", "ik_smart")],
)
def test_smartcn_or_ik_by_setting(setting, index_analyzer, search_analyzer):
    title = mapping("notice", setting)["properties"]["title"]
    assert title == {"type": "text", "analyzer": index_analyzer, "search_analyzer": search_analyzer}


def test_an_unknown_analyzer_is_refused():
    with pytest.raises(ValueError, match="ELASTICSEARCH_ANALYZER"):
        document_types("standard")


def test_every_field_of_the_need_mapping_comes_from_the_public_shape():
    public = set(PublicNeedSerializer.Meta.fields)
    for analyzer in ("cjk", "smartcn", "ik"):
        assert properties(mapping("need", analyzer)) == set(NEED_FIELD_SOURCES)
    assert {source for source in NEED_FIELD_SOURCES.values() if source} <= public
    assert not {source for source in NEED_FIELD_SOURCES.values() if source} & PRIVATE_FIELDS


def test_no_other_mapping_has_a_field_the_need_mapping_lacks():
    # Notices and organizations share the fields (their data holds only the place shown).
    need = properties(mapping("need"))
    for kind in ("notice", "organization"):
        assert properties(mapping(kind)) <= need
        assert properties(mapping(kind)["properties"]["data"]) == {"place"}


def test_a_document_with_a_field_outside_the_mapping_cannot_be_built_into_the_index():
    # dynamic: strict on the cluster; the Document refuses it before (unknown attribute kept out).
    need = document_types("cjk")["need"](kind="need", id="N1", title="t", data={"place": "武汉市"})
    assert need.to_dict() == {"kind": "need", "id": "N1", "title": "t", "data": {"place": "武汉市"}}


def test_the_text_query_needs_every_word_and_boosts_the_exact_phrase():
    assert text_query("武汉 教育").to_dict() == {
        "bool": {
            "must": [
                {
                    "multi_match": {
                        "query": "武汉 教育",
                        "fields": ["title^2", "body"],
                        "type": "cross_fields",
                        "operator": "and",
                    }
                }
            ],
            "should": [
                {"match_phrase": {"title": {"query": "武汉教育", "boost": 8}}},
                {"match_phrase": {"body": {"query": "武汉教育", "boost": 4}}},
            ],
        }
    }


def test_the_search_filters_after_the_facets_and_counts_each_facet_without_its_own_filter():
    query = SearchQuery(text="医疗", kind="need", filters=(("region", "420100"), ("year", "2026")), page=2)
    body = build_search(query, index=["portal-need", "portal-notice"]).to_dict()
    assert body["query"]["bool"]["must"][0]["multi_match"]["query"] == "医疗"
    assert body["post_filter"] == {
        "bool": {
            "filter": [{"term": {"region": "420100"}}, {"term": {"year": 2026}}, {"term": {"kind": "need"}}]
        }
    }
    # Kind counts (the tabs): every filter but the kind.
    assert body["aggs"]["kinds"]["filter"] == {
        "bool": {"filter": [{"term": {"region": "420100"}}, {"term": {"year": 2026}}]}
    }
    region = body["aggs"]["facet_region"]
    assert region["filter"]["bool"]["filter"] == [
        {"term": {"year": 2026}},
        {"term": {"kind": "need"}},
        {"terms": {"kind": ["need", "notice", "organization"]}},
    ]
    assert region["aggs"]["values"]["terms"] == {"field": "region", "size": 50}
    assert region["aggs"]["values"]["aggs"]["label"]["terms"]["field"] == "region_name"
    assert body["aggs"]["facet_notice_type"]["filter"]["bool"]["filter"][-1] == {
        "terms": {"kind": ["notice"]}
    }
    assert body["highlight"]["pre_tags"] == [PRE] and body["highlight"]["post_tags"] == [POST]
    assert body["highlight"]["fields"]["title"] == {"number_of_fragments": 0}
    assert body["sort"] == ["_score", {"date": {"order": "desc", "missing": "_last"}}]
    assert body["from"] == 20 and body["size"] == 20
    assert body["track_total_hits"] is True


def test_a_need_type_filter_keeps_to_needs():
    body = build_search(SearchQuery(text="", filters=(("need_type", "medical"),)), index="x").to_dict()
    assert "query" not in body or body["query"] == {"match_all": {}}
    assert body["post_filter"] == {
        "bool": {"filter": [{"bool": {"must": [{"term": {"kind": "need"}}, {"term": {"type": "medical"}}]}}]}
    }
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}


def test_the_client_takes_url_credentials_tls_timeouts_and_retries_from_settings(settings):
    settings.ELASTICSEARCH_URL = "https://es.example.internal:9200"
    settings.ELASTICSEARCH_USERNAME, settings.ELASTICSEARCH_PASSWORD = "portal", "s3cret"
    settings.ELASTICSEARCH_TIMEOUT, settings.ELASTICSEARCH_MAX_RETRIES = 7.5, 4
    settings.ELASTICSEARCH_VERIFY_CERTS, settings.ELASTICSEARCH_CA_CERTS = True, ""
    client = client_from_settings()
    node = client.transport.node_pool.get()
    assert node.config.host == "es.example.internal" and node.config.scheme == "https"
    assert node.config.verify_certs is True
    assert client._max_retries == 4 and client._retry_on_timeout is True
    assert client._request_timeout == 7.5
    assert client._headers["authorization"].startswith("Basic ")


def test_no_url_is_a_clear_error(settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(RuntimeError, match="ELASTICSEARCH_URL"):
        client_from_settings()


def test_index_names_are_versioned_behind_an_alias_per_kind():
    backend = ElasticsearchBackend(client=None, prefix="portal")
    assert backend.alias("need") == "portal-need"


def test_a_response_reads_back_in_the_database_backends_shape():
    query = SearchQuery(text="医疗")
    response = {
        "hits": {
            "total": {"value": 1, "relation": "eq"},
            "hits": [
                {
                    "_score": 3.5,
                    "_source": {
                        "kind": "need",
                        "id": "N1",
                        "title": "<医疗>",
                        "body": "医疗救助",
                        "url": "/needs/N1/",
                        "region": "420100",
                        "region_name": "武汉市",
                        "type": "medical",
                        "type_label": "医疗",
                        "date": "2026-05-01",
                        "year": 2026,
                        "data": {"place": "洪山区"},
                    },
                    "highlight": {"title": [f"<{PRE}医疗{POST}>"], "body": [f"{PRE}医疗{POST}救助"]},
                }
            ],
        },
        "aggregations": {
            "kinds": {"values": {"buckets": [{"key": "need", "doc_count": 1}]}},
            "facet_region": {
                "values": {
                    "buckets": [{"key": "420100", "doc_count": 1, "label": {"buckets": [{"key": "武汉市"}]}}]
                }
            },
            "facet_year": {
                "values": {"buckets": [{"key": 2025, "doc_count": 2}, {"key": 2026, "doc_count": 1}]}
            },
        },
    }
    result = result_of(query, response)
    hit = result.hits[0]
    assert hit.title_html == "&lt;<mark>医疗</mark>&gt;"
    assert hit.snippet_html == "<mark>医疗</mark>救助"
    assert result.total == 1
    assert result.kind_counts == {"need": 1, "notice": 0, "organization": 0}
    assert [(v.value, v.label, v.count) for v in result.facets["region"]] == [("420100", "武汉市", 1)]
    assert [v.value for v in result.facets["year"]] == ["2026", "2025"]
    assert json.dumps(hit.as_dict(), ensure_ascii=False)
