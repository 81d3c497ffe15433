"""What one claim costs in this process, without HTTP: milliseconds, CPU and SQL statements.

``bench_claims.py`` measures claims over HTTP under 100 clients, which on a shared 2-core
machine says as much about the other processes as about the claim. This one times the claim
itself, one after another in one process, on PostgreSQL: a figure that moves little with the
machine's load (the CPU time of this process does not count PostgreSQL's).

Four ways, each on its own fresh needs (every claim is a first claim of half a need's target,
by a member of a verified organization, answered 201):

- ``service, tasks in-process``: ``need_claim`` (lock, checks, insert, status, outbox, the
  duplicate-aid check) and its commit, the after-commit tasks run in-process as on the embedded
  default (the notifications, the feedback delivery to a source system without a webhook);
- ``service, tasks to a broker``: the same with the tasks handed to a broker (kombu's in-memory
  transport: the publish is paid, the work is not);
- ``request, …``: the whole ``POST /api/v1/needs/<code>/claims/`` through Django's test client
  (middleware, token, DRF, serializer, the claimant's warning), both ways.

Run: ``.venv/bin/python bench/bench_claim_cost.py --database-url postgres://…/portal_bench_claim_cost``
(options ``--claims`` per way, default 300, after ``--warmup`` 30). JSON in
``bench/results/claim_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_claims import PREFIX, delete_previous_run, make_claimants, publish_needs
from bench.common import RESULTS_DIR, ROOT, setup_django, source_system, throwaway_keys, vacuum_analyze

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_claim_cost"
SOURCE_NAME = "bench-claims"
SEED = 20261203
WAYS = (
    ("service", True),
    ("service", False),
    ("request", True),
    ("request", False),
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=300, help="timed claims per way (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed claims before each way (default 30)")
    parser.add_argument("--database-url", help=f"default: DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    return parser.parse_args(argv)


def tasks_in_process(eager: bool) -> None:
    from config.celery import app

    app.conf.task_always_eager = eager
    if not eager:
        app.conf.broker_url = "memory://"


def money_needs(system) -> list:
    from marketplace.needs.models import AmountKind, Need, NeedStatus

    return list(
        Need.objects.filter(
            source_system=system, status=NeedStatus.PUBLISHED, amount_kind=AmountKind.MONEY
        ).order_by("pk")
    )


def members() -> list:
    from accounts.models import User

    return list(User.objects.filter(username__startswith=PREFIX, username__contains="-org").order_by("pk"))


def run_way(way: str, eager: bool, needs: list, users: list, keys: dict, *, warmup: int) -> dict:
    """Claim half of each need's target, one need after another; time each claim."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from marketplace.claims.services.claims import claim_resolve_holder, need_claim
    from marketplace.needs.selectors import need_public_get

    tasks_in_process(eager)
    client = Client(HTTP_HOST="127.0.0.1")
    wall, cpu = [], []
    queries = None
    for number, need in enumerate(needs):
        user = users[number % len(users)]
        amount = (need.target_amount / 2).quantize(Decimal("0.01"))
        capture = CaptureQueriesContext(connection) if number == warmup else None
        if capture is not None:
            capture.__enter__()
        started, started_cpu = time.perf_counter(), time.process_time()
        if way == "service":
            public = need_public_get(code=need.code)
            organization, volunteer = claim_resolve_holder(user=user)
            need_claim(need=public, amount=amount, actor=user, organization=organization, volunteer=volunteer)
        else:
            response = client.post(
                f"/api/v1/needs/{need.code}/claims/",
                {"amount": str(amount)},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {keys[user.pk]}",
            )
            assert response.status_code == 201, response.content
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if capture is not None:
            capture.__exit__(None, None, None)
            queries = len(capture.captured_queries)
        if number >= warmup:
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
    wall.sort()
    return {
        "way": f"{way}, tasks {'in-process' if eager else 'to a broker'}",
        "claims": len(wall),
        "wall_ms_mean": round(statistics.fmean(wall), 2),
        "wall_ms_p50": round(wall[len(wall) // 2], 2),
        "wall_ms_p95": round(wall[int(len(wall) * 0.95)], 2),
        "cpu_ms_mean": round(statistics.fmean(cpu), 2),
        "sql_statements": queries,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["FIELD_ENCRYPTION_KEYS"] = throwaway_keys()["FIELD_ENCRYPTION_KEYS"]
    setup_django(DEFAULT_DATABASE_URL, script="bench_claim_cost", url=args.database_url)
    from accounts.models import ApiToken
    from accounts.tokens import api_token_create

    rng = random.Random(SEED)
    system = source_system(SOURCE_NAME)
    delete_previous_run(system)
    per_way = args.claims + args.warmup
    # One in ten records is a service need in hours: publish enough money needs for every way.
    publish_needs(system, needs=int(per_way * len(WAYS) * 1.2) + 20, rng=rng)
    make_claimants(organizations=45, volunteers=1, rng=rng)
    vacuum_analyze()
    users = members()
    ApiToken.objects.filter(user__in=users).delete()
    keys = {user.pk: api_token_create(user=user, name="bench")[1] for user in users}
    needs = money_needs(system)
    if len(needs) < per_way * len(WAYS):
        print("bench_claim_cost: too few money needs published", file=sys.stderr)
        return 1
    load_before = os.getloadavg()
    results = []
    for index, (way, eager) in enumerate(WAYS):
        chunk = needs[index * per_way : (index + 1) * per_way]
        result = run_way(way, eager, chunk, users, keys, warmup=args.warmup)
        results.append(result)
        print(
            f"{result['way']:<32} {result['claims']} claims: wall mean {result['wall_ms_mean']:7.2f} ms "
            f"(p50 {result['wall_ms_p50']:.2f}, p95 {result['wall_ms_p95']:.2f}), "
            f"CPU {result['cpu_ms_mean']:6.2f} ms, {result['sql_statements']} SQL statements",
            flush=True,
        )
    out = RESULTS_DIR / "claim_cost.json"
    summary = {"load_before": load_before, "load_after": os.getloadavg(), "ways": results}
    out.write_text(json.dumps(summary, indent=2, default=str))
    print(f"load average {load_before[0]:.1f} → {os.getloadavg()[0]:.1f}; results in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
