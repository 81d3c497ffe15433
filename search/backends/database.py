"""The embedded default: the index is a table (``search.models.SearchEntry``) in the portal's
own database, its words segmented by jieba (``search.segment``).

Matching: every word of the query must be among a document's words, through PostgreSQL's
full-text search (``search_vector @@ plainto_tsquery('simple', …)``, GIN index) or SQLite's FTS5
(``search_entry_fts MATCH '"武汉" AND "教育"'``); on another vendor, substrings. Ranking (the same
on every vendor, so both answer alike): the exact phrase in the title, then in the text, then
how many of the words are in the title, then newest. Facets are ``GROUP BY`` counts over the
matching documents, each with the other facets' filters applied; counting stops at
``count_limit`` (10,000) matches, past which counts are "more than" or lower bounds. On
PostgreSQL a search is one statement in the common case (``_search_postgresql``); a rebuild
fills the table with ``COPY``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import reduce
from operator import add
from typing import Any

from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from search.backends.base import COUNT_LIMIT, FACETS, KINDS, FacetValue, Hit, SearchQuery, SearchResult
from search.highlight import highlight, snippet
from search.models import SearchEntry
from search.segment import index_tokens, phrase_of, query_terms

FIELDS = (
    "title", "body", "url", "region", "region_name", "type", "type_label", "date", "year",
    "title_tokens", "body_tokens", "data",
)  # fmt: skip
CHUNK = 1000


def _vendor() -> str:
    return connections[router.db_for_write(SearchEntry)].vendor


def entry_of(document: dict[str, Any]) -> SearchEntry:
    """The unsaved row of a document, its title and text segmented into words."""
    day = document.get("date")
    return SearchEntry(
        kind=document["kind"],
        key=str(document["id"]),
        title=document["title"] or "",
        body=document.get("body") or "",
        url=document.get("url") or "",
        region=document.get("region") or "",
        region_name=document.get("region_name") or "",
        type=document.get("type") or "",
        type_label=document.get("type_label") or "",
        date=date.fromisoformat(day[:10]) if day else None,
        year=document.get("year"),
        title_tokens=index_tokens(document["title"] or ""),
        body_tokens=index_tokens(document.get("body") or ""),
        data=document.get("data") or {},
    )


class DatabaseBackend:
    name = "database"
    count_limit = COUNT_LIMIT

    # --- Writing ----------------------------------------------------------------------------------

    def index(self, document: dict[str, Any]) -> None:
        self.bulk_index([document])

    def bulk_index(
        self,
        documents: Iterable[dict[str, Any]],
        *,
        progress: Callable[[int], None] | None = None,
        fresh: bool = False,
    ) -> int:
        """Upsert the documents; ``fresh`` (a rebuild into an emptied table) inserts plainly."""
        done = 0
        for chunk in _chunks(documents, CHUNK):
            entries = [entry_of(document) for document in chunk]
            with transaction.atomic(using=router.db_for_write(SearchEntry)):
                if fresh:
                    SearchEntry.objects.bulk_create(entries)
                else:
                    SearchEntry.objects.bulk_create(
                        entries, update_conflicts=True, unique_fields=["kind", "key"], update_fields=FIELDS
                    )
                self._write_fts(entries)
            done += len(entries)
            if progress:
                progress(len(entries))
        return done

    def _write_fts(self, entries: list[SearchEntry]) -> None:
        if _vendor() != "sqlite":
            return
        ids: dict[tuple[str, str], int] = {}
        for kind in {entry.kind for entry in entries}:
            keys = [entry.key for entry in entries if entry.kind == kind]
            rows = SearchEntry.objects.filter(kind=kind, key__in=keys).values_list("key", "pk")
            ids.update({(kind, key): pk for key, pk in rows})
        rows = [(ids[(e.kind, e.key)], e.title_tokens, e.body_tokens) for e in entries]
        with connections[router.db_for_write(SearchEntry)].cursor() as cursor:
            cursor.executemany("DELETE FROM search_entry_fts WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(
                "INSERT INTO search_entry_fts (rowid, title_tokens, body_tokens) VALUES (%s, %s, %s)", rows
            )

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        keys = [str(key) for key in ids]
        removed = 0
        with transaction.atomic(using=router.db_for_write(SearchEntry)):
            for start in range(0, len(keys), CHUNK):
                entries = SearchEntry.objects.filter(kind=kind, key__in=keys[start : start + CHUNK])
                if _vendor() == "sqlite":
                    pks = list(entries.values_list("pk", flat=True))
                    with connections[router.db_for_write(SearchEntry)].cursor() as cursor:
                        cursor.executemany(
                            "DELETE FROM search_entry_fts WHERE rowid = %s", [(pk,) for pk in pks]
                        )
                removed += entries.delete()[0]
        return removed

    def rebuild(
        self, documents: Iterable[dict[str, Any]], *, kinds: Iterable[str] = KINDS, progress=None, total=None
    ) -> int:
        """Empty the table of ``kinds`` and fill it again, in one transaction: readers see the old
        rows until it commits (no downtime on PostgreSQL; on SQLite, writers wait)."""
        kinds = list(kinds)
        with transaction.atomic(using=router.db_for_write(SearchEntry)):
            if _vendor() == "sqlite":
                with connections[router.db_for_write(SearchEntry)].cursor() as cursor:
                    for kind in kinds:
                        cursor.execute(
                            "DELETE FROM search_entry_fts WHERE rowid IN "
                            "(SELECT id FROM search_searchentry WHERE kind = %s)",
                            [kind],
                        )
            with connections[router.db_for_write(SearchEntry)].cursor() as cursor:
                for kind in kinds:  # one statement (the ORM's delete would read every row first)
                    cursor.execute("DELETE FROM search_searchentry WHERE kind = %s", [kind])
            if _vendor() != "postgresql":
                return self.bulk_index(documents, progress=progress, fresh=True)
            return _copy_postgresql(documents, progress)

    # --- Reading ----------------------------------------------------------------------------------

    def ids(self, kind: str) -> Iterator[str]:
        return SearchEntry.objects.filter(kind=kind).values_list("key", flat=True).iterator(chunk_size=5000)

    def count(self, kind: str) -> int:
        return SearchEntry.objects.filter(kind=kind).count()

    def matching_ids(self, kind: str, text: str) -> QuerySet:
        """The keys of the documents of ``kind`` matching ``text``: a lazy values list, usable as
        a subquery (``code__in=…``) in the same database."""
        return _matching(SearchEntry.objects.filter(kind=kind), query_terms(text)).values("key")

    def search(self, query: SearchQuery) -> SearchResult:
        if _vendor() == "postgresql":
            return self._search_postgresql(query)
        terms = query_terms(query.text) if query.text.strip() else ()
        matched = (
            _matching(SearchEntry.objects.all(), terms) if query.text.strip() else SearchEntry.objects.all()
        )
        filters = query.filter_map

        # One grouped count of the first ``count_limit + 1`` matching documents gives the tabs
        # and every facet: each is then summed here with the filters it must respect (the other
        # facets', the tab's). Past the limit the tabs are counted with the filters, each up to
        # the limit, and the facet counts are lower bounds.
        limit = self.count_limit
        first = SearchEntry.objects.filter(pk__in=matched.order_by().values("pk")[: limit + 1])
        cells = list(
            first.order_by()
            .values_list("kind", "region", "region_name", "type", "type_label", "year")
            .annotate(n=Count("*"))
        )
        capped = sum(cell[-1] for cell in cells) > limit
        kind_counts = {kind: 0 for kind in KINDS}
        for cell in cells if not capped else ():
            if _passes(cell, filters):
                kind_counts[cell[0]] += cell[-1]
        narrowed = matched.order_by()
        for name, value in filters.items():
            narrowed = narrowed.filter(_filter(name, value))
        for kind in KINDS if capped else ():
            kind_counts[kind] = narrowed.filter(kind=kind).values("pk")[: limit + 1].count()
        total = kind_counts.get(query.kind, 0) if query.kind else sum(kind_counts.values())
        facets = {name: _facet(name, cells, filters, query.kind) for name in query.facets}
        for values in facets.values() if capped else ():
            for value in values:
                value.at_least = True

        page = matched.defer("title_tokens", "body_tokens")
        for name, value in filters.items():
            page = page.filter(_filter(name, value))
        if query.kind:
            page = page.filter(kind=query.kind)
        if terms and query.sort == "relevance":
            page = page.annotate(score=_score(terms, phrase_of(query.text))).order_by(
                "-score", "-date", "-id"
            )
        else:
            page = page.annotate(score=Value(0, output_field=IntegerField())).order_by("-date", "-id")
        hits = [
            Hit(
                kind=entry.kind,
                id=entry.key,
                title=entry.title,
                url=entry.url,
                title_html=highlight(entry.title, terms),
                snippet_html=snippet(entry.body, terms),
                region=entry.region,
                region_name=entry.region_name,
                type=entry.type,
                type_label=entry.type_label,
                date=entry.date.isoformat() if entry.date else None,
                year=entry.year,
                score=float(entry.score),
                data=entry.data,
            )
            for entry in page[query.offset : query.offset + query.page_size]
        ]
        return SearchResult(
            query=query, hits=hits, total=total, facets=facets, kind_counts=kind_counts, count_limit=limit
        )

    def _search_postgresql(self, query: SearchQuery) -> SearchResult:
        """One statement in the common case: the GIN index finds the documents having the words
        (the rarest word's posting list bounds the work), at most ``count_limit + 1`` of them are
        read once (a materialized CTE: the facet filters cannot turn into a B-tree BitmapAnd over
        a whole city), and both the facet cells and the page come from those rows. Past the
        limit the tabs are counted with the filters, each up to the limit, the page is read on
        its own, and the facet counts are lower bounds."""
        terms = query_terms(query.text) if query.text.strip() else ()
        if query.text.strip() and not terms:
            return _empty(query, self.count_limit)
        filters = query.filter_map
        limit = self.count_limit
        words = " ".join(terms)
        matches = " WHERE search_vector @@ plainto_tsquery('simple'::regconfig, %s)" if terms else ""
        narrowed, narrowed_params = _pg_columns(filters, query.kind)
        score, score_params, order = _pg_order(query, terms)
        with connections[router.db_for_read(SearchEntry)].cursor() as cursor:
            sql = ONE_STATEMENT.format(matches=matches, narrowed=narrowed, score=score, order=order)
            params = [*([words] if terms else []), limit + 1, *score_params, *narrowed_params]
            cursor.execute(sql, [*params, query.page_size, query.offset])
            cells_json, page_json = cursor.fetchone()
            cells = [tuple(cell) for cell in cells_json or []]
            capped = sum(cell[-1] for cell in cells) > limit
            if capped:
                kind_counts = _pg_kind_counts(cursor, matches, [words] if terms else [], filters, limit)
            else:
                kind_counts = {kind: 0 for kind in KINDS}
                for cell in cells:
                    if _passes(cell, filters):
                        kind_counts[cell[0]] += cell[-1]
            total = kind_counts.get(query.kind, 0) if query.kind else sum(kind_counts.values())
            if capped and total:
                rows = _pg_page(cursor, matches, [words] if terms else [], query, terms, filters)
            else:
                rows = [_from_json(row) for row in page_json or []]
        facets = {name: _facet(name, cells, filters, query.kind) for name in query.facets}
        for values in facets.values() if capped else ():
            for value in values:
                value.at_least = True
        return SearchResult(
            query=query,
            hits=[_hit(row, terms) for row in rows],
            total=total,
            facets=facets,
            kind_counts=kind_counts,
            count_limit=limit,
        )


CELL_COLUMNS = "kind, region, region_name, type, type_label, year"
HIT_COLUMNS = "kind, key, title, body, url, region, region_name, type, type_label, date, year, data"


# The matching rows read once, then the facet cells and the page from them (as JSON arrays).
ONE_STATEMENT = (
    f"WITH matched AS MATERIALIZED (SELECT id, {HIT_COLUMNS} FROM search_searchentry{{matches}} LIMIT %s) "  # noqa: S608 - fixed SQL, values are parameters
    f"SELECT (SELECT json_agg(json_build_array({CELL_COLUMNS}, n)) FROM "
    f"(SELECT {CELL_COLUMNS}, count(*) n FROM matched GROUP BY 1, 2, 3, 4, 5, 6) cells), "
    f"(SELECT json_agg(json_build_array({HIT_COLUMNS}, score) ORDER BY {{order}}) FROM "
    f"(SELECT {HIT_COLUMNS}, id, {{score}} AS score FROM matched{{narrowed}} "
    "ORDER BY {order} LIMIT %s OFFSET %s) page)"
)


def _pg_order(query: SearchQuery, terms: tuple[str, ...]) -> tuple[str, list, str]:
    """The score expression, its parameters and the page's order (``_score``, in SQL)."""
    if not (terms and query.sort == "relevance"):
        return "0", [], "date DESC NULLS LAST, id DESC"
    phrase = phrase_of(query.text)
    parts = ["(CASE WHEN strpos(title, %s) > 0 THEN 8 ELSE 0 END)"] if phrase else []
    parts += ["(CASE WHEN strpos(body, %s) > 0 THEN 4 ELSE 0 END)"] if phrase else []
    parts += ["(CASE WHEN strpos(lower(title), %s) > 0 THEN 1 ELSE 0 END)"] * len(terms)
    params = ([phrase, phrase] if phrase else []) + list(terms)
    return " + ".join(parts), params, "score DESC, date DESC NULLS LAST, id DESC"


def _pg_kind_counts(
    cursor, matches: str, params: list, filters: dict[str, str], limit: int
) -> dict[str, int]:
    """Each kind's matches with the filters, counted up to ``limit + 1`` (one statement)."""
    parts, all_params = [], []
    for kind in KINDS:
        narrowed, narrowed_params = _pg_columns(filters, kind)
        condition = f"{matches} AND {narrowed[len(' WHERE ') :]}" if matches else narrowed
        parts.append(f"(SELECT count(*) FROM (SELECT 1 FROM search_searchentry{condition} LIMIT %s) {kind})")  # noqa: S608 - fixed SQL, values are parameters
        all_params += [*params, *narrowed_params, limit + 1]
    cursor.execute("SELECT " + ", ".join(parts), all_params)
    return dict(zip(KINDS, cursor.fetchone(), strict=True))


def _pg_page(cursor, matches: str, params: list, query: SearchQuery, terms, filters) -> list[tuple]:
    """The page read on its own (more matches than the limit): with no words, the newest rows of
    ``search_entry_newest``."""
    narrowed, narrowed_params = _pg_columns(filters, query.kind)
    condition = f"{matches} AND {narrowed[len(' WHERE ') :]}" if matches and narrowed else matches or narrowed
    score, score_params, order = _pg_order(query, terms)
    if not (terms and query.sort == "relevance"):
        order = "date DESC, id DESC"  # the index's order (PostgreSQL puts NULLs first)
    cursor.execute(
        f"SELECT {HIT_COLUMNS}, {score} AS score FROM search_searchentry{condition} "  # noqa: S608 - fixed SQL, values are parameters
        f"ORDER BY {order} LIMIT %s OFFSET %s",
        [*score_params, *params, *narrowed_params, query.page_size, query.offset],
    )
    return cursor.fetchall()


def _from_json(row: list) -> tuple:
    """A page row of the one-statement search (JSON: the date comes back as text)."""
    *head, day, year, data, score = row
    return (*head, date.fromisoformat(day) if day else None, year, data, score)


def _hit(row: tuple, terms: tuple[str, ...]) -> Hit:
    kind, key, title, body, url, region, region_name, type_, type_label, day, year, data, score = row
    return Hit(
        kind=kind,
        id=key,
        title=title,
        url=url,
        title_html=highlight(title, terms),
        snippet_html=snippet(body, terms),
        region=region,
        region_name=region_name,
        type=type_,
        type_label=type_label,
        date=day.isoformat() if day else None,
        year=year,
        score=float(score),
        data=data if isinstance(data, dict) else json.loads(data or "{}"),
    )


COPY_COLUMNS = (
    "kind", "key", "title", "body", "url", "region", "region_name", "type", "type_label", "date", "year",
    "title_tokens", "body_tokens", "data",
)  # fmt: skip
COPY_CHUNK = 5000


def _copy_postgresql(documents: Iterable[dict[str, Any]], progress: Callable[[int], None] | None) -> int:
    """Fill the emptied table with ``COPY`` (inside the rebuild's transaction), a chunk at a time:
    the chunk's documents are read first (the reading shares the connection), then segmented
    while they stream to PostgreSQL, which computes the vectors and fills the indexes meanwhile.
    GIN entries gather in a large pending list and are merged in bulk; the list is emptied at the
    end so the first searches do not read it, and the planner's statistics are renewed."""
    connection = connections[router.db_for_write(SearchEntry)]
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        statement = f"COPY search_searchentry ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        for chunk in _chunks(documents, COPY_CHUNK):
            with cursor.cursor.copy(statement) as copy:
                for document in chunk:
                    entry = entry_of(document)
                    copy.write_row(
                        (
                            *(getattr(entry, column) for column in COPY_COLUMNS[:-1]),
                            json.dumps(entry.data, ensure_ascii=False),
                        )
                    )
            done += len(chunk)
            if progress:
                progress(len(chunk))
        cursor.execute("SELECT gin_clean_pending_list('search_entry_vector'::regclass)")
        cursor.execute("ANALYZE search_searchentry")
    return done


def _empty(query: SearchQuery, limit: int) -> SearchResult:
    return SearchResult(
        query=query,
        hits=[],
        total=0,
        facets={name: [] for name in query.facets},
        kind_counts={kind: 0 for kind in KINDS},
        count_limit=limit,
    )


def _pg_columns(filters: dict[str, str], kind: str) -> tuple[str, list]:
    """`` WHERE …`` of the filters and the tab on the columns (B-tree indexes: with no words, the
    page is the newest rows of ``search_entry_newest``)."""
    conditions, params = [], []
    for name, value in [*(("kind", kind),) * bool(kind), *filters.items()]:
        if name in ("kind", "region"):
            conditions.append(f"{name} = %s")
            params.append(value)
        elif name == "year":
            conditions.append("year = %s")
            params.append(int(value))
        elif name in ("need_type", "notice_type"):
            conditions.append("kind = %s AND type = %s")
            params += [name.split("_")[0], value]
        else:
            raise ValueError(f"Unknown search filter: {name!r}")
    return (" WHERE " + " AND ".join(conditions), params) if conditions else ("", [])


# Positions in a grouped cell: (kind, region, region_name, type, type_label, year, count).
CELL = {"kind": 0, "region": 1, "region_name": 2, "type": 3, "type_label": 4, "year": 5}


def _passes(cell: tuple, filters: dict[str, str], skip: str = "") -> bool:
    for name, value in filters.items():
        if name == skip:
            continue
        if name == "region" and cell[1] != value:
            return False
        if name == "year" and str(cell[5]) != str(value):
            return False
        if name in ("need_type", "notice_type") and (cell[0], cell[3]) != (name.split("_")[0], value):
            return False
    return True


def _facet(name: str, cells: list[tuple], filters: dict[str, str], kind: str) -> list[FacetValue]:
    """The counts of facet ``name`` among the cells that pass the other facets' filters and the tab."""
    kinds, field = FACETS[name]
    if kind and kind not in kinds:
        return []
    position = CELL[field]
    label_position = {"region": 2, "type": 4}.get(field, position)
    counts: dict[str, list] = {}
    for cell in cells:
        if cell[0] not in kinds or (kind and cell[0] != kind) or cell[position] in (None, ""):
            continue
        if not _passes(cell, filters, skip=name):
            continue
        entry = counts.setdefault(str(cell[position]), [str(cell[label_position] or cell[position]), 0])
        entry[1] += cell[-1]
    values = [FacetValue(value, label, count) for value, (label, count) in counts.items()]
    if field == "year":
        values.sort(key=lambda value: -int(value.value))
    else:
        values.sort(key=lambda value: (-value.count, value.value))
    return values


def _filter(name: str, value: str) -> Q:
    if name == "region":
        return Q(region=value)
    if name == "year":
        return Q(year=int(value))
    if name == "need_type":
        return Q(kind="need", type=value)
    if name == "notice_type":
        return Q(kind="notice", type=value)
    raise ValueError(f"Unknown search filter: {name!r}")


def _matching(queryset: QuerySet, terms: tuple[str, ...]) -> QuerySet:
    """Documents having every one of ``terms`` among their words (none: nothing matches)."""
    if not terms:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return queryset.filter(
            RawSQL(
                "search_vector @@ plainto_tsquery('simple'::regconfig, %s)",
                [" ".join(terms)],
                output_field=BooleanField(),
            )
        )
    if vendor == "sqlite":
        expression = " AND ".join(f'"{term}"' for term in terms)
        return queryset.filter(
            # The words are a parameter; the quotes make each one a phrase of FTS5's syntax.
            pk__in=RawSQL("SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s", [expression])
        )
    condition = Q()
    for term in terms:
        condition &= Q(title__icontains=term) | Q(body__icontains=term)
    return queryset.filter(condition)


def _score(terms: tuple[str, ...], phrase: str):
    """Exact phrase in the title (8), in the text (4), then one per query word in the title."""
    parts = []
    if phrase:
        parts.append(Case(When(title__contains=phrase, then=Value(8)), default=Value(0)))
        parts.append(Case(When(body__contains=phrase, then=Value(4)), default=Value(0)))
    parts += [Case(When(title__icontains=term, then=Value(1)), default=Value(0)) for term in terms]
    return reduce(add, parts) if len(parts) > 1 else parts[0] if parts else Value(0)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
