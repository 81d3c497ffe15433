"""The Elasticsearch backend, on the elasticsearch-dsl API (``elasticsearch.dsl``).

One index per kind (``need``, ``notice``, ``organization``), each read and written through an
alias ``<ELASTICSEARCH_INDEX_PREFIX>-<kind>`` that points at a versioned index
``<prefix>-<kind>-<UTC timestamp>``: ``rebuild`` (``manage.py search_rebuild``) creates a new
version, bulk-loads it, then moves the alias in one atomic ``_aliases`` call and drops the old
versions, so searches never see an empty or half-built index.

The mappings are the ``Document`` classes below, built per analyzer setting
(``ELASTICSEARCH_ANALYZER``: the built-in ``cjk`` bigram analyzer by default, ``smartcn`` or IK
where the cluster has the plugin). Every mapping is ``dynamic: strict`` and declares only the
public fields of ``search.documents`` (the need's are the allow-listed ones of the public list),
so nothing else can enter the index. Queries are built as ``Search`` objects whose ``to_dict()``
the tests check; the same ``SearchResult`` shape as the database backend comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe
from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import (
    A,
    Date,
    Document,
    InnerDoc,
    Integer,
    Keyword,
    MetaField,
    Object,
    Q,
    Search,
    Text,
)

from search.backends.base import FACETS, KINDS, FacetValue, Hit, SearchQuery, SearchResult
from search.highlight import POST, PRE, from_markers, snippet
from search.segment import phrase_of

# Analyzer setting → (index-time analyzer, search-time analyzer).
ANALYZERS = {"cjk": ("cjk", "cjk"), "smartcn": ("smartcn", "smartcn"), "ik": ("ik_max_word", "ik_smart")}
MAX_MATCHING_IDS = 10_000
BULK_CHUNK = 500


class NeedData(InnerDoc):
    """What a need's hit shows beyond the common fields: allow-listed fields of the public list."""

    place = Keyword()
    status = Keyword()
    urgency = Keyword()
    urgency_label = Keyword(index=False)
    remaining_amount = Keyword(index=False)


class PlaceData(InnerDoc):
    place = Keyword(index=False)


def _text(analyzer: str) -> Text:
    index_analyzer, search_analyzer = ANALYZERS[analyzer]
    return Text(analyzer=index_analyzer, search_analyzer=search_analyzer)


@lru_cache(maxsize=8)
def document_types(analyzer: str) -> dict[str, type[Document]]:
    """The ``Document`` class of each kind with text fields analyzed by ``analyzer``."""
    if analyzer not in ANALYZERS:
        raise ValueError(f"ELASTICSEARCH_ANALYZER must be one of {sorted(ANALYZERS)}, not {analyzer!r}")
    types = {}
    for kind, data in (("need", NeedData), ("notice", PlaceData), ("organization", PlaceData)):
        attrs = {
            "kind": Keyword(),
            "id": Keyword(),
            "title": _text(analyzer),
            "body": _text(analyzer),
            "url": Keyword(index=False),
            "region": Keyword(),
            "region_name": Keyword(),
            "type": Keyword(),
            "type_label": Keyword(),
            "date": Date(),
            "year": Integer(),
            "data": Object(data),
            "Meta": type("Meta", (), {"dynamic": MetaField("strict")}),
        }
        name = f"{kind.title()}SearchDocument"
        types[kind] = type(name, (Document,), {"__module__": __name__, "__qualname__": name, **attrs})
    return types


def mapping(kind: str, analyzer: str = "cjk") -> dict[str, Any]:
    """The mapping of ``kind``'s index as sent to the cluster."""
    return document_types(analyzer)[kind]._doc_type.mapping.to_dict()


def _filter(name: str, value: str) -> Q:
    if name == "region":
        return Q("term", region=value)
    if name == "year":
        return Q("term", year=int(value))
    if name == "need_type":
        return Q("term", kind="need") & Q("term", type=value)
    if name == "notice_type":
        return Q("term", kind="notice") & Q("term", type=value)
    raise ValueError(f"Unknown search filter: {name!r}")


def _all(queries: list[Q]) -> Q:
    return Q("bool", filter=queries) if queries else Q("match_all")


def text_query(text: str) -> Q:
    """Every word must match (title or text); the exact phrase in the title, then in the text, ranks first."""
    phrase = phrase_of(text)
    should = []
    if phrase:
        should = [
            Q("match_phrase", title={"query": phrase, "boost": 8}),
            Q("match_phrase", body={"query": phrase, "boost": 4}),
        ]
    return Q(
        "bool",
        must=[Q("multi_match", query=text, fields=["title^2", "body"], type="cross_fields", operator="and")],
        should=should,
    )


def build_search(query: SearchQuery, *, index: str | list[str]) -> Search:
    """The ``Search`` of ``query``: text match as the query; filters and the kind as a post
    filter so that each facet (an aggregation) counts with the other filters only."""
    search = Search(index=index)
    if query.text.strip():
        search = search.query(text_query(query.text))
    filters = query.filter_map
    own = [_filter(name, value) for name, value in filters.items()]
    kind = [Q("term", kind=query.kind)] if query.kind else []
    search = search.post_filter(_all(own + kind))
    search.aggs.bucket("kinds", A("filter", filter=_all(own))).bucket(
        "values", A("terms", field="kind", size=10)
    )
    for name in query.facets:
        kinds, field = FACETS[name]
        others = [_filter(other, value) for other, value in filters.items() if other != name]
        scope = others + kind + [Q("terms", kind=list(kinds))]
        labels = {"region": "region_name", "type": "type_label"}.get(field)
        terms = A("terms", field=field, size=50)
        if labels:
            terms.bucket("label", A("terms", field=labels, size=1))
        search.aggs.bucket(f"facet_{name}", A("filter", filter=_all(scope))).bucket("values", terms)
    search = search.highlight_options(pre_tags=[PRE], post_tags=[POST], encoder="default")
    search = search.highlight("title", number_of_fragments=0).highlight(
        "body", fragment_size=90, number_of_fragments=1
    )
    if query.text.strip() and query.sort == "relevance":
        search = search.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    else:
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "desc"}})
    return search.extra(track_total_hits=True)[query.offset : query.offset + query.page_size]


def client_from_settings() -> Elasticsearch:
    """The client, configured from the environment (URL, credentials, TLS, timeouts, retries)."""
    url = settings.ELASTICSEARCH_URL
    if not url:
        raise RuntimeError("SEARCH_BACKEND is elasticsearch but ELASTICSEARCH_URL is not set.")
    options: dict[str, Any] = {
        "request_timeout": settings.ELASTICSEARCH_TIMEOUT,
        "max_retries": settings.ELASTICSEARCH_MAX_RETRIES,
        "retry_on_timeout": True,
    }
    if settings.ELASTICSEARCH_API_KEY:
        options["api_key"] = settings.ELASTICSEARCH_API_KEY
    elif settings.ELASTICSEARCH_USERNAME:
        options["basic_auth"] = (settings.ELASTICSEARCH_USERNAME, settings.ELASTICSEARCH_PASSWORD)
    if url.startswith("https"):
        options["verify_certs"] = settings.ELASTICSEARCH_VERIFY_CERTS
        if settings.ELASTICSEARCH_CA_CERTS:
            options["ca_certs"] = settings.ELASTICSEARCH_CA_CERTS
    return Elasticsearch(url, **options)


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, *, prefix: str = "portal", analyzer: str = "cjk"):
        self.client, self.prefix, self.analyzer = client, prefix, analyzer

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        return cls(
            client_from_settings(),
            prefix=settings.ELASTICSEARCH_INDEX_PREFIX,
            analyzer=settings.ELASTICSEARCH_ANALYZER,
        )

    def alias(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    def _ensure(self, kind: str) -> None:
        """Create a first version behind the alias when there is none (first write to an empty cluster)."""
        if not self.client.indices.exists_alias(name=self.alias(kind)):
            self._create_version(kind, alias=True)

    def _create_version(self, kind: str, *, alias: bool) -> str:
        name = f"{self.alias(kind)}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        body: dict[str, Any] = {"mappings": mapping(kind, self.analyzer)}
        if alias:
            body["aliases"] = {self.alias(kind): {}}
        self.client.indices.create(index=name, **body)
        return name

    # --- Writing ----------------------------------------------------------------------------------

    def _action(self, document: dict[str, Any], index: str) -> dict[str, Any]:
        source = document_types(self.analyzer)[document["kind"]](**document).to_dict(skip_empty=False)
        return {"_op_type": "index", "_index": index, "_id": str(document["id"]), "_source": source}

    def index(self, document: dict[str, Any]) -> None:
        self.bulk_index([document])

    def bulk_index(
        self, documents: Iterable[dict[str, Any]], *, progress: Callable[[int], None] | None = None
    ) -> int:
        ensured: set[str] = set()

        def actions() -> Iterator[dict[str, Any]]:
            for document in documents:
                if document["kind"] not in ensured:
                    self._ensure(document["kind"])
                    ensured.add(document["kind"])
                yield self._action(document, self.alias(document["kind"]))

        return self._bulk(actions(), progress=progress)

    def _bulk(self, actions: Iterable[dict[str, Any]], *, progress=None) -> int:
        done = 0
        for ok, _item in helpers.streaming_bulk(
            self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=True
        ):
            if ok:
                done += 1
                if progress:
                    progress(1)
        return done

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        actions = ({"_op_type": "delete", "_index": self.alias(kind), "_id": str(key)} for key in ids)
        removed = 0
        for ok, _item in helpers.streaming_bulk(
            self.client, actions, raise_on_error=False, raise_on_exception=False
        ):
            removed += bool(ok)
        return removed

    def rebuild(
        self, documents: Iterable[dict[str, Any]], *, kinds: Iterable[str] = KINDS, progress=None, total=None
    ) -> int:
        """Load a new version of each kind's index, then move the aliases to it in one call."""
        kinds = list(kinds)
        versions = {kind: self._create_version(kind, alias=False) for kind in kinds}
        for name in versions.values():
            self.client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "-1"}})
        done = self._bulk(
            (
                self._action(document, versions[document["kind"]])
                for document in documents
                if document["kind"] in versions
            ),
            progress=progress,
        )
        actions = []
        for kind, name in versions.items():
            self.client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
            self.client.indices.refresh(index=name)
            old = self._versions(kind) - {name}
            actions += [{"remove": {"index": index, "alias": self.alias(kind)}} for index in sorted(old)]
            actions.append({"add": {"index": name, "alias": self.alias(kind)}})
        self.client.indices.update_aliases(actions=actions)
        for kind, name in versions.items():
            for index in sorted(self._versions(kind, aliased=False) - {name}):
                self.client.indices.delete(index=index, ignore_unavailable=True)
        return done

    def _versions(self, kind: str, *, aliased: bool = True) -> set[str]:
        try:
            if aliased:
                return set(self.client.indices.get_alias(name=self.alias(kind)).keys())
            return set(self.client.indices.get(index=f"{self.alias(kind)}-*").keys())
        except NotFoundError:
            return set()

    # --- Reading ----------------------------------------------------------------------------------

    def ids(self, kind: str) -> Iterator[str]:
        search = Search(using=self.client, index=self.alias(kind)).source(False)
        try:
            for hit in search.params(size=1000).scan():
                yield hit.meta.id
        except NotFoundError:
            return

    def count(self, kind: str) -> int:
        try:
            return int(self.client.count(index=self.alias(kind))["count"])
        except NotFoundError:
            return 0

    def matching_ids(self, kind: str, text: str) -> list[str]:
        search = Search(using=self.client, index=self.alias(kind)).query(text_query(text)).source(False)
        try:
            return [hit.meta.id for hit in search[:MAX_MATCHING_IDS].execute()]
        except NotFoundError:
            return []

    def search(self, query: SearchQuery) -> SearchResult:
        search = build_search(query, index=[self.alias(kind) for kind in KINDS]).using(self.client)
        search = search.params(ignore_unavailable=True, allow_no_indices=True)
        return result_of(query, search.execute().to_dict())


def result_of(query: SearchQuery, response: dict[str, Any]) -> SearchResult:
    """The backend-neutral result of a search response (a dict as the cluster answers)."""
    hits = []
    for raw in response["hits"]["hits"]:
        source, marks = raw["_source"], raw.get("highlight", {})
        title = source.get("title", "")
        body = source.get("body", "")
        hits.append(
            Hit(
                kind=source["kind"],
                id=source["id"],
                title=title,
                url=source.get("url", ""),
                title_html=from_markers(marks["title"][0])
                if marks.get("title")
                else mark_safe(escape(title)),  # noqa: S308
                snippet_html=from_markers(marks["body"][0]) if marks.get("body") else snippet(body, ()),
                region=source.get("region", ""),
                region_name=source.get("region_name", ""),
                type=source.get("type", ""),
                type_label=source.get("type_label", ""),
                date=(source.get("date") or None) and str(source["date"])[:10],
                year=source.get("year"),
                score=float(raw.get("_score") or 0.0),
                data=source.get("data") or {},
            )
        )
    aggregations = response.get("aggregations", {})
    kind_counts = {kind: 0 for kind in KINDS}
    for bucket in aggregations.get("kinds", {}).get("values", {}).get("buckets", []):
        kind_counts[bucket["key"]] = bucket["doc_count"]
    facets: dict[str, list[FacetValue]] = {}
    for name in query.facets:
        buckets = aggregations.get(f"facet_{name}", {}).get("values", {}).get("buckets", [])
        values = []
        for bucket in buckets:
            label_buckets = bucket.get("label", {}).get("buckets", [])
            label = label_buckets[0]["key"] if label_buckets else str(bucket["key"])
            values.append(FacetValue(str(bucket["key"]), str(label), bucket["doc_count"]))
        if name == "year":
            values.sort(key=lambda value: -int(value.value))
        facets[name] = values
    total = response["hits"]["total"]
    total = total["value"] if isinstance(total, dict) else int(total)
    return SearchResult(query=query, hits=hits, total=total, facets=facets, kind_counts=kind_counts)
