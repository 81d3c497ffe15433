"""What the benchmarks that serve the portal over HTTP share: the database, the server, a client.

Each benchmark runs as a script (``python bench/bench_x.py``) and imports Django only after
``setup_django`` has set the environment, so nothing here imports Django at module level.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


# --- Database ------------------------------------------------------------------------------------


def configure_environment(default_url: str, *, script: str, url: str | None = None) -> str:
    """Point Django at ``url``, else ``DATABASE_URL``, else ``default_url`` (PostgreSQL only) before setup.

    The benchmark process itself runs the development settings without the query log and with
    tasks in-process; the server it starts runs the production ones (``Gunicorn``).
    """
    if url:
        os.environ["DATABASE_URL"] = url
    url = os.environ.setdefault("DATABASE_URL", default_url)
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(f"{script}: DATABASE_URL must be PostgreSQL, not {url.split(':', 1)[0]}://")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in this process
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return url


def conninfo(url: str, **override: str) -> str:
    """A libpq connection string for ``DATABASE_URL``, with some parameters replaced."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url.replace("pgsql://", "postgres://", 1))
    return make_conninfo(**{**params, **override})


def ensure_database(url: str) -> None:
    """Create the benchmark database (UTF-8, from template0) when it does not exist."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(conninfo(url)).get("dbname") or "postgres"
    with psycopg.connect(conninfo(url, dbname="postgres"), autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
            )
            print(f"created database {name}")


def setup_django(default_url: str, *, script: str, url: str | None = None) -> str:
    """Environment, database (created when missing), ``django.setup()`` and quiet migrations."""
    url = configure_environment(default_url, script=script, url=url)
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    RESULTS_DIR.mkdir(exist_ok=True)
    return url


def vacuum_analyze(*tables: str) -> float:
    """``VACUUM ANALYZE`` ``tables`` (the whole database when none) and return the seconds it
    took: fresh statistics for the planner and no dead rows left by an earlier run, as
    autovacuum leaves a production database; the development server may run with it off."""
    from django.db import connection

    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    autocommit = raw.autocommit
    raw.autocommit = True  # VACUUM runs outside a transaction
    try:
        raw.execute(f"VACUUM ANALYZE {', '.join(tables)}")
    finally:
        raw.autocommit = autocommit
    return time.perf_counter() - started


def source_system(name: str):
    """The benchmark's own source system (province-wide), made on first use."""
    from marketplace.needs.models import SourceSystem
    from marketplace.needs.services.sources import source_system_create

    system = SourceSystem.objects.filter(name=name).first()
    if system is None:
        system, _key = source_system_create(name=name, department="civil_affairs", region_code="420000")
    return system


# --- Server --------------------------------------------------------------------------------------


def throwaway_keys() -> dict[str, str]:
    """Fresh secrets for a production-settings server that lives for one run."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "HOUSEHOLD_TOKEN_KEYS": "b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FEEDBACK_SIGNING_KEY": secrets.token_urlsafe(32),
    }


class Gunicorn:
    """``gunicorn config.wsgi`` with ``bench.settings_bench`` on a free port of 127.0.0.1.

    With the portal's own gunicorn settings (``config/gunicorn.py``: the garbage collector
    frozen once a worker has loaded the application), as production starts it.

    Production settings (throw-away secrets, ``SECURE_SSL_REDIRECT=false``) plus ``/bench/hello``;
    tasks in-process. ``env`` overrides or adds variables (a key the benchmark process shares,
    a cache). ``timeout`` is gunicorn's per-request limit. The log goes to
    ``bench/results/<log_name>``. Ready once every worker has booted; ended by its own pid.
    """

    def __init__(
        self,
        *,
        database_url: str,
        workers: int,
        log_name: str,
        env: dict[str, str] | None = None,
        timeout: int = 120,
    ):
        self.database_url, self.workers, self.timeout = database_url, workers, timeout
        self.env = env or {}
        self.log_path = RESULTS_DIR / log_name

    def __enter__(self) -> Gunicorn:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            **throwaway_keys(),
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        env.pop("DJANGO_DEBUG", None)
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            f"--config={ROOT / 'config' / 'gunicorn.py'}",
            f"--workers={self.workers}",
            f"--bind=127.0.0.1:{self.port}",
            f"--timeout={self.timeout}",
            "--log-level=warning",
            f"--chdir={ROOT}",
        ]
        self.log = self.log_path.open("wb")
        # A fixed command line built here, no shell: nothing untrusted reaches it.
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 180  # a loaded machine boots Django slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace").strip().splitlines()[-3:]
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}): {tail}; see {self.log_path}"
                )
            with contextlib.suppress(OSError):  # not listening yet
                status, _body = fetch(self.port, "/bench/hello")
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The workers' process ids (children of the master), for their CPU and memory."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(stat.parent.name))
        return pids

    def __exit__(self, *exc) -> None:
        self.process.terminate()  # the master stops its workers on SIGTERM
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy so far, all cores together (``/proc/stat``)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def processes_cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) the processes ``pids`` have spent so far; a gone one counts 0."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime: the stat file's 14th and 15th
    return total / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of already sorted values (0 when empty)."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


# --- Data ----------------------------------------------------------------------------------------


def copy_needs(values_of, *, needs: int, batch: int) -> float:
    """COPY ``needs`` rows into the needs table and return the seconds it took.

    ``values_of(number)`` gives a row's values by field name; the model's defaults fill the rest.
    Generated columns are left to PostgreSQL (COPY refuses them).
    """
    from django.db import connection
    from psycopg.types.json import Jsonb

    from marketplace.needs.models import Need

    fields = [f for f in Need._meta.concrete_fields if not f.primary_key and not f.generated]
    defaults = {f.attname: f.get_default() for f in fields}
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}

    def row(number: int) -> list:
        values = {**defaults, **values_of(number)}
        return [
            Jsonb(values[f.attname]) if f.attname in json_columns and values[f.attname] is not None
            else values[f.attname]
            for f in fields
        ]  # fmt: skip

    started = time.perf_counter()
    copy_sql = f"COPY needs_need ({', '.join(f.column for f in fields)}) FROM STDIN"
    for start in range(0, needs, batch):
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for number in range(start, min(start + batch, needs)):
                copy.write_row(row(number))
        done = min(start + batch, needs)
        print(f"  {done:>9,} needs written ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started
