"""Search over N needs on PostgreSQL with the database backend (jieba + full-text, GIN index).

The issue: *1,000,000 needs on PostgreSQL with the database backend: index build time, and
p50/p95 of a two-word Chinese query with two facets, next to PostgreSQL's own ILIKE '%…%' scan
on the same data in the same run. Aim for p95 under 50 ms and at least 10x faster than the
scan; also the same query through /api/v1/search/ under gunicorn as a ratio to the hello view.*

What it does:

1. **Data.** The needs of ``bench_needs_list`` (written with ``COPY``, reused when the count
   matches), their titles varied per need type and each summary opened by its public place
   (城市/区县名), so that place words and kind words are both searchable.
2. **Index build**: ``DatabaseBackend.rebuild`` over ``documents("need")``, exactly what
   ``manage.py search_rebuild --kind need`` runs (the selectors' public shape, jieba, ``COPY``
   in chunks, the generated tsvector column and its GIN index), timed, then ``VACUUM ANALYZE``.
3. **Queries in-process**: a two-word query (a county and a need type as the public titles
   show them: ``洪山区 医疗``; titles of bench needs are mostly redaction marks, so the public
   title is composed from place, type, age and household size) with two facet
   filters (a city and a year) through ``backend.search`` (page of 20 hits with highlights,
   total, kind counts and the four facet counts: one SQL statement on PostgreSQL),
   ``--queries`` times over rotating cities and years; then the same words and filters as
   ``ILIKE '%…%'`` on the same table (page of 20 newest + count). p50/p95 of each and the
   ratio of the medians. Then ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements
   ``backend.search`` runs for three of the cases (``--explain-only``: just those, on an
   existing index).
4. **HTTP**: ``gunicorn config.wsgi`` (``bench/settings_bench.py``, 2 sync workers) serving
   ``/bench/hello`` and ``/api/v1/search/?q=…&kind=need&region=…&year=…``; requests/s of each
   and their ratio. JSON in ``bench/results/search.json``.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_search .venv/bin/python
bench/bench_search.py --needs 1000000`` (that URL is the default; ``--needs`` defaults to 200,000).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, Gunicorn, percentile, setup_django, vacuum_analyze

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_search"
TYPE_WORDS = ("医疗", "教育", "住房", "就业", "基本生活")
TITLE_VARIANTS = {
    "medical": ["家庭住院治疗费用缺口", "重病患者医疗费用自付困难", "慢性病门诊医疗费用", "住院押金困难"],
    "basic_living": ["家庭基本生活困难", "冬季取暖和基本生活物资", "老人基本生活照料与物资"],
    "education": ["子女就学费用", "高中学生教育助学", "大学新生学费与住宿费", "义务教育阶段学习用品"],
    "housing": ["危房改造补助", "C级危房加固改造", "住房漏雨修缮"],
    "emergency": ["突发困难临时救助", "火灾后临时救助", "意外受伤临时生活救助"],
    "care_service": ["老人访视照料服务", "独居老人上门照料"],
    "employment": ["就业技能培训", "残疾人就业援助"],
    "disability": ["无障碍改造", "残疾人康复辅具"],
    "disaster": ["受灾家庭重建", "洪涝灾害后生活恢复"],
    "counselling": ["心理疏导服务", "留守儿童心理陪伴"],
    "funeral": ["殡葬费用减免"],
    "other": ["其他帮扶需求"],
}


class Variants(dict):
    """``TITLES[kind]`` of bench_needs_list, a different title of the kind at each lookup."""

    def __init__(self, rng: random.Random):
        super().__init__({kind: titles[0] for kind, titles in TITLE_VARIANTS.items()})
        self.rng = rng

    def __getitem__(self, kind):
        return "〔已隐去〕" + self.rng.choice(TITLE_VARIANTS[kind])


def ensure_data(needs: int, regenerate: bool) -> dict:
    from django.db import connection

    from bench import bench_needs_list

    bench_needs_list.TITLES = Variants(random.Random(bench_needs_list.SEED + 1))
    data = bench_needs_list.ensure_data(needs=needs, regenerate=regenerate)
    if data["generated"]:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # The summary opens with the public place (what the public list shows anyway).
            cursor.execute(
                "UPDATE needs_need n SET summary = r.name || '：' || n.summary "
                "FROM regions_region r WHERE r.code = n.public_region_id"
            )
        data["summary_update_seconds"] = round(time.perf_counter() - started, 1)
        vacuum_analyze("needs_need")
    return data


def build_index() -> dict:
    from django.db import connection
    from django.utils import translation

    from search.backends.database import DatabaseBackend
    from search.documents import documents, source_count

    backend = DatabaseBackend()
    total = source_count("need")
    done, last = 0, time.perf_counter()
    started = time.perf_counter()

    def progress(count: int) -> None:
        nonlocal done, last
        done += count
        if time.perf_counter() - last > 15 or done == total:
            last = time.perf_counter()
            rate = done / (last - started)
            print(f"  {done:>9,}/{total:,} indexed, {rate:,.0f} docs/s", flush=True)

    with translation.override("zh-hans"):
        indexed = backend.rebuild(documents("need"), kinds=["need"], progress=progress)
    seconds = time.perf_counter() - started
    vacuum = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE search_searchentry")
    return {
        "documents": indexed,
        "seconds": round(seconds, 1),
        "docs_per_second": round(indexed / seconds),
        "vacuum_analyze_seconds": round(time.perf_counter() - vacuum, 1),
    }


def cases(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    """(two words, city, year): a county's name and a need type as the public text shows them
    (``洪山区 医疗``), narrowed to the county's city and a year."""
    from regions.models import Region
    from search.documents import city_of

    counties = list(
        Region.objects.county_level().exclude(directly_administered=True).values_list("code", "name")
    )
    return [
        (f"{name} {rng.choice(TYPE_WORDS)}", city_of(code)[0], rng.choice((2025, 2026)))
        for code, name in (rng.choice(counties) for _ in range(count))
    ]


def time_queries(items, run) -> dict:
    timings = []
    for item in items:
        started = time.perf_counter()
        run(*item)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "runs": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(timings[-1], 2),
    }


def in_process(queries: int) -> dict:
    from django.db import connection

    from search.backends import SearchQuery
    from search.backends.database import DatabaseBackend

    backend = DatabaseBackend()
    rng = random.Random(7)
    items = cases(rng, queries)
    totals = []

    def indexed(text, region, year):
        result = backend.search(
            SearchQuery(text=text, kind="need", filters=(("region", region), ("year", str(year))))
        )
        totals.append(result.total)

    def ilike(text, region, year):
        words = text.split()
        where = " AND ".join(["(title ILIKE %s OR body ILIKE %s)"] * len(words))
        params = [value for word in words for value in (f"%{word}%", f"%{word}%")]
        base = f"FROM search_searchentry WHERE kind = 'need' AND region = %s AND year = %s AND {where}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key, title, body {base} ORDER BY date DESC, id DESC LIMIT 20",
                [region, year, *params],
            )
            cursor.fetchall()
            cursor.execute(f"SELECT count(*) {base}", [region, year, *params])
            cursor.fetchone()

    for run in (indexed, ilike):  # warm both (jieba's dictionary, caches)
        for item in items[:5]:
            run(*item)
    totals.clear()
    search = time_queries(items, indexed)
    scan = time_queries(items, ilike)
    with connection.cursor() as cursor:
        text, region, year = items[0]
        cursor.execute(
            "EXPLAIN SELECT key FROM search_searchentry WHERE kind = 'need' AND region = %s AND year = %s "
            "AND search_vector @@ plainto_tsquery('simple', %s)",
            [region, year, " ".join(text.split())],
        )
        plan = [row[0] for row in cursor.fetchall()]
    return {
        "search": search,
        "ilike": scan,
        "speedup_p50": round(scan["p50_ms"] / search["p50_ms"], 1),
        "mean_total_hits": round(statistics.mean(totals), 1),
        "plan": plan,
    }


def explain(count: int = 3) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement ``backend.search`` runs for the first
    ``count`` query cases (load-insensitive evidence: buffers read, rows, the plan's shape)."""
    from django.db import connection

    from search.backends import SearchQuery
    from search.backends.database import DatabaseBackend

    backend = DatabaseBackend()
    plans = []
    for text, region, year in cases(random.Random(7), count):
        statements = []

        def capture(execute, sql, params, many, context, statements=statements):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        query = SearchQuery(text=text, kind="need", filters=(("region", region), ("year", str(year))))
        backend.search(query)  # warm (jieba, caches), then the captured run
        with connection.execute_wrapper(capture):
            backend.search(query)
        for sql, params in statements:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = [row[0] for row in cursor.fetchall()]
            plans.append({"query": f"{text} / {region} / {year}", "sql": sql, "plan": plan})
            print(f"-- {text} / {region} / {year}\n" + "\n".join(plan), flush=True)
    return plans


def over_http(database_url: str, *, seconds: float, connections: int, workers: int) -> dict:
    from bench.bench_needs_list import run_python

    rng = random.Random(11)
    paths = [
        "/api/v1/search/?" + urlencode({"q": text, "kind": "need", "region": region, "year": year})
        for text, region, year in cases(rng, 60)
    ]
    results = {}
    with Gunicorn(database_url=database_url, workers=workers, log_name="gunicorn-search.log") as server:
        run_python(server.port, paths, seconds=3, connections=connections)  # warm-up (jieba per worker)
        for label, scenario in (
            ("hello", ["/bench/hello"]),
            ("search api", paths),
            ("hello (again)", ["/bench/hello"]),
        ):
            result = run_python(server.port, scenario, seconds=seconds, connections=connections)
            results[label] = result
            print(
                f"  {label:<14} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']:>6.1f}  "
                f"p99 {result['p99_ms']:>6.1f} ms  "
                f"({result['requests']} requests, {result['non2xx']} non-2xx)",
                flush=True,
            )
    hello = (results["hello"]["rps"] + results["hello (again)"]["rps"]) / 2
    return {
        "load": results,
        "hello_rps": round(hello, 1),
        "ratio_to_hello": round(results["search api"]["rps"] / hello, 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15, help="per HTTP scenario")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-build", action="store_true", help="reuse the index when it holds every need")
    parser.add_argument(
        "--explain-only", action="store_true", help="only EXPLAIN (ANALYZE, BUFFERS) the search's statements"
    )
    parser.add_argument("--database-url", help=f"default: DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    database_url = setup_django(DEFAULT_DATABASE_URL, script="bench_search", url=args.database_url)
    result = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
        "settings": vars(args),
    }
    if args.explain_only:
        explain()
        return 0
    result["data"] = data = ensure_data(args.needs, args.regenerate)
    print(f"{data['needs']:,} needs", flush=True)
    from search.models import SearchEntry

    if (
        args.skip_build
        and not data["generated"]
        and SearchEntry.objects.filter(kind="need").count() == data["needs"]
    ):
        result["build"] = {"skipped": True}
    else:
        print("building the index …", flush=True)
        result["build"] = build_index()
    print(f"index: {result['build']}", flush=True)
    result["queries"] = queries = in_process(args.queries)
    result["explain"] = explain()
    print(
        f"two words + two facets: p50 {queries['search']['p50_ms']} ms, "
        f"p95 {queries['search']['p95_ms']} ms; "
        f"ILIKE: p50 {queries['ilike']['p50_ms']} ms, p95 {queries['ilike']['p95_ms']} ms; "
        f"{queries['speedup_p50']}x (mean {queries['mean_total_hits']} hits)",
        flush=True,
    )
    print("http …", flush=True)
    result["http"] = http = over_http(
        database_url, seconds=args.seconds, connections=args.connections, workers=args.workers
    )
    print(f"  search api ratio to hello {http['ratio_to_hello']}", flush=True)
    result["load_after"] = os.getloadavg()
    out = RESULTS_DIR / "search.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"results in {out}")
    return 1 if any(r["non2xx"] for r in http["load"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
