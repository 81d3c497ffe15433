"""Issue 4's benchmarks in one run: (a) claims, then (b) the public needs list, both blocks printed.

The issue: *On PostgreSQL with gunicorn and a load generator on loopback, in one run: (a)
claims under 100 concurrent clients over 1,000 needs: claims/s, p95, and zero over-allocation
checked afterwards; (b) the public needs list (20 rows, two filters, facet counts) over
1,000,000 needs: requests/s as a ratio to a plain "hello" view served the same way in the same
run, and p99.*

Runs ``bench_claims.py`` and then ``bench_needs_list.py``, each in its own process (each sets up
Django for its own database: ``portal_bench_claims`` and ``portal_bench_list`` by default, or
``DATABASE_URL`` for both) with its own gunicorn; their output streams as they go, and both
summaries are printed together at the end from ``bench/results/claims.json`` and
``needs_list.json``. Exits non-zero when either benchmark does. ``make bench`` runs this instead
of the two scripts on their own.

Run: ``.venv/bin/python bench/bench_marketplace.py``; arguments for each script go in one string:
``--claims "--seconds 60"``, ``--list "--needs 20000 --seconds 10 --indexes with"``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS_DIR = BENCH / "results"


def run(script: str, arguments: str) -> int:
    command = [sys.executable, str(BENCH / script), *shlex.split(arguments)]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    # The interpreter and a script of this folder, with the caller's own arguments: no shell.
    return subprocess.run(command, check=False).returncode  # noqa: S603


def fresh_results(name: str, since: float) -> dict | None:
    path = RESULTS_DIR / name
    if not path.exists() or path.stat().st_mtime < since:
        return None
    return json.loads(path.read_text())


def claims_block(result: dict | None) -> list[str]:
    if result is None:
        return ["(a) claims: no results (the run failed before writing them)"]
    claims, checked = result["claims"], result["check"]
    statuses = ", ".join(f"{status}: {count:,}" for status, count in claims["statuses"].items())
    return [
        f"(a) claims, {result['settings']['clients']} clients over {checked['needs']:,} needs "
        f"({claims['seconds']:.0f} s, ended by {claims['ended_by']})",
        f"    claims/s {claims['claims_per_s']:.1f}   requests/s {claims['requests_per_s']:.1f}   "
        f"p95 {claims['latency_ms']['p95']:.0f} ms (201s: {claims['latency_201_ms']['p95']:.0f} ms)   "
        f"p99 {claims['latency_ms']['p99']:.0f} ms",
        f"    answers {statuses}; over-allocated needs {checked['over_allocated']} "
        f"({'check OK' if checked['ok'] else 'check FAILED'})",
    ]


def list_block(result: dict | None) -> list[str]:
    if result is None:
        return ["(b) needs list: no results (the run failed before writing them)"]
    lines = [f"(b) needs list over {result['data']['needs']:,} needs"]
    for phase, figures in result["phases"].items():
        kinds = "   ".join(
            f"{kind} {summary['ratio_to_hello']:.3f}× hello, p99 {summary['p99_ms']:.0f} ms"
            for kind, summary in figures["summary"].items()
        )
        lines.append(f"    {phase} indexes: hello {figures['hello_rps']:.0f} req/s; {kinds}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", default="", help='arguments of bench_claims.py, e.g. "--seconds 60"')
    parser.add_argument("--list", default="", help='arguments of bench_needs_list.py, e.g. "--needs 20000"')
    args = parser.parse_args(argv)
    started = time.time()
    claims_status = run("bench_claims.py", args.claims)
    list_status = run("bench_needs_list.py", args.list)
    print("\n== issue 4, one run ==")
    for line in claims_block(fresh_results("claims.json", started)) + list_block(
        fresh_results("needs_list.json", started)
    ):
        print(line)
    return 1 if claims_status or list_status else 0


if __name__ == "__main__":
    sys.exit(main())
