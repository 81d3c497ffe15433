"""The needs list page and claims through nginx, with one web node and with two, against hello.

The issue (beyond one machine): *the needs list and the claims benchmarks through nginx with one
node and with two nodes on this machine: requests per second and p95 of each, as a ratio to the
hello view through the same nginx; report honestly that two nodes on two cores cannot double
throughput, and show where the bottleneck moves (PostgreSQL CPU, PgBouncer, nginx).*

What it does: the cluster of ``deploy/cluster/cluster_test.py`` (nginx from ``deploy/nginx.conf``
with a plain-HTTP copy of its server for the load, PgBouncer in transaction mode, Redis as the
shared cache, gunicorn nodes of 2 sync workers each with ``bench.settings_bench``, tasks on one
Celery worker) in its database ``portal_cluster`` (dropped and made afresh). For 1 node, then 2:
``GET /bench/hello``, ``GET /needs/`` (the page, anonymous: the shared page cache serves most
of it, as in production) and ``POST /api/v1/needs/<code>/claims/`` as ``bench_claims.py`` sends
them, each for a fixed time with ``--clients`` connections; and, for each phase, the CPU seconds
each kind of process used (``ps``), to show where the time goes. The claims of both runs are
checked afterwards (no over-allocation, sums and statuses consistent).

Run (as root: nginx, PgBouncer): ``.venv/bin/python bench/bench_cluster.py`` (options:
``--clients``, ``--seconds``, ``--needs``). JSON in ``bench/results/cluster.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_claims import (
    ClaimRequest,
    Hello,
    Ledger,
    check,
    drive,
    http,
    make_claimants,
    open_needs,
    publish_needs,
    summarize,
)
from bench.common import RESULTS_DIR, source_system, vacuum_analyze
from deploy.cluster.cluster_test import (
    DATABASE,
    PG,
    PORTS,
    REDIS_BROKER,
    REDIS_CACHE,
    Cluster,
    nginx_config,
    pgbouncer_config,
    prepare_database,
    run,
    wait_for,
)

PLAIN_PORT = 8490
PROCESS_KINDS = ("postgres", "pgbouncer", "nginx", "gunicorn", "celery", "bench client")


class NeedListPage:
    """``GET /needs/``: the public list page an anonymous visitor opens, pages 1 to 5."""

    def __init__(self, rng: random.Random):
        self.path = f"/needs/?page={rng.randint(1, 5)}"

    def __call__(self, port: int):
        return http(port, "GET", self.path)

    def reason(self, status: int, body: bytes) -> str:
        return ""


def cpu_by_kind() -> Counter:
    """CPU seconds used so far by each kind of process on the machine (``ps``)."""
    out = subprocess.run(
        ["/usr/bin/ps", "-e", "--cumulative", "-o", "pid=,times=,args="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    totals: Counter = Counter()
    me = os.getpid()
    for line in out.splitlines():
        pid, seconds, args = line.split(None, 2)
        if int(pid) == me:
            kind = "bench client"
        elif "postgres" in args.split()[0]:  # the server and its backends ("postgres: …")
            kind = "postgres"
        else:
            kind = next((k for k in ("pgbouncer", "nginx", "gunicorn", "celery") if k in args), None)
        if kind:
            totals[kind] += int(seconds)
    return totals


def phase(label: str, clients: int, seconds: float, request) -> dict:
    before, started = cpu_by_kind(), time.perf_counter()
    load = asyncio.run(drive(PLAIN_PORT, clients=clients, seconds=seconds, request=request))
    elapsed = time.perf_counter() - started
    after = cpu_by_kind()
    summary = summarize(load)
    summary.pop("per_second", None)
    summary["cpu_share"] = {k: round((after[k] - before[k]) / elapsed, 2) for k in PROCESS_KINDS}
    print(
        f"  {label:<10} {summary['requests_per_s']:>8.1f} req/s  "
        f"p95 {summary['latency_ms']['p95']:>8.1f} ms  "
        f"statuses {summary['statuses']}  cores busy: "
        + ", ".join(f"{k} {v}" for k, v in summary["cpu_share"].items()),
        flush=True,
    )
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--needs", type=int, default=2000)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-cluster-"))
    workdir.chmod(0o755)
    cluster = Cluster(workdir)
    rng = random.Random(20261203)
    bin_dir = Path(sys.executable).parent
    prepare_database()
    for db in (REDIS_CACHE, REDIS_BROKER):
        run(["redis-cli", "-n", db.rsplit("/", 1)[1], "FLUSHDB"])
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")])  # fmt: skip
    os.environ.update(cluster.keys)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"{PG}/{DATABASE}",
            "CELERY_BROKER_URL": "",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    system = source_system("bench-cluster")
    print(f"data: {publish_needs(system, needs=args.needs, rng=rng)}", flush=True)
    keys = make_claimants(organizations=45, volunteers=10, rng=rng)
    vacuum_analyze()
    node_env = cluster.node_env(DJANGO_SETTINGS_MODULE="bench.settings_bench", SECURE_SSL_REDIRECT="false")
    results: dict = {"clients": args.clients, "seconds": args.seconds, "needs": args.needs, "runs": {}}
    ledger = Ledger(open_needs(system))

    def claim(rng: random.Random):
        picked = ledger.pick(rng, keys)
        return None if picked is None else ClaimRequest(ledger, *picked)

    try:
        cluster.start("pgbouncer", ["pgbouncer", str(pgbouncer_config(workdir))], user="postgres")
        cluster.start("worker", [str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel=warning",
                                 "--concurrency=1", "--pool=solo"], env=node_env)  # fmt: skip
        for nodes in (1, 2):
            for name, port in list((("node_a", PORTS["node_a"]), ("node_b", PORTS["node_b"])))[:nodes]:
                gunicorn = [str(bin_dir / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]
                if name not in cluster.processes:
                    cluster.start(
                        name, [*gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=node_env
                    )
            cluster.stop("nginx")
            config = nginx_config(workdir, nodes=nodes, plain_port=PLAIN_PORT)
            cluster.start("nginx", ["nginx", "-c", str(config), "-g", "daemon off;"])
            for path in ("/bench/hello", "/needs/"):
                wait_for(
                    f"{path} through nginx",
                    lambda path=path: asyncio.run(http(PLAIN_PORT, "GET", path))[0] == 200,
                    timeout=120,
                )
            print(
                f"{nodes} node(s) behind nginx, {args.clients} clients, {args.seconds:.0f} s each", flush=True
            )
            run_figures = {
                "hello": phase("hello", args.clients, args.seconds, lambda rng: Hello()),
                "needs_list": phase("needs list", args.clients, args.seconds, NeedListPage),
                "claims": phase("claims", args.clients, args.seconds, claim),
            }
            hello = run_figures["hello"]["requests_per_s"] or 1
            for key in ("needs_list", "claims"):
                run_figures[key]["ratio_to_hello"] = round(run_figures[key]["requests_per_s"] / hello, 3)
            print(
                f"  ratios to hello: needs list {run_figures['needs_list']['ratio_to_hello']}, "
                f"claims {run_figures['claims']['ratio_to_hello']}",
                flush=True,
            )
            results["runs"][f"{nodes}_node"] = run_figures
    finally:
        cluster.stop_all()
    results["check"] = check(system, ledger)
    print(f"check: {'OK' if results['check']['ok'] else 'FAILED'} {results['check']['needs_by_status']}")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "cluster.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if results["check"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
