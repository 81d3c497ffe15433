"""Intake throughput on PostgreSQL: records through the intake API against a bulk insert.

Sends N synthetic records (100,000 by default) to ``POST /api/v1/intake/needs/`` in batches of
500, one sequential client, and measures records per second, per-batch latency and peak
memory. In the same run it inserts the same rows, already anonymized (copied from what the
intake wrote), with ``Need.objects.bulk_create`` in batches of the same size: once the needs
alone, once the needs with their transition rows. The ratio of the two times is the figure to
watch; the absolute rates depend on the machine.

Run: ``make bench`` or ``DATABASE_URL=postgres://... .venv/bin/python bench/bench_intake.py``.
Options: ``--records N``, ``--batch N``, ``--server inprocess|gunicorn``, ``--clients N``
(gunicorn only), ``--profile [cprofile|pyinstrument]`` (in-process, no baseline). Results go to
``bench/results/intake.json`` (git-ignored). On a server with ``autovacuum = off`` it runs
``ANALYZE`` as autovacuum would, outside the timings (``--no-autoanalyze`` to not). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import math
import os
import platform
import pstats
import queue
import random
import resource
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Run as ``python bench/bench_intake.py``: the project root holds the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, ROOT, Gunicorn, conninfo, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
# Every source system this benchmark creates starts with this; its rows are deleted before a run.
NAME_PREFIX = "bench-intake-"
INTAKE_PATH = "/api/v1/intake/needs/"
SEED = 20261129
TARGET_RATE = 1_000  # records/s, from the issue
TARGET_RATIO = 5.0  # intake time / bulk_create time, from the issue


# --- Memory --------------------------------------------------------------------------------------


def proc_status_kib(pid: int | str, key: str) -> int | None:
    """A ``kB`` line of /proc/<pid>/status (VmRSS, VmHWM), or None when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def reset_peak_rss(pid: int | str) -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0), so the next peak is this phase's own."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


# --- CPU time: the machine may be shared, so wall time alone can mislead ----------------------------


def proc_cpu_seconds(pid: int | str) -> float | None:
    """User + system CPU seconds of a process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent by Python processes and by this process's PostgreSQL backend."""

    def __init__(self, *, pids: list[int] | None = None, backend: bool = True):
        self.pids = pids  # None: this process
        self.backend_pid = backend_pid() if backend else None

    def _python(self) -> float | None:
        if self.pids is None:
            return time.process_time()
        values = [proc_cpu_seconds(pid) for pid in self.pids]
        return None if None in values else sum(values)

    def __enter__(self) -> CpuMeter:
        self.python_start = self._python()
        self.backend_start = proc_cpu_seconds(self.backend_pid) if self.backend_pid else None
        self.result: dict = {}
        return self

    def __exit__(self, *exc) -> None:
        python = self._python()
        backend = proc_cpu_seconds(self.backend_pid) if self.backend_pid else None
        same_backend = self.backend_pid is not None and backend_pid() == self.backend_pid
        self.result = {
            "python_cpu_s": round(python - self.python_start, 2) if python is not None else None,
            "postgres_cpu_s": (
                round(backend - self.backend_start, 2)
                if same_backend and backend is not None and self.backend_start is not None
                else None
            ),
        }


def backend_pid() -> int | None:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.backend_pid


def cpu_total(cpu: dict) -> float | None:
    if cpu.get("python_cpu_s") is None or cpu.get("postgres_cpu_s") is None:
        return None
    return cpu["python_cpu_s"] + cpu["postgres_cpu_s"]


# --- Profilers -------------------------------------------------------------------------------------


class IntakeProfiler:
    """cProfile (deterministic, inflates call-heavy code) or pyinstrument (sampling), if installed."""

    def __init__(self, kind: str):
        self.kind = kind
        if kind == "pyinstrument":
            from pyinstrument import Profiler

            self.profiler = Profiler(interval=0.001)
        else:
            self.profiler = cProfile.Profile()

    def start(self) -> None:
        self.profiler.start() if self.kind == "pyinstrument" else self.profiler.enable()

    def stop(self) -> None:
        self.profiler.stop() if self.kind == "pyinstrument" else self.profiler.disable()

    def report(self) -> list[dict] | str:
        if self.kind == "pyinstrument":
            path = RESULTS_DIR / "intake-pyinstrument.txt"
            text = self.profiler.output_text(unicode=True, color=False, show_all=False)
            path.write_text(text)
            (RESULTS_DIR / "intake-pyinstrument.html").write_text(self.profiler.output_html())
            print(f"\nProfile (pyinstrument, sampling every 1 ms; {path.relative_to(ROOT)}, .html beside it)")
            print(text)
            return text
        return print_profile(self.profiler, RESULTS_DIR / "intake.prof")


# --- Records -------------------------------------------------------------------------------------


def make_bodies(
    *, records: int, batch: int, counties: list[str], today, prefix: str, seed: int
) -> list[bytes]:
    """The request bodies, JSON-encoded ahead of time so the timing is the server's work."""
    from marketplace.needs.demo import synthetic_record

    rng = random.Random(seed)
    bodies = []
    for start in range(0, records, batch):
        chunk = [
            synthetic_record(
                rng, source_ref=f"{prefix}{i:07d}", county_code=rng.choice(counties), today=today
            )
            for i in range(start, min(start + batch, records))
        ]
        bodies.append(json.dumps({"records": chunk}, ensure_ascii=False).encode())
    return bodies


# --- Clients -------------------------------------------------------------------------------------


@dataclass
class Reply:
    seconds: float
    status: int
    content: bytes
    records: int


class InProcessClient:
    """``django.test.Client``: the full Django request cycle without a socket."""

    label = "in-process django.test.Client"

    def __init__(self):
        from django.test import Client

        # SERVER_NAME: with DEBUG off only ALLOWED_HOSTS are served, and "testserver" is not one.
        self.client = Client(SERVER_NAME="127.0.0.1")

    def post(self, body: bytes, key: str) -> tuple[int, bytes]:
        response = self.client.post(
            INTAKE_PATH,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Api-Key {key}"},
        )
        return response.status_code, response.content


class HttpClient:
    """``http.client`` against the gunicorn server; reconnects when a sync worker closes."""

    label = "http.client → gunicorn"

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def post(self, body: bytes, key: str) -> tuple[int, bytes]:
        self.connection.request(
            "POST",
            INTAKE_PATH,
            body=body,
            headers={"Content-Type": "application/json", "Authorization": f"Api-Key {key}"},
        )
        response = self.connection.getresponse()
        return response.status, response.read()


def send_all(
    make_client,
    bodies: list[bytes],
    key: str,
    *,
    clients: int,
    batch_sizes: list[int],
    after: Callable[[Reply], None] | None = None,
) -> list[Reply]:
    """Send every body, ``clients`` at a time, each client sequential; replies in body order.

    ``after`` is called with each reply, outside the request's timing.
    """
    replies: list[Reply | None] = [None] * len(bodies)
    todo: queue.Queue[int] = queue.Queue()
    for index in range(len(bodies)):
        todo.put(index)
    failures: list[BaseException] = []

    def work():
        client = make_client()
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                status, content = client.post(bodies[index], key)
            except Exception as exc:  # noqa: BLE001 - reported after the run, with the others
                failures.append(exc)
                return
            replies[index] = Reply(time.perf_counter() - started, status, content, batch_sizes[index])
            if after is not None:
                after(replies[index])

    def work_in_thread():
        from django.db import connections

        try:
            work()
        finally:
            connections.close_all()  # this thread's, opened by ``after``

    if clients == 1:
        work()
    else:
        threads = [threading.Thread(target=work_in_thread) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return [reply for reply in replies if reply is not None]


# --- Database housekeeping -----------------------------------------------------------------------


def delete_rows(system_ids: list[int]) -> None:
    """Delete the needs and transitions of these source systems in two statements.

    Raw SQL: the ORM's cascade collector would load every need into memory first.
    """
    from django.db import connection

    from marketplace.needs.models import Need, NeedTransition

    if not system_ids:
        return
    quote = connection.ops.quote_name
    needs, transitions = quote(Need._meta.db_table), quote(NeedTransition._meta.db_table)
    with connection.cursor() as cursor:
        # Table names come from the models, the ids are parameters.
        cursor.execute(
            f"DELETE FROM {transitions} WHERE source_system_id = ANY(%s) "  # noqa: S608
            f"OR need_id IN (SELECT id FROM {needs} WHERE source_system_id = ANY(%s))",
            [system_ids, system_ids],
        )
        cursor.execute(f"DELETE FROM {needs} WHERE source_system_id = ANY(%s)", [system_ids])  # noqa: S608


def vacuum() -> None:
    """Reclaim deleted rows and refresh statistics, so each phase starts from the same table state."""
    from django.db import connection

    from marketplace.needs.models import Need, NeedTransition

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Need, NeedTransition):
            cursor.execute(f"VACUUM ANALYZE {quote(model._meta.db_table)}")


def server_autovacuum() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "on"


class AutoAnalyze:
    """Stands in for autovacuum's ANALYZE when the server runs with ``autovacuum = off``.

    Without it the planner keeps the statistics of the nearly empty tables a run starts from,
    plans the foreign-key checks and lookups as sequential scans, and the run slows
    quadratically as the tables grow: a property of that server setting, not of the code.
    The trigger is autovacuum's default, 50 rows + 10 % of the table. Its time is reported
    and left out of the phases' wall time (autovacuum works beside the requests), and it runs
    on a connection of its own, so the CPU of the backend serving the run does not include it.
    """

    THRESHOLD, SCALE = 50, 0.1

    def __init__(self, *, enabled: bool, database_url: str):
        import psycopg

        self.enabled = enabled
        self.connection = psycopg.connect(conninfo(database_url), autocommit=True) if enabled else None
        self.runs = 0
        self.seconds = 0.0
        self.lock = threading.Lock()
        self.restart()

    def restart(self) -> None:
        """Count from the statistics as they are now (after a VACUUM ANALYZE)."""
        from django.db import connection

        from marketplace.needs.models import Need

        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Need._meta.db_table])
            self.base = max(0.0, cursor.fetchone()[0])
        self.pending = 0

    def added(self, rows: int) -> None:
        if not self.enabled:
            return
        with self.lock:
            self.pending += rows
            if self.pending <= self.THRESHOLD + self.SCALE * self.base:
                return
            from psycopg import sql

            from marketplace.needs.models import Need, NeedTransition

            started = time.perf_counter()
            self.connection.execute(
                sql.SQL("ANALYZE {}, {}").format(
                    sql.Identifier(Need._meta.db_table), sql.Identifier(NeedTransition._meta.db_table)
                )
            )
            self.seconds += time.perf_counter() - started
            self.runs += 1
            self.base += self.pending
            self.pending = 0

    def summary(self) -> dict:
        return {"emulated": self.enabled, "runs": self.runs, "seconds": round(self.seconds, 2)}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def clean_previous_runs() -> int:
    """Remove every row and source system an earlier run of this benchmark left behind."""
    from marketplace.needs.models import SourceSystem

    ids = list(SourceSystem.objects.filter(name__startswith=NAME_PREFIX).values_list("pk", flat=True))
    delete_rows(ids)
    SourceSystem.objects.filter(pk__in=ids).delete()
    vacuum()
    return len(ids)


# --- Phases --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def rate(replies: list[Reply]) -> float:
    seconds = sum(reply.seconds for reply in replies)
    return sum(reply.records for reply in replies) / seconds if seconds else 0.0


def tally(replies: list[Reply]) -> tuple[Counter, list[dict], list[str]]:
    """Outcomes by status, a few rejected results, and the non-200 answers."""
    outcomes: Counter[str] = Counter()
    rejected: list[dict] = []
    failures: list[str] = []
    for index, reply in enumerate(replies):
        if reply.status != 200:
            failures.append(f"batch {index}: HTTP {reply.status} {reply.content[:300]!r}")
            continue
        for row in json.loads(reply.content)["results"]:
            outcomes[row["status"]] += 1
            if row["status"] == "rejected" and len(rejected) < 5:
                rejected.append(row)
    return outcomes, rejected, failures


def stored_outcome(system) -> dict:
    from django.db.models import Count

    from marketplace.needs.models import Need, NeedTransition
    from marketplace.needs.placement import ATTRIBUTES

    needs = Need.objects.filter(source_system=system)
    by_node = dict(
        needs.filter(status="published")
        .values_list("generalization")
        .annotate(n=Count("id"))
        .order_by("-n", "generalization")
    )
    by_attribute = {name: Counter() for name in ATTRIBUTES}
    for node, n in by_node.items():
        for name, level in zip(ATTRIBUTES, node, strict=True):
            by_attribute[name][level] += n
    total = needs.count()
    return {
        "needs": total,
        "by_status": dict(needs.values_list("status").annotate(n=Count("id")).order_by("status")),
        "published_share": round(sum(by_node.values()) / total, 4) if total else None,
        # Generalization: one digit per attribute (place, age, sex, size, categories, department).
        "published_by_generalization": by_node,
        "published_by_attribute_level": {name: dict(sorted(c.items())) for name, c in by_attribute.items()},
        "awaiting_cohort": needs.filter(awaiting_cohort=True).count(),
        "held_residual_risk": needs.filter(hold_reasons__contains=[{"code": "residual_risk"}]).count(),
        "transitions": NeedTransition.objects.filter(need__source_system=system).count(),
    }


def progress_printer(
    total_batches: int, records: int, paused: Callable[[], float]
) -> Callable[[Reply], None]:
    """Print a line every tenth of the batches, so a long run shows it is alive.

    ``paused()`` is the time to leave out (the stand-in ANALYZE), as in the final figure.
    """
    done = {"batches": 0, "records": 0}
    step = max(1, total_batches // 10)
    lock = threading.Lock()
    started = time.perf_counter()
    paused_before = paused()

    def show(reply: Reply) -> None:
        with lock:
            done["batches"] += 1
            done["records"] += reply.records
            if done["batches"] % step == 0 or done["batches"] == total_batches:
                elapsed = time.perf_counter() - started - (paused() - paused_before)
                print(
                    f"  {done['batches']:>5}/{total_batches} batches, {done['records']:>7,}/{records:,} "
                    f"records, {done['records'] / elapsed:,.0f} records/s so far (last batch "
                    f"{reply.seconds * 1000:,.0f} ms)",
                    flush=True,
                )

    return show


def check_warmup(replies: list[Reply], where: str) -> None:
    """Stop before timing anything when the intake does not answer 200 at all."""
    for reply in replies:
        if reply.status != 200:
            raise RuntimeError(
                f"the warm-up request got HTTP {reply.status}: {reply.content[:200]!r}; see {where}"
            )


def run_intake(
    args, *, bodies, batch_sizes, key, warmup_bodies, warmup_key, database_url, analyzer: AutoAnalyze
) -> dict:
    """Send the batches; return timings, memory and the raw replies."""
    memory: dict = {}

    def after(reply: Reply) -> None:
        """After each timed batch: the stand-in ANALYZE, and progress (``show`` is set below)."""
        analyzer.added(reply.records)
        show(reply)

    profiler = IntakeProfiler(args.profile) if args.profile else None
    if args.server == "inprocess":
        warm = send_all(
            InProcessClient, warmup_bodies, warmup_key, clients=1, batch_sizes=[1] * len(warmup_bodies)
        )
        check_warmup(warm, "the output above")
        memory["peak_reset"] = reset_peak_rss("self")
        rss_before = proc_status_kib("self", "VmRSS")
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if profiler:
            profiler.start()
        # One client in this thread: the test client's requests use this thread's connection.
        analyzed = analyzer.seconds
        show = progress_printer(len(bodies), sum(batch_sizes), lambda: analyzer.seconds)
        with CpuMeter() as cpu:
            started = time.perf_counter()
            replies = send_all(InProcessClient, bodies, key, clients=1, batch_sizes=batch_sizes, after=after)
            wall = time.perf_counter() - started - (analyzer.seconds - analyzed)
        if profiler:
            profiler.stop()
        peak = proc_status_kib("self", "VmHWM")
        memory.update(
            {
                "what": "benchmark process (Django runs in it)",
                "rss_before_mib": mib(rss_before),
                "peak_rss_mib": mib(peak),
                "peak_growth_mib": mib(peak - rss_before) if peak and rss_before else None,
                "ru_maxrss_growth_mib": mib(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before
                ),
            }
        )
        label = InProcessClient.label
    else:
        with Gunicorn(
            database_url=database_url, workers=args.workers, log_name="gunicorn-intake.log", timeout=600
        ) as server:
            warm = send_all(
                lambda: HttpClient(server.port),
                warmup_bodies,
                warmup_key,
                clients=1,
                batch_sizes=[1] * len(warmup_bodies),
            )
            check_warmup(warm, str(server.log_path))
            workers = server.worker_pids()
            reset = [reset_peak_rss(pid) for pid in workers]
            before = {pid: proc_status_kib(pid, "VmRSS") for pid in workers}
            # The workers' PostgreSQL backends are not ours to find reliably: workers' CPU only.
            analyzed = analyzer.seconds
            show = progress_printer(len(bodies), sum(batch_sizes), lambda: analyzer.seconds)
            with CpuMeter(pids=workers, backend=False) as cpu:
                started = time.perf_counter()
                replies = send_all(
                    lambda: HttpClient(server.port),
                    bodies,
                    key,
                    clients=args.clients,
                    batch_sizes=batch_sizes,
                    after=after,
                )
                wall = time.perf_counter() - started - (analyzer.seconds - analyzed)
            peaks = {pid: proc_status_kib(pid, "VmHWM") for pid in workers}
            if server.worker_pids() != workers:
                print("warning: gunicorn replaced a worker during the run; see", server.log_path)
        per_worker = [
            {"pid": pid, "rss_before_mib": mib(before[pid]), "peak_rss_mib": mib(peaks[pid])}
            for pid in workers
        ]
        memory = {
            "what": f"gunicorn workers ({args.workers}), VmHWM",
            "peak_reset": all(reset),
            "workers": per_worker,
            "peak_rss_mib": max((w["peak_rss_mib"] or 0) for w in per_worker),
            "peak_growth_mib": max(
                ((peaks[pid] or 0) - (before[pid] or 0)) / 1024
                for pid in workers
                if before[pid] and peaks[pid]
            ),
        }
        memory["peak_growth_mib"] = round(memory["peak_growth_mib"], 1)
        label = f"{HttpClient.label} ({args.workers} sync workers)"
    latencies = [reply.seconds for reply in replies]
    tenth = max(1, len(replies) // 10)
    records = sum(batch_sizes)
    return {
        "client": label,
        "clients": args.clients,
        "seconds": round(wall, 3),
        "records_per_second": round(records / wall, 1),
        "batch_latency_s": {
            "p50": round(percentile(latencies, 50), 4),
            "p95": round(percentile(latencies, 95), 4),
            "max": round(max(latencies), 4),
        },
        "records_per_second_first_10pct_batches": round(rate(replies[:tenth]), 1),
        "records_per_second_last_10pct_batches": round(rate(replies[-tenth:]), 1),
        "memory": memory,
        "cpu": cpu.result,
        "_replies": replies,
        "_profiler": profiler,
    }


@dataclass
class Snapshot:
    """The rows the intake wrote, as plain values: what an already-anonymized feed would hold."""

    fields: list[str]
    rows: list[tuple]
    moves: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)


def snapshot(intake_system) -> Snapshot:
    from marketplace.needs.models import Need, NeedTransition

    excluded = {"id", "code", "source_system", "source_ref", "created_at", "updated_at"}
    fields = [f.attname for f in Need._meta.concrete_fields if f.name not in excluded]
    rows = list(Need.objects.filter(source_system=intake_system).order_by("pk").values_list("pk", *fields))
    moves: defaultdict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for need_id, from_status, to_status, note in (
        NeedTransition.objects.filter(need__source_system=intake_system)
        .order_by("pk")
        .values_list("need_id", "from_status", "to_status", "note")
    ):
        moves[need_id].append((from_status, to_status, note))
    return Snapshot(fields, rows, dict(moves))


def run_baseline(
    data: Snapshot, *, batch: int, with_transitions: bool, stamp: str, analyzer: AutoAnalyze
) -> dict:
    """bulk_create the snapshot as fresh needs of a new source system, ``batch`` rows per transaction.

    The model objects are built before the clock starts: the baseline is the insert alone.
    """
    from django.db import transaction

    from marketplace.needs.models import Need, NeedTransition
    from marketplace.needs.services.sources import source_system_create

    tag = "T" if with_transitions else "S"
    system, _key = source_system_create(
        name=f"{NAME_PREFIX}{stamp}-baseline-{tag}", department="civil_affairs", region_code="420000"
    )
    chunks: list[tuple[list[Need], list[NeedTransition]]] = []
    for start in range(0, len(data.rows), batch):
        needs, transitions = [], []
        for i, (old_pk, *values) in enumerate(data.rows[start : start + batch], start=start):
            need = Need(
                **dict(zip(data.fields, values, strict=True)),
                code=f"B{tag}{i:09d}",
                source_system=system,
                source_ref=f"base-{i:07d}",
            )
            needs.append(need)
            if with_transitions:
                transitions += [
                    NeedTransition(need=need, from_status=f, to_status=t, source_system=system, note=note)
                    for f, t, note in data.moves.get(old_pk, ())
                ]
        chunks.append((needs, transitions))

    reset_peak_rss("self")
    rss_before = proc_status_kib("self", "VmRSS")
    analyzer.restart()
    analyzed = analyzer.seconds
    with CpuMeter() as cpu:
        started = time.perf_counter()
        for needs, transitions in chunks:
            with transaction.atomic():
                Need.objects.bulk_create(needs)
                if transitions:
                    for row in transitions:
                        row.need_id = row.need.pk
                    NeedTransition.objects.bulk_create(transitions)
            analyzer.added(len(needs))
        seconds = time.perf_counter() - started - (analyzer.seconds - analyzed)
    peak = proc_status_kib("self", "VmHWM")
    count = sum(len(needs) for needs, _t in chunks)
    return {
        "rows": count,
        "transition_rows": sum(len(t) for _n, t in chunks),
        "seconds": round(seconds, 3),
        "rows_per_second": round(count / seconds, 1),
        "peak_growth_mib": mib(peak - rss_before) if peak and rss_before else None,
        "cpu": cpu.result,
        "_system": system,
    }


# --- Report --------------------------------------------------------------------------------------


def print_profile(profiler: cProfile.Profile, path: Path, *, top: int = 25) -> list[dict]:
    """Top functions by cumulative time, in % of the profiled intake; also project code only."""
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler)
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.stats.values())
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append(
            {
                "function": f"{Path(filename).name}:{line}({name})" if line else name,
                "path": filename,
                "calls": ncalls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
                "cum_pct": round(100 * cumtime / total, 1),
                "self_pct": round(100 * tottime / total, 1),
            }
        )
    rows.sort(key=lambda row: row["cumtime_s"], reverse=True)
    project = [
        row
        for row in rows
        if row["path"].startswith(str(ROOT)) and "/.venv/" not in row["path"] and "/bench/" not in row["path"]
    ]
    print(f"\nProfile ({total:.1f} s profiled, cProfile; {path.relative_to(ROOT)})")
    print("Project code by cumulative time:")
    print(f"  {'cum %':>6} {'cum s':>8} {'self %':>6} {'calls':>9}  function")
    for row in project[:top]:
        print(
            f"  {row['cum_pct']:>6.1f} {row['cumtime_s']:>8.2f} {row['self_pct']:>6.1f} {row['calls']:>9}  "
            f"{Path(row['path']).relative_to(ROOT)}:{row['function'].split(':', 1)[1]}"
        )
    print("Everything by self time:")
    print(f"  {'self %':>6} {'self s':>8} {'calls':>9}  function")
    for row in sorted(rows, key=lambda row: row["tottime_s"], reverse=True)[:top]:
        print(
            f"  {row['self_pct']:>6.1f} {row['tottime_s']:>8.2f} {row['calls']:>9}  "
            f"{row['function']}  ({row['path']})"
        )
    return project[:top]


def cpu_line(cpu: dict, rows: int) -> str:
    python, postgres = cpu.get("python_cpu_s"), cpu.get("postgres_cpu_s")
    if python is None:
        return "CPU unknown"
    if postgres is None:
        return f"Python {python:.1f} s CPU = {1000 * python / rows:.2f} ms/row"
    return (
        f"Python {python:.1f} s + PostgreSQL {postgres:.1f} s CPU = "
        f"{1000 * (python + postgres) / rows:.2f} ms/row"
    )


def print_report(result: dict) -> None:
    intake, outcome = result["intake"], result["outcome"]
    memory, latency = intake["memory"], intake["batch_latency_s"]
    lines = [
        ("records", f"{result['records']:,}"),
        ("batch size", f"{result['batch']} ({result['batches']} batches)"),
        (
            "client",
            f"{intake['client']}; {intake['clients']} client(s), each sending its batches one at a time",
        ),
        ("intake time", f"{intake['seconds']:.1f} s"),
        ("intake rate", f"{intake['records_per_second']:,.0f} records/s"),
        (
            "  first/last 10%",
            f"{intake['records_per_second_first_10pct_batches']:,.0f} / "
            f"{intake['records_per_second_last_10pct_batches']:,.0f} records/s",
        ),
        (
            "batch latency",
            f"p50 {latency['p50'] * 1000:,.0f} ms, p95 {latency['p95'] * 1000:,.0f} ms, "
            f"max {latency['max'] * 1000:,.0f} ms",
        ),
        (
            "peak memory",
            f"{memory['peak_rss_mib']} MiB RSS ({memory['what']}), "
            f"+{memory['peak_growth_mib']} MiB during the run",
        ),
        ("CPU seconds", cpu_line(intake["cpu"], result["records"])),
        (
            "outcome (API)",
            ", ".join(f"{status} {n:,}" for status, n in sorted(outcome["api"].items()))
            + f"; HTTP errors {outcome['http_errors']}",
        ),
        (
            "stored needs",
            f"{outcome['stored']['needs']:,} ("
            + ", ".join(f"{s} {n:,}" for s, n in outcome["stored"]["by_status"].items())
            + f"), transitions {outcome['stored']['transitions']:,}",
        ),
        (
            "published (no review)",
            f"{outcome['stored']['published_share']:.1%} of {outcome['stored']['needs']:,}",
        ),
        (
            "levels per attribute",
            "; ".join(
                f"{name} " + " / ".join(f"{level}: {n:,}" for level, n in levels.items())
                for name, levels in outcome["stored"]["published_by_attribute_level"].items()
            ),
        ),
        (
            "top generalizations",
            ", ".join(
                f"{node} {n:,}"
                for node, n in list(outcome["stored"]["published_by_generalization"].items())[:6]
            ),
        ),
    ]
    baseline = result.get("baseline")
    if baseline:
        for label, name in (
            ("bulk_create needs", "needs"),
            ("bulk_create needs+transitions", "needs_and_transitions"),
        ):
            run = baseline[name]
            lines.append(
                (
                    label,
                    f"{run['rows_per_second']:,.0f} rows/s ({run['seconds']:.1f} s; "
                    f"{cpu_line(run['cpu'], run['rows'])})",
                )
            )
        ratios = result["ratio"]
        lines.append(
            (
                "intake / bulk insert",
                f"{ratios['vs_needs']:.1f}× slower than needs only, "
                f"{ratios['vs_needs_and_transitions']:.1f}× than needs+transitions",
            )
        )
        if "cpu_vs_needs" in ratios:
            lines.append(
                (
                    "  in CPU seconds",
                    f"{ratios['cpu_vs_needs']:.1f}× needs only, "
                    f"{ratios['cpu_vs_needs_and_transitions']:.1f}× needs+transitions",
                )
            )
    if result["autoanalyze"]["emulated"]:
        analyze = result["autoanalyze"]
        lines.append(
            (
                "ANALYZE (autovacuum off)",
                f"{analyze['runs']} runs, {analyze['seconds']:.1f} s, not in the timings",
            )
        )
    targets = result["targets"]
    lines.append(
        (
            f"target ≥ {TARGET_RATE:,} rec/s",
            f"{'MET' if targets['rate_met'] else 'NOT MET'} ({intake['records_per_second']:,.0f})",
        )
    )
    if baseline:
        lines.append(
            (
                f"target ≤ {TARGET_RATIO:g}× bulk insert",
                f"{'MET' if targets['ratio_met'] else 'NOT MET'} "
                f"({result['ratio']['vs_needs']:.1f}× vs needs only; "
                f"{result['ratio']['vs_needs_and_transitions']:.1f}× vs needs+transitions)",
            )
        )
    width = max(len(label) for label, _value in lines)
    print(
        f"\nIntake benchmark — PostgreSQL {result['environment']['postgresql']}, "
        f"{result['environment']['cpus']} CPUs"
    )
    for label, value in lines:
        print(f"  {label:<{width}}  {value}")


# --- Main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records to send (default 100,000)")
    parser.add_argument("--batch", type=int, default=500, help="records per request (default 500)")
    parser.add_argument("--server", choices=("inprocess", "gunicorn"), default="inprocess")
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent clients, gunicorn only (default 1)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers (default 2, one per core)"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cprofile",
        choices=("cprofile", "pyinstrument"),
        help="profile the in-process intake (cProfile, or pyinstrument if installed); skips the baseline",
    )
    parser.add_argument(
        "--no-autoanalyze",
        action="store_true",
        help="on a server with autovacuum off, do not stand in for its ANALYZE",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.records < 1 or args.batch < 1:
        parser.error("--records and --batch must be positive")
    if args.clients < 1 or (args.clients > 1 and args.server != "gunicorn"):
        parser.error("--clients > 1 needs --server gunicorn")
    if args.profile and args.server != "inprocess":
        parser.error("--profile profiles the in-process server only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = setup_django(DEFAULT_DATABASE_URL, script="bench_intake")
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from marketplace.needs.services.sources import source_system_create
    from regions.models import Region

    if connection.vendor != "postgresql":
        sys.exit("bench_intake: the benchmark runs on PostgreSQL only")
    if args.batch > settings.INTAKE_MAX_RECORDS:
        sys.exit(
            f"bench_intake: --batch {args.batch} is over INTAKE_MAX_RECORDS={settings.INTAKE_MAX_RECORDS}"
        )
    removed = clean_previous_runs()
    print(f"database {connection.settings_dict['NAME']}: cleaned {removed} source system(s) of earlier runs")
    autovacuum = server_autovacuum()
    analyzer = AutoAnalyze(enabled=not autovacuum and not args.no_autoanalyze, database_url=database_url)
    if not autovacuum:
        print(
            "note: this PostgreSQL server runs with autovacuum = off; "
            + (
                "ANALYZE is run as autovacuum would (50 rows + 10 %), outside the timings"
                if analyzer.enabled
                else "--no-autoanalyze: the planner keeps the statistics of the empty tables"
            ),
            flush=True,
        )

    today = timezone.localdate()
    counties = list(Region.objects.county_level().order_by("code").values_list("code", flat=True))
    stamp = f"{datetime.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    system, key = source_system_create(
        name=f"{NAME_PREFIX}{stamp}", department="civil_affairs", region_code="420000"
    )
    _warm_system, warm_key = source_system_create(
        name=f"{NAME_PREFIX}{stamp}-warmup", department="civil_affairs", region_code="420000"
    )

    load_before = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    bodies = make_bodies(
        records=args.records, batch=args.batch, counties=counties, today=today, prefix="R", seed=args.seed
    )
    warmup_bodies = make_bodies(
        records=2 * args.workers, batch=1, counties=counties, today=today, prefix="W", seed=args.seed + 1
    )
    batch_sizes = [min(args.batch, args.records - start) for start in range(0, args.records, args.batch)]
    print(
        f"generated {args.records:,} records over {len(counties)} counties "
        f"in {time.perf_counter() - started:.1f} s "
        f"({sum(map(len, bodies)) / 2**20:.0f} MiB of JSON); sending in {len(bodies)} batches of {args.batch}"
        f" ({args.server})…",
        flush=True,
    )

    intake = run_intake(
        args,
        bodies=bodies,
        batch_sizes=batch_sizes,
        key=key,
        warmup_bodies=warmup_bodies,
        warmup_key=warm_key,
        database_url=database_url,
        analyzer=analyzer,
    )
    print(
        f"intake: {args.records:,} records in {intake['seconds']:.1f} s = "
        f"{intake['records_per_second']:,.0f} records/s",
        flush=True,
    )
    replies, profiler = intake.pop("_replies"), intake.pop("_profiler")
    del bodies
    api_outcome, rejected, failures = tally(replies)
    outcome = {
        "api": dict(api_outcome),
        "http_errors": len(failures),
        "rejected_examples": rejected,
        "stored": stored_outcome(system),
    }

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0].split()[0]
    result: dict = {
        "benchmark": "intake",
        "when": timezone.now().isoformat(timespec="seconds"),
        "records": args.records,
        "batch": args.batch,
        "batches": len(batch_sizes),
        "server": args.server,
        "seed": args.seed,
        "environment": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": postgresql,
            "database": connection.settings_dict["NAME"],
            "k_anonymity_k": settings.K_ANONYMITY_K,
            # Other work on the machine slows the run: compare CPU seconds when this is high.
            "load_average_1m_before_after": [load_before, round(os.getloadavg()[0], 2)],
            "server_autovacuum": autovacuum,
        },
        "intake": intake,
        "outcome": outcome,
    }

    if profiler is not None:
        result["profile"] = profiler.report()
        (RESULTS_DIR / "intake-profile.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False, default=str)
        )
    else:
        # The intake's rows are read, then deleted, so that each bulk insert starts from the
        # table state the intake started from.
        print("baseline: bulk_create of the same rows…", flush=True)
        data = snapshot(system)
        delete_rows([system.pk])
        vacuum()
        baseline = {}
        for name, with_transitions in (("needs", False), ("needs_and_transitions", True)):
            run = run_baseline(
                data, batch=args.batch, with_transitions=with_transitions, stamp=stamp, analyzer=analyzer
            )
            delete_rows([run.pop("_system").pk])
            vacuum()
            baseline[name] = run
        result["baseline"] = baseline
        result["ratio"] = {
            "vs_needs": round(intake["seconds"] / baseline["needs"]["seconds"], 2),
            "vs_needs_and_transitions": round(
                intake["seconds"] / baseline["needs_and_transitions"]["seconds"], 2
            ),
        }
        intake_cpu = cpu_total(intake["cpu"])
        for name in ("needs", "needs_and_transitions"):
            base_cpu = cpu_total(baseline[name]["cpu"])
            if intake_cpu and base_cpu and args.server == "inprocess":
                # Python + PostgreSQL CPU seconds: steadier than wall time on a busy machine.
                result["ratio"][f"cpu_vs_{name}"] = round(intake_cpu / base_cpu, 2)

    result["autoanalyze"] = analyzer.summary()
    analyzer.close()
    result["targets"] = {
        "records_per_second": TARGET_RATE,
        "rate_met": intake["records_per_second"] >= TARGET_RATE,
        "max_ratio": TARGET_RATIO,
        "ratio_met": result["ratio"]["vs_needs"] <= TARGET_RATIO if "ratio" in result else None,
    }
    print_report(result)
    if failures or rejected:
        for line in failures[:5]:
            print("  error:", line)
        for row in rejected:
            print("  rejected:", json.dumps(row, ensure_ascii=False))
    if profiler is None:
        path = RESULTS_DIR / "intake.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        print(f"\nresults: {path.relative_to(ROOT)}")
    # Not a timed assertion: a run fails only when the intake did not work.
    return 1 if failures or api_outcome.get("rejected") else 0


if __name__ == "__main__":
    sys.exit(main())
