"""The public needs list over 1,000,000 needs on PostgreSQL, against a "hello" view, same server.

The issue: *the public needs list (20 rows, two filters, facet counts) over 1,000,000 needs:
requests/s as a ratio to a plain "hello" view served the same way in the same run, and p99.
Aim for a ratio of at least 0.25 and p99 under 100 ms; the list needs indexes that match
filter plus order, and facet counts that do not scan the table on every request.*

What it does:

1. **Data.** Writes N public needs (1,000,000 by default) straight into ``needs_need``
   with ``COPY`` in batches (no intake: direct rows, one source system, counties from the
   region tree, a quarter published at city level as k-anonymity does), then ``VACUUM
   ANALYZE``. A later run reuses them when the count matches (``--regenerate`` to rebuild).
2. **Two phases**: without the proposed indexes (dropped if present) and with them (created
   exactly as the model's ``Meta.indexes`` would create them: ``PROPOSED_INDEXES`` below,
   through Django's schema editor). In each phase it prints the plans and timings of the list
   queries and of the facet cube, then starts ``gunicorn config.wsgi`` (2 sync workers, the
   portal's ``config/gunicorn.py``, production settings plus the ``/bench/hello`` URL, see
   ``bench/settings_bench.py``) and loads it from ``wrk`` (or a Python client with ``--client
   python``) on loopback:
   ``hello`` → ``api`` → ``page`` → ``api-sorted`` → ``hello`` again, ``--seconds`` each
   after a warm-up. Each list request picks at random one of the combinations of its two
   filters, ``facets=1`` (the page always shows its facets):

   - ``api``: ``/api/v1/needs/?city=<17 cities>&need_type=<12 types>&facets=1`` (newest first);
   - ``page``: ``/needs/?city=…&need_type=…`` (HTML, facet counts beside the options);
   - ``api-sorted``: ``/api/v1/needs/?county=<103 counties>&state=open&ordering=deadline&facets=1``.

3. **Figures**: requests/s, p50/p90/p99/max of each, the ratio of each list to the mean of
   the two hello runs (target ≥ 0.25) and p99 (target < 100 ms). JSON in
   ``bench/results/needs_list.json``.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_list .venv/bin/python
bench/bench_needs_list.py`` (that URL is the default). Options: ``--needs N``, ``--seconds S``,
``--connections C``, ``--indexes both|with|without``, ``--client wrk|python``,
``--cache-url redis://…`` (share the facet cache between the workers), ``--regenerate``,
``--database-url URL`` (instead of ``DATABASE_URL``).
Exits non-zero only when requests fail (non-2xx, socket errors), never for a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

# Run as ``python bench/bench_needs_list.py``: the project root holds the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    RESULTS_DIR,
    ROOT,
    Gunicorn,
    copy_needs,
    fetch,
    percentile,
    setup_django,
    source_system,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_list"
SOURCE_NAME = "bench-needs-list"
SEED = 20261129
TARGET_RATIO = 0.25
TARGET_P99_MS = 100.0


# --- The indexes proposed for Need.Meta.indexes --------------------------------------------------


def proposed_indexes() -> list:
    """The indexes the list needs: each matches a filter plus an order of ``marketplace.needs.filters``.

    All are partial on the public statuses, the condition of every public query, so they hold
    only what the public can see.
    """
    from django.db import models
    from django.db.models import F, Q

    from marketplace.needs.filters import REMAINING, URGENCY_RANK
    from marketplace.needs.models import PUBLIC_STATUSES

    public = Q(status__in=sorted(PUBLIC_STATUSES))
    return [
        # newest first (the default): unfiltered, or filtered by anything not too selective
        models.Index(F("published_at").desc(), F("id").desc(), condition=public, name="need_public_newest"),
        # newest first within a need type (rare types, type alone)
        models.Index(
            "need_type",
            F("published_at").desc(),
            F("id").desc(),
            condition=public,
            name="need_public_type_new",
        ),
        # newest first within a city and a need type (the city filter is the generated column
        # public_city: one equality)
        models.Index(
            "public_city",
            "need_type",
            F("published_at").desc(),
            F("id").desc(),
            condition=public,
            name="need_public_city_type_new",
        ),
        # each sort within one published region: the county filter
        models.Index(
            "public_region",
            F("published_at").desc(),
            F("id").desc(),
            condition=public,
            name="need_public_region_new",
        ),
        models.Index("public_region", "needed_by", "id", condition=public, name="need_public_region_due"),
        models.Index(
            "public_region",
            URGENCY_RANK,
            F("published_at").desc(),
            F("id").desc(),
            condition=public,
            name="need_public_region_urg",
        ),
        models.Index(
            "public_region", REMAINING.desc(), F("id").desc(), condition=public, name="need_public_region_gap"
        ),
        # the other three sorts, province-wide (a city filter walks these, 1 row in ~10 matching)
        models.Index("needed_by", "id", condition=public, name="need_public_deadline"),
        models.Index(
            URGENCY_RANK,
            F("published_at").desc(),
            F("id").desc(),
            condition=public,
            name="need_public_urgency",
        ),
        # largest remaining gap first; also serves remaining_min / remaining_max
        models.Index(REMAINING.desc(), F("id").desc(), condition=public, name="need_public_gap"),
        # the facet cube: GROUP BY these four columns as an index-only scan
        models.Index(
            fields=["public_region", "need_type", "urgency", "status"],
            condition=public,
            name="need_public_facets",
        ),
    ]


def index_sql() -> list[str]:
    from django.db import connection

    from marketplace.needs.models import Need

    with connection.schema_editor(collect_sql=True) as editor:
        for index in proposed_indexes():
            editor.add_index(Need, index)
    return editor.collected_sql


def existing_index_names() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'needs_need'")
        return {row[0] for row in cursor.fetchall()}


def set_indexes(present: bool) -> float:
    """Create or drop the proposed indexes; returns the seconds it took."""
    from django.db import connection

    from marketplace.needs.models import Need

    started = time.perf_counter()
    names = existing_index_names()
    with connection.schema_editor() as editor:
        for index in proposed_indexes():
            if present and index.name not in names:
                editor.add_index(Need, index)
            elif not present and index.name in names:
                editor.remove_index(Need, index)
    return time.perf_counter() - started


# --- Data ----------------------------------------------------------------------------------------

NEED_TYPES = {
    "medical": 30, "basic_living": 15, "education": 12, "housing": 8, "emergency": 8, "care_service": 8,
    "employment": 5, "disability": 5, "disaster": 3, "counselling": 3, "funeral": 2, "other": 1,
}  # fmt: skip
URGENCIES = {"normal": 80, "urgent": 15, "critical": 5}
STATUSES = {"published": 55, "partially_claimed": 15, "claimed": 10, "fulfilled": 8, "closed": 12}
CATEGORIES = [
    "extreme_poverty", "dibao", "relapse_monitoring", "near_dibao", "rigid_expenditure", "illness_poverty",
    "other",
]  # fmt: skip
TITLES = {
    "medical": "家庭住院治疗费用缺口", "basic_living": "家庭基本生活困难", "education": "子女就学费用",
    "housing": "危房改造补助", "emergency": "突发困难临时救助", "care_service": "老人访视照料服务",
    "employment": "就业技能培训", "disability": "无障碍改造", "disaster": "受灾家庭重建",
    "counselling": "心理疏导服务", "funeral": "殡葬费用减免", "other": "其他帮扶需求",
}  # fmt: skip
HOURLY = {"care_service", "counselling"}


def weighted(rng: random.Random, weights: dict[str, int]):
    population, cum = list(weights), []
    total = 0
    for value in weights.values():
        total += value
        cum.append(total)
    return lambda: population[_bisect(cum, rng.random() * total)]


def _bisect(cum: list[int], x: float) -> int:
    low, high = 0, len(cum)
    while low < high:
        mid = (low + high) // 2
        if cum[mid] <= x:
            low = mid + 1
        else:
            high = mid
    return low


def generate(system, *, needs: int, batch: int = 100_000) -> float:
    """COPY ``needs`` public needs into the table; returns the seconds it took."""
    from django.utils import timezone

    from marketplace.needs.filters import region_index

    index = region_index()
    counties = sorted(index.county_codes)
    rng = random.Random(SEED)
    need_type, urgency, status = weighted(rng, NEED_TYPES), weighted(rng, URGENCIES), weighted(rng, STATUSES)
    now = timezone.now()
    two_years = 2 * 365 * 24 * 3600

    def values_of(number: int) -> dict:
        county = rng.choice(counties)
        level = rng.choices((0, 1, 2), weights=(75, 20, 5))[0]
        kind = need_type()
        state = status()
        target = Decimal(rng.randrange(2, 400) * 50 if kind not in HOURLY else rng.randrange(4, 80))
        claimed = {
            "published": Decimal(0),
            "partially_claimed": (target * Decimal(rng.randrange(5, 95)) / 100).quantize(Decimal("0.01")),
        }.get(state, target)
        published = now - timedelta(seconds=rng.randrange(two_years))
        return {
            "code": f"B{number:011d}",
            "source_system_id": system.pk,
            "source_ref": f"bench-list-{number:07d}",
            "version": 1,
            "record_digest": f"{rng.getrandbits(256):064x}",
            "household_token": f"b1:{rng.getrandbits(160):040x}",
            "region_id": county,
            "public_region_id": county if level == 0 else index.city_of[county],
            "generalization": ("000000", "100000", "121200")[level],
            "age_band": "" if level == 2 else rng.choice(("0-17", "18-59", "60-69", "70+")),
            "sex": "" if level == 2 else rng.choice(("male", "female")),
            "household_size_band": "" if level == 2 else rng.choice(("1", "2-3", "4+")),
            "need_type": kind,
            "categories": (categories := rng.sample(CATEGORIES, rng.choice((1, 1, 2)))),
            "public_categories": sorted(categories),
            "department": "civil_affairs",
            "urgency": urgency(),
            "needed_by": (published + timedelta(days=rng.randrange(7, 180))).date(),
            "title": f"〔已隐去〕{TITLES[kind]}",
            "summary": "家庭成员因病因灾等原因生活困难，经县级民政部门审核后发布。",
            "amount_kind": "hours" if kind in HOURLY else "money",
            "requested_amount": target,
            "unit": "",
            "target_amount": target,
            "claimed_amount": claimed,
            "verified_amount": target if state in ("fulfilled", "closed") else Decimal(0),
            "status": state,
            "published_at": published,
            "created_at": published - timedelta(minutes=5),
            "updated_at": published,
        }

    return copy_needs(values_of, needs=needs, batch=batch)


def ensure_data(*, needs: int, regenerate: bool) -> dict:
    from django.db import connection

    from marketplace.needs.models import Need

    system = source_system(SOURCE_NAME)
    present = Need.objects.filter(source_system=system).count()
    others = Need.objects.exclude(source_system=system).count()
    if present == needs and not regenerate:
        return {"needs": present, "generated": False, "other_needs": others}
    print(f"writing {needs:,} needs (had {present:,}) …", flush=True)
    with connection.cursor() as cursor:
        if others == 0:
            cursor.execute("TRUNCATE needs_need CASCADE")
        else:
            cursor.execute("DELETE FROM needs_need WHERE source_system_id = %s", [system.pk])
    seconds = generate(system, needs=needs)
    vacuum = vacuum_analyze("needs_need")
    print(f"  VACUUM ANALYZE {vacuum:.0f} s", flush=True)
    return {"needs": needs, "generated": True, "seconds": round(seconds, 1), "other_needs": others}


# --- Query plans, in this process ----------------------------------------------------------------

PLAN_CASES = {
    "api": {"city": "420100", "need_type": "medical"},
    "api-sorted": {"county": "420111", "state": "open", "ordering": "deadline"},
    "urgency-sort": {"need_type": "education", "ordering": "urgency"},
    "gap-sort": {"city": "420600", "ordering": "gap"},
    "no-filter": {},
    "category+range": {"category": "dibao", "remaining_min": "5000", "need_type": "medical"},
}


def plans() -> dict:
    """Plan and time of the 20-row list query of each case, and of the facet cube."""
    from marketplace.needs import facets
    from marketplace.needs.selectors import need_public_list

    result = {}
    for name, params in PLAN_CASES.items():
        queryset = need_public_list(filters=params)[:20]
        text = queryset.explain(analyze=True, buffers=True)
        timing = re.search(r"Execution Time: ([\d.]+) ms", text)
        top = [
            line.strip()
            for line in text.splitlines()
            if "Index" in line or "Seq Scan" in line or "Sort" in line
        ]
        result[name] = {"ms": float(timing.group(1)) if timing else None, "plan": top[:4]}
    started = time.perf_counter()
    cube = facets._cube({}, seconds=0)
    cube_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    facets._count(cube, {"city": "420100", "need_type": "medical"})
    count_ms = (time.perf_counter() - started) * 1000
    result["facet cube (uncached)"] = {"ms": round(cube_ms, 1), "cells": len(cube.by_city)}
    result["facets from the cube (Python)"] = {"ms": round(count_ms, 1)}
    started = time.perf_counter()
    facets._cube({"category": "dibao"}, seconds=0)
    result["facet cube with a category (uncached)"] = {"ms": round((time.perf_counter() - started) * 1000, 1)}
    return result


# --- Load ----------------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(seed * 7919 + %(salt)d) end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f, "non2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(port: int, paths: list[str], *, seconds: float, connections: int) -> dict:
    lua = WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(path) for path in paths),
        "salt": random.randrange(1000),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = [
            shutil.which("wrk") or "wrk",
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={int(seconds)}s",
            "--timeout=10s",
            f"--script={script.name}",
            f"http://127.0.0.1:{port}",
        ]
        # A fixed command line built here, no shell.
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        os.unlink(script.name)
    line = [line for line in output.splitlines() if line.startswith("{")][-1]
    raw = json.loads(line)
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "non2xx": raw["non2xx"],
        "socket_errors": raw["socket_errors"],
    }


def run_python(port: int, paths: list[str], *, seconds: float, connections: int) -> dict:
    """Threads with ``http.client``: a fallback when wrk is missing (it costs the server CPU)."""
    latencies: list[float] = []
    failures = {"non2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _body = fetch(port, rng.choice(paths))
            except OSError:
                with lock:
                    failures["socket_errors"] += 1
                continue
            mine.append(time.perf_counter() - started)
            if not 200 <= status < 400:
                with lock:
                    failures["non2xx"] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(SEED + i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return percentile(latencies, p) * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "mean_ms": sum(latencies) / len(latencies) * 1000 if latencies else 0.0,
        **failures,
    }


def scenario_paths() -> dict[str, list[str]]:
    from marketplace.needs.choices import NeedType
    from marketplace.needs.filters import region_index

    index = region_index()
    cities = [code for code, _name in index.cities]
    counties = sorted(index.county_codes)
    return {
        "hello": ["/bench/hello"],
        "api": [f"/api/v1/needs/?city={c}&need_type={t}&facets=1" for c in cities for t in NeedType.values],
        "page": [f"/needs/?city={c}&need_type={t}" for c in cities for t in NeedType.values],
        "api-sorted": [f"/api/v1/needs/?county={c}&state=open&ordering=deadline&facets=1" for c in counties],
    }


def check_responses(port: int, paths: dict[str, list[str]]) -> None:
    """One request of each kind must answer 200 with 20 rows (or a page of cards)."""
    status, body = fetch(port, paths["api"][0])
    assert status == 200, (status, body[:300])
    payload = json.loads(body)
    assert len(payload["results"]) == 20 and "facets" in payload, payload.keys()
    status, body = fetch(port, paths["page"][0])
    assert status == 200 and body.count(b'<li class="need-card') == 20, status
    status, body = fetch(port, paths["api-sorted"][0])
    assert status == 200, (status, body[:300])


def run_phase(
    name: str, *, args, database_url: str, paths: dict[str, list[str]], list_cache_seconds: int = 0
) -> dict:
    load = run_wrk if args.client == "wrk" else run_python
    title = f"{name} the proposed indexes"
    if list_cache_seconds:
        title += f", API answers cached {list_cache_seconds} s (NEED_LIST_CACHE_SECONDS)"
    print(f"\n== {title} ==", flush=True)
    index_seconds = set_indexes(name == "with")
    analyze_seconds = vacuum_analyze("needs_need")
    print(f"indexes set in {index_seconds:.1f} s, VACUUM ANALYZE {analyze_seconds:.1f} s", flush=True)
    query_plans = plans()
    for case, info in query_plans.items():
        plan = " / ".join(info.get("plan", []))[:150]
        print(f"  {case:<40} {info['ms']:>9.1f} ms  {plan}", flush=True)

    results: dict[str, dict] = {}
    env = {"BENCH_NEED_LIST_CACHE_SECONDS": str(list_cache_seconds)}
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    with Gunicorn(
        database_url=database_url, workers=args.workers, log_name="gunicorn-needs-list.log", env=env
    ) as server:
        check_responses(server.port, paths)
        warm = [path for kind in ("api", "page", "api-sorted") for path in paths[kind]]
        load(server.port, warm, seconds=args.warmup, connections=args.connections)
        for label, kind in (
            ("hello", "hello"), ("api", "api"), ("page", "page"), ("api-sorted", "api-sorted"),
            ("hello (again)", "hello"),
        ):  # fmt: skip
            result = load(server.port, paths[kind], seconds=args.seconds, connections=args.connections)
            results[label] = result
            print(
                f"  {label:<14} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']:>6.1f}  "
                f"p90 {result['p90_ms']:>6.1f}  p99 {result['p99_ms']:>6.1f}  max {result['max_ms']:>7.1f} ms"
                f"  ({result['requests']} requests, {result['non2xx']} non-2xx, "
                f"{result['socket_errors']} socket errors)",
                flush=True,
            )
    hello = (results["hello"]["rps"] + results["hello (again)"]["rps"]) / 2
    summary = {
        kind: {
            "ratio_to_hello": round(results[kind]["rps"] / hello, 3),
            "p99_ms": round(results[kind]["p99_ms"], 1),
            "meets_ratio": results[kind]["rps"] / hello >= TARGET_RATIO,
            "meets_p99": results[kind]["p99_ms"] < TARGET_P99_MS,
        }
        for kind in ("api", "page", "api-sorted")
    }
    for kind, figures in summary.items():
        print(
            f"  {kind:<11} ratio to hello {figures['ratio_to_hello']:.3f} (target ≥ {TARGET_RATIO})  "
            f"p99 {figures['p99_ms']:.1f} ms (target < {TARGET_P99_MS:.0f})",
            flush=True,
        )
    return {"plans": query_plans, "load": results, "hello_rps": round(hello, 1), "summary": summary}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20, help="per load scenario (default 20)")
    parser.add_argument("--warmup", type=float, default=8, help="seconds of list load before measuring")
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--indexes", choices=("both", "with", "without"), default="both")
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument("--cache-url", default=None, help="CACHE_URL of the server (default: in-process)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the needs even if present")
    parser.add_argument(
        "--list-cache-seconds",
        type=int,
        default=0,
        help="also measure the API with its opt-in answer cache (NEED_LIST_CACHE_SECONDS) of N seconds",
    )
    parser.add_argument("--print-index-sql", action="store_true", help="print the indexes' DDL and exit")
    parser.add_argument("--database-url", help=f"default: DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    database_url = setup_django(DEFAULT_DATABASE_URL, script="bench_needs_list", url=args.database_url)
    if args.print_index_sql:
        print("\n".join(index_sql()))
        return 0
    started = datetime.now().isoformat(timespec="seconds")
    load_before = os.getloadavg()
    data = ensure_data(needs=args.needs, regenerate=args.regenerate)
    print(f"{data['needs']:,} public needs in the table ({data['other_needs']:,} others)", flush=True)
    paths = scenario_paths()
    phases = {"both": ("without", "with"), "with": ("with",), "without": ("without",)}[args.indexes]
    result = {
        "started": started,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": load_before},
        "settings": {**vars(args)},
        "data": data,
        "index_sql": index_sql(),
        "phases": {
            phase: run_phase(phase, args=args, database_url=database_url, paths=paths) for phase in phases
        },
    }
    if args.list_cache_seconds:
        result["phases"]["with + answer cache"] = run_phase(
            "with",
            args=args,
            database_url=database_url,
            paths=paths,
            list_cache_seconds=args.list_cache_seconds,
        )
    result["machine"]["load_after"] = os.getloadavg()
    out = RESULTS_DIR / "needs_list.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nresults in {out.relative_to(ROOT)}")
    failed = any(
        figures["non2xx"] or figures["socket_errors"]
        for phase in result["phases"].values()
        for figures in phase["load"].values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
