"""The search backends under test: the database backend always (on whichever database the run
uses: SQLite by default, PostgreSQL with DATABASE_URL), Elasticsearch when ELASTICSEARCH_URL
names a live cluster (skipped with the reason otherwise)."""

from __future__ import annotations

import os
import uuid

import pytest

from search.backends import _backend


def document(kind: str, key: str, title: str, body: str = "", **extra) -> dict:
    """A search document as ``search.documents`` makes them."""
    defaults = {
        "need": ("medical", "医疗"),
        "notice": ("policy", "政策文件"),
        "organization": ("charity", "慈善组织"),
    }[kind]
    return {
        "kind": kind,
        "id": key,
        "title": title,
        "body": body,
        "url": f"/{kind}/{key}/",
        "region": extra.pop("region", "420100"),
        "region_name": extra.pop("region_name", "武汉市"),
        "type": extra.pop("type", defaults[0]),
        "type_label": extra.pop("type_label", defaults[1]),
        "date": extra.pop("date", "2026-05-01"),
        "year": extra.pop("year", 2026),
        "data": extra.pop("data", {"place": "武汉市"} if kind != "need" else {"place": "洪山区"}),
        **extra,
    }


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request, settings):
    """A backend with an empty index; ``backend.load(docs)`` indexes and makes them searchable."""
    if request.param == "elasticsearch":
        if not os.environ.get("ELASTICSEARCH_URL"):
            pytest.skip("needs a live Elasticsearch cluster: set ELASTICSEARCH_URL=http://…")
        from search.backends.elasticsearch import ElasticsearchBackend, client_from_settings

        settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
        prefix = f"test-{uuid.uuid4().hex[:10]}"
        engine = ElasticsearchBackend(client_from_settings(), prefix=prefix)

        def load(documents):
            engine.bulk_index(documents)
            engine.client.indices.refresh(index=f"{prefix}-*")

        engine.load = load
        settings.SEARCH_BACKEND = "elasticsearch"
        _backend.cache_clear()
        yield engine
        engine.client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        _backend.cache_clear()
        return
    request.getfixturevalue("db")
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()
    engine = _backend("database")
    engine.load = engine.bulk_index
    yield engine
